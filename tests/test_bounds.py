"""Every input has bounds (issue 26): numbers out of range, files made to exhaust memory (a zip or gzip
bomb, a .tflite with a huge intermediate tensor, a download that does not stop), paths that climb out
of --logdir, two processes on one run. Each gets one line, never a traceback, before the cost is paid,
and nothing made earlier is lost.

What must be shown not to allocate runs in a subprocess whose peak memory is read back (`measured`).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import ROOT, assert_one_line_error, run_cli

MB = 1024  # ru_maxrss is in kB on Linux


# Spawns the command and writes its peak resident memory (kB, from wait4) to the file argv[1]. A process
# spawned straight from pytest would count pytest's own pages (TensorFlow's, once imported) in its peak: the
# kernel carries the high-water mark across fork and exec. Spawned from this small Python, it starts afresh.
MEASURE = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def measured(*args, timeout=300, env=None, python=("-m", "workshop")) -> SimpleNamespace:
    """`python -m workshop ARGS` (or `python *python ARGS`) in a subprocess: returncode, stdout, stderr, and
    its peak resident memory in kB (its own, from wait4)."""
    with tempfile.TemporaryDirectory() as folder:
        peak = os.path.join(folder, "peak")
        r = subprocess.run([sys.executable, "-c", MEASURE, peak, sys.executable, *python, *map(str, args)],
                           cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
        with open(peak) as f:
            return SimpleNamespace(returncode=r.returncode, stdout=r.stdout, stderr=r.stderr, max_rss_kb=int(f.read()))


def run_main(capsys, *args):
    from workshop.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


# -- numbers out of range: one line, before anything starts ------------------------------------------------------

@pytest.mark.parametrize("args,line", [
    (["--api", "numpy", "--seed", "-1"], "--seed must be a whole number from 0 to 2147483647, got -1"),
    (["--api", "keras", "--seed", str(2**31)], "--seed must be a whole number from 0 to 2147483647, got 2147483648"),
    (["--api", "raw", "--threads", "99999999999"], "--threads must be 0 (auto) or a count up to 1024 (this "
                                                   f"machine has {os.cpu_count()} cores), got 99999999999"),
    (["--api", "raw", "--threads", "-2"], "--threads must be 0 (auto) or a count up to 1024"),
])
def test_numbers_out_of_range_are_one_line(capsys, args, line):
    r = run_main(capsys, "train", "mlp", *args)
    assert line in assert_one_line_error(r, 2)


@pytest.mark.parametrize("api", ["numpy", "keras"])
def test_a_model_too_large_for_memory_is_refused_before_allocating(api, tmp_path):
    """--hidden 2000000000: 150 billion weights. Refused with its size, before a byte of it exists (the process
    peaks at what Python and NumPy take: under 200 MB; allocating was `Unable to allocate 954. GiB`, or the
    kernel's OOM killer)."""
    r = measured("train", "mlp", "--api", api, "--hidden", "2000000000", "--logdir", tmp_path / "logs")
    line = assert_one_line_error(r, 2)
    assert line.startswith("workshop: error: this mlp has 150,000,000,010 weights on digits (--hidden 2000000000): "
                           "training it needs at least 2.4 TB (16 bytes a weight), more than the "), line
    assert line.endswith("of memory free here; choose smaller --hidden sizes"), line
    assert r.max_rss_kb < 200 * MB, r.max_rss_kb
    assert not (tmp_path / "logs").exists()


def test_the_size_check_counts_every_layer(monkeypatch):
    """Weights and biases of every layer, against the memory free: a model just over it is refused, one under
    it passes."""
    from workshop import config
    from workshop.errors import UsageError
    weights = 64 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 10 + 10  # --hidden 1000 500 on digits (8x8, 10 classes)
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights)
    config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights - 1)
    with pytest.raises(UsageError, match=f"this mlp has {weights:,} weights on digits"):
        config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()


# -- a .tflite not made by `workshop export`: refused before LiteRT's interpreter reads it -----------------------

META = {"model": "mlp", "api": "keras", "dataset": "digits", "input_shape": [8, 8, 1], "classes": 10,
        "class_names": [str(d) for d in range(10)], "hidden": [16], "task": "classify",
        "exported": {"from": "mlp.keras", "format": "litert", "quantize": "none"}}


def converted(function) -> bytes:
    """The .tflite bytes of a tf.function of x float32 (batch, 8, 8, 1), as TensorFlow's converter writes them."""
    from workshop.tf_env import tf

    class Module(tf.Module):
        pass
    module = Module()
    module.f = tf.function(function, input_signature=[tf.TensorSpec([None, 8, 8, 1], tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.f.get_concrete_function()], module)
    return converter.convert()


def bomb(x):
    """3 kB of graph whose one intermediate is 20000 x 20000 float32: 1.6 GB the moment it runs."""
    from workshop.tf_env import tf
    big = tf.broadcast_to(tf.reshape(x[:1, 0, 0, 0], [1, 1]), [20000, 20000])
    return tf.reduce_sum(big, axis=1, keepdims=True)[:1] * 0 + tf.zeros([tf.shape(x)[0], 10])


def dense(x):
    from workshop.tf_env import tf
    return tf.matmul(tf.reshape(x, [-1, 64]), tf.ones([64, 10]))


def declared_huge(content: bytes) -> bytes:
    """`content` with a computed tensor declared (batch, 20000, 20000): the ops an export uses, one huge tensor."""
    import flatbuffers
    import numpy as np

    from workshop import litert
    schema = litert._schema()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(content, 0))
    graph = model.subgraphs[0]
    computed = next(t for i, t in enumerate(graph.tensors)
                    if model.buffers[t.buffer].data is None and i not in graph.inputs)
    computed.shape = np.array([1, 20000, 20000], np.int32)
    computed.shapeSignature = np.array([-1, 20000, 20000], np.int32)
    builder = flatbuffers.Builder(len(content) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=litert.IDENTIFIER)
    return bytes(builder.Output())


@pytest.mark.parametrize("case", ["forged seal", "no seal", "allowed ops, a huge tensor"])
def test_a_tflite_not_made_by_export_is_refused_before_the_interpreter(tmp_path, case):
    """Before the fix a sealed 3.7 kB bomb was evaluated at a peak of 3.3 GB (32 s), an unsealed one refused after
    1.6 GB: the seal is a sha256 anyone can compute, so the check is what the file holds, read in Python."""
    from workshop import litert
    path = tmp_path / "model.tflite"
    if case == "forged seal":
        path.write_bytes(litert.with_metadata(converted(bomb), META))
        words = "it uses ops an export never does (ADD, BROADCAST_TO, FILL, MUL, SUM); refusing to run it"
    elif case == "no seal":
        path.write_bytes(converted(bomb))
        words = "(no sealed workshop.json inside)"
    else:
        path.write_bytes(litert.with_metadata(declared_huge(converted(dense)), META))
        words = "its computed tensors hold 400,000,"
    assert litert.sealed(path.read_bytes()) is (None if case == "no seal" else True)
    r = measured("evaluate", path, "--data-dir", tmp_path / "datasets")
    line = assert_one_line_error(r, 1)
    assert f"{path} was not made by `" in line and words in line, line
    assert r.max_rss_kb < 200 * MB, r.max_rss_kb  # no interpreter, no TensorFlow: Python and NumPy


def test_a_tflite_shaped_like_an_export_still_runs(tmp_path):
    """The structure check passes the shapes an export has (here a dense layer the converter wrote itself)."""
    from workshop import litert
    path = tmp_path / "model.tflite"
    path.write_bytes(litert.with_metadata(converted(dense), META))
    model, meta = litert.load(path)
    assert model.forward(np.ones((3, 8, 8, 1), np.float32)).tolist() == [[64.0] * 10] * 3


# -- a .keras and an .npz that decompress or allocate far more than they hold -----------------------------------

def keras_bomb(path, source, entry="workshop.json", size=64 << 20):
    """`source` (a .keras) copied to `path` with its entry `entry` replaced by `size` bytes of spaces, deflated
    (64 MB in 65 kB)."""
    import zipfile
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(path, "w") as bomb:
        for info in z.infolist():
            if info.filename != entry:
                bomb.writestr(info, z.read(info))
        info = zipfile.ZipInfo(entry)
        info.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(info, "w", force_zip64=True) as w:
            for _ in range(size >> 20):
                w.write(b" " * (1 << 20))
    return path


LOAD = """
import sys
from workshop import saving
from workshop.errors import WorkshopError
try:
    saving.load(sys.argv[1])
except WorkshopError as e:
    sys.exit(print(f"workshop: error: {e}", file=sys.stderr) or 1)
"""


@pytest.fixture(scope="module")
def small_models(tmp_path_factory):
    """A tiny mlp.keras and mlp.npz, trained once for the module."""
    from workshop.config import RunOptions, TrainConfig
    from workshop.training.train import train
    root = tmp_path_factory.mktemp("models")
    for api, name in (("keras", "mlp.keras"), ("numpy", "mlp.npz")):
        train(TrainConfig.tiny(model="mlp", api=api, epochs=1), RunOptions(save=str(root / name), verbose=0,
                                                                            logdir=str(root / "logs")))
    return root


@pytest.mark.parametrize("entry, words", [
    ("workshop.json", "its entry workshop.json would decompress to 67.1 MB, where at most 1.0 MB belongs "
                      "(a zip bomb?)"),
    ("config.json", "its entry config.json would decompress to 67.1 MB, where at most 16.8 MB belongs (a zip bomb?)"),
    ("model.weights.h5", "its entry model.weights.h5 would decompress to 67.1 MB, where at most 1.1 MB belongs"),
])
def test_a_keras_zip_bomb_is_refused_in_one_line(small_models, tmp_path, entry, words):
    """Each entry of a .keras against what it may hold; the weights against the model its metadata describes."""
    bomb = keras_bomb(tmp_path / "bomb.keras", small_models / "mlp.keras", entry)
    assert bomb.stat().st_size < 200 << 10
    # `evaluate` starts TensorFlow first (600 MB): the reading alone, in a Python without it, takes what Python does
    r = measured(bomb, python=("-c", LOAD))
    line = assert_one_line_error(r, 1)
    assert line.startswith(f"workshop: error: {bomb} is refused: ") and words in line, line
    assert r.max_rss_kb < 100 * MB, r.max_rss_kb
    if entry == "workshop.json":  # the same line from the command (once: it costs TensorFlow's start)
        assert assert_one_line_error(run_cli("evaluate", bomb, "--data-dir", tmp_path / "datasets"), 1) == line


def test_an_npz_whose_header_declares_a_trillion_elements_is_refused(small_models, tmp_path):
    """NumPy allocates what a .npy header declares before reading the data: a 200-byte meta entry declaring
    10**11 characters would be 400 GB."""
    import io
    import zipfile
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<U1", "fortran_order": False, "shape": (10**11,)})
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(small_models / "mlp.npz") as z, zipfile.ZipFile(bomb, "w") as out:
        for info in z.infolist():
            out.writestr(info, header.getvalue() if info.filename == "meta.npy" else z.read(info))
    r = measured(bomb, python=("-c", LOAD))
    line = assert_one_line_error(r, 1)
    assert f"{bomb} is refused: its entry meta.npy declares (100000000000,) <U1 (400.0 GB) in " in line, line
    assert r.max_rss_kb < 100 * MB, r.max_rss_kb


def test_a_model_file_of_ours_passes_the_size_checks(small_models):
    from workshop import saving
    for name in ("mlp.keras", "mlp.npz"):
        model, meta = saving.load(small_models / name)
        assert meta["model"] == "mlp"


# -- dataset files: a gzip bomb, a download that does not stop -----------------------------------------------------

@pytest.fixture
def fashion_labels(tmp_path, monkeypatch):
    """The catalog's fashion_mnist with its test labels only (10 labels, small), and their path."""
    import hashlib
    import struct
    from dataclasses import replace

    from workshop.data import DATASETS
    info = DATASETS["fashion_mnist"]
    labels = struct.pack(">II", 0x801, 10) + bytes(range(10))
    f = replace(info.files[3], arrays=(("y_test", (10,)),), sha256=hashlib.sha256(labels).hexdigest())
    monkeypatch.setitem(DATASETS, "fashion_mnist", replace(info, files=(f,)))
    return SimpleNamespace(file=f, info=DATASETS["fashion_mnist"], labels=labels,
                           path=tmp_path / "datasets" / "fashion-mnist" / f.name)


def test_a_gzip_bomb_among_the_datasets_is_refused_before_it_inflates(fashion_labels, monkeypatch):
    """A .gz is read by what it decompresses to, and only as far as its data can take: 48 MB of zeros in 47 kB
    (small enough to pass the file's own size check) stop after 64 kB."""
    import gzip
    import zlib

    from workshop.data import files
    sizes = []
    decompressobj = zlib.decompressobj

    class Counting:  # what the check decompresses, measured at zlib
        def __init__(self, *args):
            self.inner = decompressobj(*args)

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            sizes.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.inner, name)
    fashion_labels.path.parent.mkdir(parents=True)
    squeezed = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(fashion_labels.path, "wb") as out:
        for _ in range(48):
            out.write(squeezed.compress(bytes(1 << 20)))
        out.write(squeezed.flush())
    assert fashion_labels.path.stat().st_size < 50 << 10 and gzip.open(fashion_labels.path).read(8)  # a real gzip
    monkeypatch.setattr(files.zlib, "decompressobj", Counting)
    with pytest.raises(files.BadFile, match=r"is damaged \(it decompresses to more than 65,554 bytes, where its data "
                                            r"takes 18; a gzip bomb\?\)"):
        files.read(fashion_labels.path, fashion_labels.file, fashion_labels.info)
    assert sum(sizes) <= 65_555


def test_a_file_too_large_to_be_the_dataset_is_not_read(fashion_labels):
    from workshop.data import files
    fashion_labels.path.parent.mkdir(parents=True)
    with open(fashion_labels.path, "wb") as f:
        f.truncate(10 << 30)  # 10 GB, sparse: no disk used
    with pytest.raises(files.BadFile, match=r"is 10.7 GB, larger than any copy of it can be \(at most 65.6 kB\)"):
        files.read(fashion_labels.path, fashion_labels.file, fashion_labels.info)


class Endless:
    """An HTTP server on 127.0.0.1 that answers every GET with bytes that never end (no Content-Length), or
    with a Content-Length it does not keep; counts what it sent."""

    def __init__(self, declared=None):
        import http.server
        import threading
        outer, self.sent, self.declared = self, 0, declared

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                if outer.declared:
                    self.send_header("Content-Length", str(outer.declared))
                self.end_headers()
                try:
                    while outer.sent < 1 << 30:
                        self.wfile.write(b"\x1f\x8b" + bytes(65534))
                        outer.sent += 65536
                except OSError:  # the client hung up
                    pass

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("declared", [None, 10 << 30], ids=["endless", "declared 10 GB"])
def test_a_download_stops_at_its_expected_size(fashion_labels, monkeypatch, declared):
    """What a good copy can take (its arrays, headers, gzip's worst case: 65.6 kB here) is where the download
    stops: a mirror that sends a gigabyte, or announces 10 GB, fills neither memory nor disk."""
    from workshop.data import load
    from workshop.errors import WorkshopError
    server = Endless(declared)
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", server.url)
    try:
        with pytest.raises(WorkshopError) as failed:
            load("fashion_mnist")
    finally:
        server.close()
    message = str(failed.value)
    words = ("went on past the 65,554 bytes a good copy can be; the download was stopped there" if declared is None
             else "is 10,737,418,240 bytes, more than the 65,554 a good copy can be; not downloaded")
    assert message.startswith(f"{fashion_labels.path} is missing, and downloading it failed (the copy from "), message
    assert words in message and "\n" not in message, message
    assert server.sent < 8 << 20, server.sent  # the server was cut off (what sits in socket buffers aside)
    assert not fashion_labels.path.exists() and not list(fashion_labels.path.parent.glob("*.part"))


# -- --epochs 1000000000 -----------------------------------------------------------------------------------------

def test_a_billion_epochs_is_refused_before_anything_is_drawn(tmp_path):
    """Every epoch's order is drawn before training: a billion of them grew memory past 12.8 GB in 40 s."""
    r = measured("train", "mlp", "--api", "numpy", "--epochs", "1000000000", "--logdir", tmp_path / "logs")
    line = assert_one_line_error(r, 2)
    assert line == ("workshop: error: --epochs 1000000000 on 1,294 training examples: each epoch's order is drawn in "
                    "advance (4 bytes an example), 5,176.0 GB for them all, where at most 256 MB is allowed; choose at "
                    "most 51,861 epochs"), line
    assert r.max_rss_kb < 200 * MB and not (tmp_path / "logs").exists()


def test_epoch_orders_are_bounded_where_they_are_drawn():
    from workshop.data.pipeline import MAX_ORDERS_BYTES, epoch_orders
    from workshop.errors import UsageError
    orders = epoch_orders(1000, 3, seed=7)
    assert orders.shape == (3, 1000) and orders.dtype == np.int32
    assert all(sorted(order) == list(range(1000)) for order in orders.tolist())
    rng = np.random.default_rng(7)  # the orders NumPy draws from the seed, one permutation an epoch, as before
    assert all((order == rng.permutation(1000)).all() for order in orders)
    with pytest.raises(UsageError, match="choose at most"):
        epoch_orders(1000, MAX_ORDERS_BYTES // 4000 + 1, seed=7)


# -- smaller faults: a path out of --logdir, a save killed mid-write, two --resume at once, `workshop runs` -------

@pytest.mark.parametrize("experiment", ["../../x", "/tmp/x", "a/../../x", "..", "~/x"])
def test_an_experiment_cannot_climb_out_of_the_logdir(tmp_path, capsys, experiment):
    logs = tmp_path / "deep" / "er" / "logs"
    r = run_main(capsys, "train", "linear", "--api", "numpy", "--epochs", "1", "--experiment", experiment,
                 "--logdir", logs)
    line = assert_one_line_error(r, 2)
    assert f"--experiment {experiment!r} must be a folder name or names (a/b) inside the logs folder" in line, line
    assert not (tmp_path / "deep").exists() and not (tmp_path / "x").exists()


def test_a_run_name_is_one_name():
    from workshop.config import RunOptions, TrainConfig
    from workshop.errors import UsageError
    config = TrainConfig(model="linear", api="numpy").resolved()
    assert RunOptions(experiment="a/b", run_name="mlp-lr0.1-h64").checked(config).experiment == "a/b"
    with pytest.raises(UsageError, match="run_name '../x' must be a plain name"):
        RunOptions(run_name="../x").checked(config)


KILLED_MID_SAVE = """
import os, signal, sys
import numpy as np
from workshop import saving

def half_then_die(file, **arrays):  # the kill lands in the middle of writing the model
    with open(file, "wb") as f:
        f.write(b"PK half a model")
    os.kill(os.getpid(), signal.SIGKILL)
np.savez = half_then_die
saving.save_npz([np.zeros(2)], sys.argv[1], {})
"""


def test_a_save_killed_mid_write_leaves_no_temporary_file_for_good(tmp_path):
    """The kill leaves .model-<pid>-<random>.npz beside the model; the next save to that folder removes it (and
    keeps a temporary file of a save still running in another process)."""
    from workshop import saving
    path = tmp_path / "models" / "model.npz"
    r = subprocess.run([sys.executable, "-c", KILLED_MID_SAVE, str(path)], cwd=ROOT, capture_output=True, timeout=60)
    assert r.returncode == -9, r.stderr
    (left,) = path.parent.glob(".model-*.npz")  # the fault is real: a hidden half-written file
    assert left.read_bytes() == b"PK half a model" and not path.exists()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = path.parent / f".model-{sleeper.pid}-abcdefgh.npz"  # another process's save, under way
        running.write_bytes(b"PK being written")
        saving.save_npz([np.ones(2)], path, {"model": "linear"})
        assert sorted(p.name for p in path.parent.iterdir()) == [running.name, "model.npz"]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_two_resumes_of_one_run_at_once_the_second_refuses(tmp_path, capsys):
    """The process continuing a run holds a lock on its folder (flock: the kernel lets go when it dies); a second
    --resume of the same run, meanwhile, refuses in one line instead of training into the same folder."""
    from test_resume import killed_at

    from workshop.config import RunOptions, TrainConfig
    from workshop.training import rundir
    logs = tmp_path / "logs"
    config = TrainConfig(model="mlp", api="numpy", epochs=100000, max_examples=64, hidden=(4,))
    run_dir = killed_at(2, config, RunOptions(experiment="t", logdir=str(logs), verbose=0))
    args = ["train", "mlp", "--api", "numpy", "--epochs", "100000", "--max-examples", "64", "--hidden", "4",
            "--experiment", "t", "--logdir", str(logs), "--resume"]
    first = subprocess.Popen([sys.executable, "-m", "workshop", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while rundir.holder(run_dir) is None:
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        line = assert_one_line_error(run_main(capsys, *args), 2)  # the second, here: refused before it trains
        assert line == (f"workshop: error: another process (pid {first.pid}) is continuing the run {run_dir} right "
                        "now; wait for it to end, or stop it, before resuming it again"), line
        assert first.poll() is None  # the first goes on
        with pytest.raises(Exception, match=f"pid {first.pid}"):  # two that chose it at the same moment: the lock
            rundir.claim(run_dir, resumed=True)
    finally:
        first.kill()
        first.wait()
    assert rundir.holder(run_dir) is None  # the kernel let the lock go with the process


def test_runs_skips_an_unreadable_event_file_and_prints_no_start_up_lines(tmp_path):
    from workshop.config import RunOptions, TrainConfig
    from workshop.training.train import train
    logs = tmp_path / "logs"
    train(TrainConfig(model="linear", api="numpy", epochs=2), RunOptions(logdir=str(logs), verbose=0))
    bad = logs / "train" / "linear-numpy-line-20260101-000000"
    (bad / "train").mkdir(parents=True)
    (bad / "train" / "events.out.tfevents.1767225600.host.1.v2").write_bytes(os.urandom(300))  # garbage
    r = run_cli("runs", "--logdir", logs, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [f"workshop: note: skipped {bad}: its event file "
                                     "train/events.out.tfevents.1767225600.host.1.v2 cannot be read (not "
                                     "TensorBoard's, or damaged)"], r.stderr  # and no TensorFlow start-up line
    rows = r.stdout.strip().splitlines()[1:]
    assert len(rows) == 1 and "linear" in rows[0] and "20260101" not in r.stdout, r.stdout
