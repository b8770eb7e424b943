"""The fault suite (issue 12): hostile input and a hostile machine get one line, never a traceback,
and nothing made earlier is lost.

Every case asserts the exit status, no traceback, one `workshop: error:` line (`assert_one_line_error`)
and that every model and log file made before it is byte-identical afterwards (`nothing_lost`).
What needs a real process (signals, a real full or read-only disk, one smoke per command) runs the CLI
in a subprocess; the rest calls `workshop.cli.main` in this process, which spares a TensorFlow import.
A real full or read-only disk is a tiny tmpfs, mounted where this user may (root, Linux); the same
faults are also injected in-process (OSError ENOSPC and EACCES, TensorFlow's ResourceExhaustedError),
so they are covered anywhere.
"""

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, alive, assert_one_line_error, children, run_cli, terminal_signals, tree_hashes

LINUX = sys.platform == "linux"


def run_main(capsys, *args):
    """`workshop ARGS` in this process, as run_cli reports it: returncode, stdout, stderr."""
    from workshop.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


@contextlib.contextmanager
def nothing_lost(models, *logs):
    """Every file under `models` and `logs` before the block is byte-identical after it, and no file
    appears beside the models (a failed save leaves no temporary file); a failed run may add its own
    new log folder."""
    models_before, logs_before = tree_hashes(models), tree_hashes(*logs)
    assert models_before or logs_before, "nothing to lose: the case tests nothing"
    yield
    assert tree_hashes(models) == models_before
    logs_after = tree_hashes(*logs)
    assert {path: logs_after.get(path) for path in logs_before} == logs_before


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """Models and logs made before any fault, trained once for the module, in this process:
    models/{mlp.keras, mlp.npz, lin.keras, lin.npz} and their runs under logs/train/."""
    from workshop.cli import main
    root = tmp_path_factory.mktemp("earlier")
    models, logs, data = root / "models", root / "logs", root / "datasets"
    for model, api, name in (("mlp", "keras", "mlp.keras"), ("mlp", "numpy", "mlp.npz"),
                             ("linear", "keras", "lin.keras"), ("linear", "numpy", "lin.npz")):
        hidden = ["--hidden", "16"] if model == "mlp" else []
        assert main(["train", model, "--api", api, "--epochs", "1", *hidden, "--logdir", str(logs),
                     "--data-dir", str(data), "--save", str(models / name), "--json"]) == 0
    linear_run = next((logs / "train").glob("linear-keras-*"))
    return SimpleNamespace(root=root, models=models, logs=logs, linear_run=linear_run,
                           **{name.replace(".", "_"): models / name
                              for name in ("mlp.keras", "mlp.npz", "lin.keras", "lin.npz")})


def digit_png(path, index=0, size=64) -> Path:
    """A test digit from the digits dataset, light on dark, as a size x size grayscale PNG."""
    from workshop.data import load
    pixels = np.uint8(np.round(load("digits").x_test[index, :, :, 0] * 255))
    Image.fromarray(pixels).resize((size, size), Image.Resampling.NEAREST).save(path)
    return Path(path)


# -- a disk that is full or read-only, for real ---------------------------------------------------

@pytest.fixture
def tmpfs(tmp_path):
    """mount(size) -> a fresh tmpfs folder of that size; skips where mounting is not permitted."""
    points = []

    def mount(size="256k"):
        point = tmp_path / f"disk{len(points)}"
        point.mkdir()
        if not LINUX or os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a tmpfs needs root on Linux (the in-process cases cover this fault)")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                           capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        points.append(point)
        return point
    yield mount
    for point in points:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def read_only(point):
    r = subprocess.run(["mount", "-o", "remount,ro", str(point)], capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot remount a tmpfs read-only here: {r.stderr.strip()}")


def fill(point, leave: int):
    """Fill the disk at `point` until `leave` bytes are free."""
    stat = os.statvfs(point)
    (point / "filler").write_bytes(b"\0" * max(stat.f_bavail * stat.f_frsize - leave, 0))


def test_save_into_a_read_only_models_folder(earlier, tmpfs):
    disk = tmpfs()
    shutil.copy(earlier.lin_keras, disk / "lin.keras")
    read_only(disk)
    with nothing_lost(disk, earlier.logs):
        r = run_cli("train", "linear", "--api", "keras", "--epochs", "1", "--save", str(disk / "lin.keras"))
    line = assert_one_line_error(r, 1)
    assert f"cannot save to {disk / 'lin.keras'}" in line and "not a writable folder" in line


@pytest.mark.parametrize("how", ["--logdir", "WORKSHOP_LOGDIR"])
def test_logs_in_a_read_only_folder(earlier, tmpfs, capsys, monkeypatch, how):
    disk = tmpfs("1m")
    shutil.copytree(earlier.linear_run, disk / "train" / earlier.linear_run.name)
    read_only(disk)
    args = ["--logdir", disk] if how == "--logdir" else []
    if how == "WORKSHOP_LOGDIR":
        monkeypatch.setenv("WORKSHOP_LOGDIR", str(disk))
    with nothing_lost(earlier.models, disk):
        r = run_main(capsys, "train", "linear", "--api", "keras", "--epochs", "1", *args)
    assert "cannot write the logs under" in assert_one_line_error(r, 1)


def test_full_disk_while_logging(earlier, tmpfs):
    pages = sum(-(-f.stat().st_size // 4096) for f in earlier.linear_run.rglob("*") if f.is_file())
    disk = tmpfs(f"{4 * pages + 128}k")
    shutil.copytree(earlier.linear_run, disk / "train" / earlier.linear_run.name)
    fill(disk, leave=16 * 1024)  # room to start a run, not to finish its logs (about 40 KB)
    with nothing_lost(earlier.models, disk):
        r = run_cli("train", "linear", "--api", "keras", "--epochs", "2", "--logdir", str(disk))
    line = assert_one_line_error(r, 1)
    assert "no space left on device; free some space" in line and str(disk) in line


def test_full_disk_while_saving_keeps_the_earlier_model(earlier, tmpfs):
    disk = tmpfs("128k")
    shutil.copy(earlier.lin_keras, disk / "lin.keras")
    fill(disk, leave=4096)  # less than a model
    with nothing_lost(disk, earlier.logs):
        r = run_cli("train", "linear", "--api", "keras", "--epochs", "1", "--save", str(disk / "lin.keras"))
    line = assert_one_line_error(r, 1)
    assert f"cannot save {disk / 'lin.keras'}: no space left on device" in line
    assert "the model already there is unchanged" in line


# -- the same faults, injected: anywhere, in this process ------------------------------------------

@pytest.mark.parametrize("api,suffix", [("keras", ".keras"), ("numpy", ".npz")])
def test_injected_full_disk_while_saving(earlier, tmp_path, capsys, monkeypatch, api, suffix):
    models = tmp_path / "models"
    models.mkdir()
    target = models / f"lin{suffix}"
    shutil.copy(earlier.models / f"lin{suffix}", target)

    def full(path, *args, **kwargs):  # half a file, then the disk is full
        Path(path).write_bytes(b"PK\3\4 half a model")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    if api == "keras":
        from workshop.tf_env import keras
        monkeypatch.setattr(keras.Model, "save", lambda self, path, *a, **k: full(path))
    else:
        savez = np.savez  # the checkpoints (in the run folder) still write theirs

        def full_beside_the_models(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and Path(file).parent == models:
                full(file)
            return savez(file, *args, **kwargs)
        monkeypatch.setattr("workshop.saving.np.savez", full_beside_the_models)
    with nothing_lost(models, earlier.logs):
        r = run_main(capsys, "train", "linear", "--api", api, "--epochs", "1", "--save", target)
    line = assert_one_line_error(r, 1)
    assert f"cannot save {target}: no space left on device; the model already there is unchanged" in line


def test_injected_permission_denied_while_saving(earlier, tmp_path, capsys, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(earlier.lin_keras, models / "lin.keras")

    def denied(*args, dir=None, **kwargs):  # a folder the access check let through (ACLs, a network disk)
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
    monkeypatch.setattr("workshop.saving.tempfile.mkstemp", denied)
    with nothing_lost(models, earlier.logs):
        r = run_main(capsys, "train", "linear", "--api", "keras", "--epochs", "1", "--save", models / "lin.keras")
    assert "permission denied; the model already there is unchanged" in assert_one_line_error(r, 1)


def test_injected_permission_denied_on_the_logs(earlier, tmp_path, capsys, monkeypatch):
    logs = tmp_path / "logs"
    shutil.copytree(earlier.linear_run, logs / "train" / earlier.linear_run.name)
    mkdir = Path.mkdir

    def denied(self, *args, **kwargs):
        if str(self).startswith(str(logs)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return mkdir(self, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", denied)
    with nothing_lost(earlier.models, logs):
        r = run_main(capsys, "train", "linear", "--api", "keras", "--epochs", "1", "--logdir", logs)
    assert "cannot write the logs under" in assert_one_line_error(r, 1)


def test_injected_full_disk_while_logging(earlier, tmp_path, capsys, monkeypatch):
    """tf.summary's writers raise TensorFlow's own error on a full disk, not an OSError."""
    from workshop.tensorboard.writers import RunWriters
    from workshop.tf_env import tf

    def full(self, folder):
        raise tf.errors.ResourceExhaustedError(None, None, f"{{{{function_node FlushSummaryWriter}}}} "
                                               f"{self.run_dir}/train/events.out.tfevents.1; No space left on "
                                               "device\n\tCould not flush events file.")
    monkeypatch.setattr(RunWriters, "_writer", full)
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, "train", "linear", "--api", "keras", "--epochs", "1", "--save", earlier.lin_keras)
    line = assert_one_line_error(r, 1)
    assert "events.out.tfevents.1: no space left on device; free some space" in line


# -- command-line mistakes (these held before issue 12) --------------------------------------------

@pytest.mark.parametrize("args,needle", [
    (["train", "mlp", "--epochs", "-1"], "must be positive"),
    (["train", "mlp", "--lr", "abc"], "invalid float value: 'abc'"),
    (["train", "mlp", "--batch-size", "0"], "must be positive"),
    (["train", "perceptrn"], "invalid choice: 'perceptrn'"),
    (["train", "mlp", "--api", "jax"], "invalid choice: 'jax'"),
    (["train", "mlp", "--dataset", "cifar"], "cifar"),
    (["train", "cnn", "--api", "numpy"], "numpy"),
    (["tensorboard", "--port", "abc"], "invalid int value: 'abc'"),
])
def test_bad_numbers_and_unknown_names(earlier, capsys, args, needle):
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, *args)
    assert needle in assert_one_line_error(r, 2)


def test_evaluate_on_an_unknown_dataset(earlier, capsys):
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, "evaluate", earlier.mlp_keras, "--dataset", "cifar")
    assert "unknown dataset 'cifar'" in assert_one_line_error(r, 2)


# -- models with hand-edited or hand-copied metadata -----------------------------------------------

def with_marker(source, target, edit):
    """Copy the .keras `source` to `target`, its workshop.json replaced by edit(meta) (bytes or a dict)."""
    with zipfile.ZipFile(source) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    meta = json.loads(entries.pop("workshop.json"))
    new = edit(meta)
    with zipfile.ZipFile(target, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
        z.writestr("workshop.json", new if isinstance(new, bytes) else json.dumps(new))
    return target


def with_meta(source, target, edit):
    """Copy the .npz `source` to `target`, its `meta` array replaced by edit(meta) (a str, a dict or None)."""
    with np.load(source, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    new = edit(json.loads(str(arrays.pop("meta"))))
    if new is not None:
        arrays["meta"] = np.array(new if isinstance(new, str) else json.dumps(new))
    np.savez(target, **arrays)
    return target


def npz_meta(earlier):
    with np.load(earlier.mlp_npz, allow_pickle=False) as npz:
        return json.loads(str(npz["meta"]))


EDITS = {  # name -> (the model it starts from, the edit, what the line says)
    "keras: not JSON": ("mlp.keras", lambda m: b"{'model': mlp", "is not valid JSON"),
    "keras: a key deleted": ("mlp.keras", lambda m: {k: v for k, v in m.items() if k != "input_shape"},
                             "has no list 'input_shape'"),
    "keras: a size edited": ("mlp.keras", lambda m: {**m, "classes": 5, "class_names": m["class_names"][:5]},
                             "which does not fit the weights inside"),
    "keras: hidden edited": ("mlp.keras", lambda m: {**m, "hidden": [64]}, "which does not fit the weights inside"),
    "keras: copied from the .npz": ("mlp.keras", "npz", "which is not saved as .keras"),
    "npz: not JSON": ("mlp.npz", lambda m: "mlp, 8x8", "is not valid JSON"),
    "npz: input shape edited": ("mlp.npz", lambda m: {**m, "input_shape": [28, 28, 1]},
                                "which does not fit the weights inside"),
    "npz: task edited": ("mlp.npz", lambda m: {**m, "task": "binary"}, "says task 'binary'"),
    "npz: no metadata": ("mlp.npz", lambda m: None, "is not a readable workshop model"),
}


@pytest.mark.parametrize("command", ["evaluate", "predict"])
@pytest.mark.parametrize("case", list(EDITS))
def test_edited_metadata_is_refused_in_one_line(earlier, tmp_path, capsys, case, command):
    source, edit, needle = EDITS[case]
    if edit == "npz":
        edit = lambda m: npz_meta(earlier)  # noqa: E731 - the numpy model's metadata, copied by hand
    target = tmp_path / f"edited{Path(source).suffix}"
    (with_marker if source.endswith(".keras") else with_meta)(earlier.models / source, target, edit)
    image = digit_png(tmp_path / "digit.png")
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, command, target, *([image] if command == "predict" else []))
    line = assert_one_line_error(r, 1)
    assert needle in line and str(target) in line


def test_edited_metadata_through_the_real_cli(earlier, tmp_path):
    target = with_marker(earlier.mlp_keras, tmp_path / "edited.keras", lambda m: {**m, "hidden": [64]})
    with nothing_lost(earlier.models, earlier.logs):
        r = run_cli("predict", str(target), str(digit_png(tmp_path / "digit.png")))
    line = assert_one_line_error(r, 1)
    # the command as this shell can run it: `workshop ...`, or `.venv/bin/workshop ...` when not activated
    assert re.search(r"edited or copied by hand; train the model again with `\S*workshop train \.\.\. --save`$", line), line


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_a_lambda_layer_is_refused_in_a_whole_sentence(earlier, tmp_path, capsys, command):
    from workshop.tf_env import keras
    lam = tmp_path / "lambda.keras"
    keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Flatten(),
                      keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10)]).save(lam)
    with zipfile.ZipFile(earlier.mlp_keras) as z, zipfile.ZipFile(lam, "a") as out:
        out.writestr("workshop.json", z.read("workshop.json"))  # it passes for one of ours
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, command, lam, *([digit_png(tmp_path / "d.png")] if command == "predict" else []))
    line = assert_one_line_error(r, 1)
    assert re.search(r"it is refused; use a model saved by `\S*workshop train \.\.\. --save`$", line), line
    assert "a Lambda layer" in line and "safe_mode=False" not in line


# -- images ---------------------------------------------------------------------------------------

def bomb_png(path, side=30_000) -> Path:
    """A PNG whose header claims side x side pixels: PIL refuses it before decoding a byte."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", __import__("zlib").crc32(kind + data))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("bad,needle", [
    ("corrupt", "damaged image"),
    ("folder", "is a folder, not an image"),
    ("bomb", "the image is too large (900,000,000 pixels, more than the 89,478,485 read safely)"),
])
def test_a_bad_image_among_good_ones(earlier, tmp_path, capsys, bad, needle):
    good = [digit_png(tmp_path / f"good{i}.png", i) for i in range(2)]
    if bad == "corrupt":
        path = tmp_path / "corrupt.png"
        path.write_bytes(good[0].read_bytes()[:150])
    elif bad == "folder":
        path = tmp_path / "scans"
        path.mkdir()
    else:
        path = bomb_png(tmp_path / "bomb.png")
    with nothing_lost(earlier.models, earlier.logs):
        r = run_main(capsys, "predict", earlier.mlp_keras, good[0], path, good[1])
    line = assert_one_line_error(r, 1)
    assert needle in line and str(path) in line
    assert [row.split(":")[0] for row in r.stdout.splitlines()] == [str(g) for g in good]  # still predicted


def transparent(source, target, ink: int) -> Path:
    """The digit of `source` drawn on nothing: RGB all `ink`, alpha the strokes."""
    strokes = np.asarray(Image.open(source).convert("L"))
    rgba = np.zeros((*strokes.shape, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = ink, strokes
    Image.fromarray(rgba, "RGBA").save(target)
    return target


@pytest.mark.parametrize("ink", [0, 255], ids=["black-ink", "white-ink"])
def test_a_transparent_png_keeps_its_digit(earlier, tmp_path, capsys, ink):
    from workshop.predict import read_image
    opaque = digit_png(tmp_path / "opaque.png", 3)
    clear = transparent(opaque, tmp_path / "clear.png", ink)
    np.testing.assert_allclose(read_image(clear, (8, 8, 1)), read_image(opaque, (8, 8, 1)), atol=1e-6)
    r = run_main(capsys, "predict", earlier.mlp_keras, opaque, clear, "--json")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    first, second = json.loads(r.stdout.splitlines()[-1])["predictions"]
    assert second["label"] == first["label"] and second["probability"] == pytest.approx(first["probability"])


def blank_images(folder):
    Image.new("RGB", (64, 64), "white").save(folder / "white.png")
    Image.new("L", (1, 1), 0).save(folder / "one-pixel.png")
    Image.new("RGBA", (32, 32), (0, 0, 0, 0)).save(folder / "nothing.png")  # transparent, nothing drawn
    return [folder / "white.png", folder / "one-pixel.png", folder / "nothing.png"]


def test_blank_images_get_a_warning_not_a_label(earlier, tmp_path, capsys):
    blanks, good = blank_images(tmp_path), digit_png(tmp_path / "good.png")
    r = run_main(capsys, "predict", earlier.mlp_keras, *blanks, good, "--json")
    assert r.returncode == 0, r.stderr  # a digit was found and predicted
    warnings = [line for line in r.stderr.splitlines() if line.startswith("workshop: warning:")]
    assert len(warnings) == 3 and "error" not in r.stderr
    for path, line in zip(blanks, warnings):
        assert f"{path}: no digit found" in line and line.endswith("nothing to predict")
    predictions = json.loads(r.stdout.splitlines()[-1])["predictions"]
    assert ["label" in p for p in predictions] == [False, False, False, True]
    assert all("warning" in p for p in predictions[:3])


def test_an_all_blank_batch_exits_1(earlier, tmp_path, capsys):
    r = run_main(capsys, "predict", earlier.mlp_keras, *blank_images(tmp_path))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.count("no digit found") == 3 and "error" not in r.stderr


# -- runs and tensorboard: TensorFlow-free commands, so the real CLI costs little (a timeout on each:
# a refusal that regressed would serve forever) ---------------------------------------------------

def test_runs_csv_into_a_missing_folder(earlier, tmp_path):
    target = tmp_path / "no-such-folder" / "runs.csv"
    with nothing_lost(earlier.models, earlier.logs):
        r = run_cli("runs", "--logdir", str(earlier.logs), "--csv", str(target))
    assert "does not exist; create it or write elsewhere" in assert_one_line_error(r, 1)
    assert not target.parent.exists()


def test_tensorboard_port_out_of_range():
    r = run_cli("tensorboard", "--port", "99999", timeout=60)
    assert "use a number from 1 to 65535" in assert_one_line_error(r, 2)


def test_tensorboard_logdir_that_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("not logs\n")
    r = run_cli("tensorboard", "--logdir", str(tmp_path / "notes.txt"), timeout=60)
    assert "is a file; TensorBoard reads a folder of logs" in assert_one_line_error(r, 2)


def test_tensorboard_mistyped_logdir_is_not_created(earlier):
    mistyped = earlier.logs / "trian"
    with nothing_lost(earlier.models, earlier.logs):
        r = run_cli("tensorboard", "--logdir", str(mistyped), timeout=60)
    assert f"no such folder; did you mean {earlier.logs / 'train'}?" in assert_one_line_error(r, 2)
    assert not mistyped.exists()


def test_tensorboard_on_an_address_of_another_machine(tmp_path):
    r = run_cli("tensorboard", "--logdir", str(tmp_path), "--host", "203.0.113.7", timeout=60)  # TEST-NET-3
    line = assert_one_line_error(r, 1)
    assert "cannot listen on 203.0.113.7" in line and "--host must be an address of this machine" in line
    assert "no free port" not in line


def test_tensorboard_on_a_taken_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_cli("tensorboard", "--logdir", str(tmp_path), "--port", str(port), timeout=60)
    assert f"port {port} on 127.0.0.1 is taken" in assert_one_line_error(r, 1)


def test_tensorboard_says_when_its_default_port_is_taken(tmp_path, capsys, monkeypatch):
    from workshop.tensorboard import server
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        monkeypatch.setattr(server, "DEFAULT_PORT", busy.getsockname()[1])
        with server.start(tmp_path) as running:
            moved = running.url
    note = capsys.readouterr().out
    assert f"note: port {server.DEFAULT_PORT} is taken" in note and f"uses port {moved.split(':')[-1][:-1]}" in note


# -- signals: the real process ---------------------------------------------------------------------



def listening(port) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_cli(*args, env=None):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "workshop", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=terminal_signals)


def read_until(process, needle: str, timeout=120) -> str:
    """stdout lines until one holds `needle`; that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if needle in line:
            return line
        if not line and process.poll() is not None:
            raise AssertionError(f"exited {process.returncode} before {needle!r}: {process.stderr.read()[-2000:]}")
    raise AssertionError(f"no {needle!r} within {timeout} s")


def finish(process, timeout=60):
    """(returncode, stderr) once it exits; killed if it does not."""
    try:
        process.wait(timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, process.stderr.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def leftovers():
    """A list for the pids a test starts (workshop, then its TensorBoard): whatever of them is still
    alive at the end is killed, so a failing test leaves no server behind."""
    pids = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_signal_to_workshop_tensorboard_stops_tensorboard_too(tmp_path, leftovers, sig):
    port, signum = free_port(), getattr(signal, sig)
    process = start_cli("tensorboard", "--logdir", str(tmp_path), "--port", str(port))
    leftovers.append(process.pid)
    assert f"http://127.0.0.1:{port}/" in read_until(process, "TensorBoard at")
    tensorboards = children(process.pid)
    leftovers.extend(tensorboards)
    assert tensorboards and listening(port)
    os.kill(process.pid, signum)  # the workshop process alone, not its process group
    code, err = finish(process)
    assert code == 128 + signum and f"workshop: stopped by {sig}" in err and "Traceback" not in err, err
    assert not any(alive(pid) for pid in tensorboards) and not listening(port)
    if sig == "SIGTERM":  # the next start gets the same port back
        again = start_cli("tensorboard", "--logdir", str(tmp_path), "--port", str(port))
        leftovers.append(again.pid)
        assert f"http://127.0.0.1:{port}/" in read_until(again, "TensorBoard at")
        leftovers.extend(children(again.pid))
        again.send_signal(signal.SIGINT)
        assert finish(again)[0] == 0


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_sigterm_to_train_with_tensorboard_stops_both_and_keeps_the_model(earlier, tmp_path, leftovers):
    models = tmp_path / "models"
    shutil.copytree(earlier.models, models)
    with nothing_lost(models, earlier.logs):
        process = start_cli("train", "mlp", "--api", "keras", "--epochs", "5000", "--hidden", "16", "--tensorboard",
                            "--save", str(models / "mlp.keras"))
        leftovers.append(process.pid)
        port = int(read_until(process, "TensorBoard at").split("127.0.0.1:")[1].split("/")[0])
        read_until(process, "loss")  # an epoch has finished: training is under way
        tensorboards = children(process.pid)
        leftovers.extend(tensorboards)
        assert tensorboards
        os.kill(process.pid, signal.SIGTERM)
        code, err = finish(process)
    assert code == 143 and "workshop: stopped by SIGTERM" in err and "Traceback" not in err, err
    assert not any(alive(pid) for pid in tensorboards) and not listening(port)


def test_sigint_to_training_exits_130_and_keeps_the_model(earlier, tmp_path, leftovers):
    models = tmp_path / "models"
    shutil.copytree(earlier.models, models)
    with nothing_lost(models, earlier.logs):
        process = start_cli("train", "mlp", "--api", "keras", "--epochs", "5000", "--hidden", "16",
                            "--save", str(models / "mlp.keras"))
        leftovers.append(process.pid)
        read_until(process, "loss")
        os.kill(process.pid, signal.SIGINT)
        code, err = finish(process)
    assert code == 130 and "workshop: interrupted" in err and "Traceback" not in err, err
