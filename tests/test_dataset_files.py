"""Dataset files are judged by their content, the same way by `train`, `datasets list` and `doctor`.

Most tests hand-place a small Fashion-MNIST (40 + 10 images) at its real path, datasets/fashion-mnist/,
with the catalog overridden in-process to those sizes and content hashes; the CLI tests use the real
catalog and full-size IDX headers.
"""

import gzip
import hashlib
import json
import re
import struct
from dataclasses import replace

import numpy as np
import pytest

from workshop.checks import check_datasets
from workshop.cli import main
from workshop.data import DATASETS, files, load, status
from workshop.errors import WorkshopError
from tests.conftest import assert_one_line_error, run_cli

CLOSED_PORT = "http://127.0.0.1:9/"  # any download attempt fails at once


def _idx(arr) -> bytes:
    """An uncompressed IDX file: 0, 0, 0x08 (uint8), ndim, the dimensions, the bytes."""
    return struct.pack(f">I{arr.ndim}I", 0x800 + arr.ndim, *arr.shape) + arr.astype(np.uint8).tobytes()


@pytest.fixture
def fashion(tmp_path, monkeypatch):
    """A small, valid Fashion-MNIST at datasets/fashion-mnist/ (the catalog overridden to match);
    returns {file name: its decompressed IDX bytes}."""
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (40, 28, 28)), "y_train": np.arange(40) % 10,
              "x_test": rng.integers(0, 256, (10, 28, 28)), "y_test": np.arange(10) % 10}
    folder = tmp_path / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    info, content, catalog = DATASETS["fashion_mnist"], {}, []
    for f in info.files:
        (name, _), = f.arrays
        content[f.name] = _idx(arrays[name])
        (folder / f.name).write_bytes(gzip.compress(content[f.name], mtime=0))
        catalog.append(replace(f, arrays=((name, arrays[name].shape),),
                               sha256=hashlib.sha256(content[f.name]).hexdigest()))
    monkeypatch.setitem(DATASETS, "fashion_mnist", replace(info, files=tuple(catalog)))
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", CLOSED_PORT)
    return content


def _views(capsys, tmp_path):
    """What `datasets list` and `doctor` say about fashion_mnist."""
    assert main(["datasets", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("fashion_mnist"))
    doctor = {name: (state, detail) for state, name, detail in check_datasets(tmp_path / "datasets")}
    return row, doctor["dataset fashion_mnist"]


def test_a_copy_gzipped_by_another_tool_is_accepted_by_list_doctor_and_train(fashion, tmp_path, capsys):
    folder = tmp_path / "datasets" / "fashion-mnist"
    path = folder / "train-images-idx3-ubyte.gz"
    before = path.read_bytes()
    with open(path, "wb") as out, gzip.GzipFile("copied-from-usb", "wb", compresslevel=1, fileobj=out,
                                                mtime=1234567890) as gz:  # another name, time and level
        gz.write(fashion[path.name])
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(fashion["t10k-labels-idx1-ubyte.gz"])  # not even gzip'd
    assert path.read_bytes() != before

    row, (state, detail) = _views(capsys, tmp_path)
    assert " yes " in row and state == "OK" and detail == "cached"
    assert main(["train", "mlp", "--api", "numpy", "--dataset", "fashion_mnist", "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["dataset"] == "fashion_mnist"


def test_a_truncated_file_is_refused_by_name_by_list_doctor_and_train(fashion, tmp_path, capsys):
    path = tmp_path / "datasets" / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    # the header and 12 of the 40 images, gzip'd whole: the IDX is short, not the gzip
    path.write_bytes(gzip.compress(fashion[path.name][:16 + 12 * 784]))
    problem = "is truncated (header says 40 images, the file holds 12)"
    row, (state, detail) = _views(capsys, tmp_path)
    assert f"no: {path} {problem}" in row
    assert state == "WARN" and detail.startswith(f"{path} {problem}: copy a good file there by hand")

    cut = gzip.compress(fashion[path.name])[:5000]  # the gzip stream itself cut short
    path.write_bytes(cut)
    problem = "is truncated (header says 40 images, the file holds 6)"
    row, (state, detail) = _views(capsys, tmp_path)
    assert f"no: {path} {problem}" in row and state == "WARN" and problem in detail
    with pytest.raises(WorkshopError) as refused:
        load("fashion_mnist")
    message = str(refused.value)
    assert message.startswith(f"{path} {problem}, and downloading it failed (") and "\n" not in message
    assert "copy a good file there by hand" in message and "workshop datasets fetch fashion_mnist` where there is internet" in message
    assert path.read_bytes() == cut and not list(path.parent.glob("*.part"))  # left as it was


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


@pytest.mark.parametrize("name, damage, problem", [
    ("train-images-idx3-ubyte.gz", lambda idx: _flip(gzip.compress(idx), 5000), "is damaged (gzip: "),
    ("train-images-idx3-ubyte.gz", lambda idx: gzip.compress(_flip(idx, 20000)),
     "holds other data than fashion_mnist's (the sha256 of its decompressed content does not match)"),
    ("train-labels-idx1-ubyte.gz", lambda idx: gzip.compress(idx[:-1] + b"\x0c"),
     "has a label 12 in y_train, but fashion_mnist's classes are 0 to 9"),
    ("t10k-images-idx3-ubyte.gz", lambda idx: gzip.compress(_idx(np.zeros(10))), "holds 10 labels, not 10 images of 28x28"),
    ("t10k-labels-idx1-ubyte.gz", lambda idx: b"<html>404 Not Found</html>", "is not an IDX file of bytes"),
    ("t10k-labels-idx1-ubyte.gz", lambda idx: gzip.compress(idx + b"\0"), "is damaged (it holds more than its header says)"),
    ("t10k-labels-idx1-ubyte.gz", lambda idx: b"", "is empty"),
])
def test_corrupt_content_is_refused_by_name(fashion, tmp_path, name, damage, problem):
    path = tmp_path / "datasets" / "fashion-mnist" / name
    path.write_bytes(damage(fashion[name]))
    assert status("fashion_mnist", tmp_path / "datasets").startswith(f"{path} {problem}")
    with pytest.raises(WorkshopError, match=re.escape(f"{path} {problem}")):
        load("fashion_mnist")


def test_the_memo_answers_list_until_the_file_changes(fashion, tmp_path, monkeypatch):
    data_dir = tmp_path / "datasets"
    assert status("fashion_mnist", data_dir) == "cached"  # checked once, remembered
    assert set(json.loads((data_dir / files.MEMO).read_text())) == {f"fashion-mnist/{n}" for n in fashion}

    def no_reading(*_):
        raise AssertionError("the memo should have answered")
    with monkeypatch.context() as m:
        m.setattr(files, "read", no_reading)
        assert status("fashion_mnist", data_dir) == "cached"

    path = data_dir / "fashion-mnist" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-8])  # a copy over it: another size and time
    assert status("fashion_mnist", data_dir).endswith("t10k-images-idx3-ubyte.gz is truncated (its gzip data stops before the end)")


def test_a_good_download_replaces_a_bad_file_and_a_bad_one_never_does(fashion, tmp_path, monkeypatch, capsys):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", mirror.as_uri())
    path = tmp_path / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b\x08")  # a gzip header's first bytes, then nothing
    (mirror / path.name).write_bytes(gzip.compress(fashion[path.name][:-3]))  # the mirror's copy is bad too
    with pytest.raises(WorkshopError, match=r"is truncated \(it ends inside the IDX header\), and downloading it "
                                            r"failed \(the copy from file://.* is truncated \(header says 10 labels"):
        load("fashion_mnist")
    assert path.read_bytes() == b"\x1f\x8b\x08" and not list(path.parent.glob("*.part"))

    (mirror / path.name).write_bytes(gzip.compress(fashion[path.name]))
    assert load("fashion_mnist").sizes() == (36, 4, 10)
    assert "downloading file://" in capsys.readouterr().out
    assert gzip.decompress(path.read_bytes()) == fashion[path.name]


@pytest.fixture
def mnist_arrays(tmp_path, monkeypatch):
    """A small mnist catalog entry whose file hash no file has: only the arrays can vouch for it."""
    info = DATASETS["mnist"]
    shapes = (("x_train", (30, 28, 28)), ("y_train", (30,)), ("x_test", (10, 28, 28)), ("y_test", (10,)))
    monkeypatch.setitem(DATASETS, "mnist", replace(info, files=(replace(info.files[0], arrays=shapes, sha256="0" * 64),)))
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", CLOSED_PORT)
    rng = np.random.default_rng(2)
    return {name: (rng.integers(0, 256, shape) if name[0] == "x" else np.arange(shape[0]) % 10).astype(np.uint8)
            for name, shape in shapes}


def test_a_re_zipped_mnist_npz_is_checked_by_its_arrays(mnist_arrays, tmp_path):
    data_dir = tmp_path / "datasets"
    data_dir.mkdir()
    np.savez(data_dir / "mnist.npz", **mnist_arrays)  # stored, where Keras's is deflated
    assert status("mnist", data_dir) == "cached" and load("mnist").sizes() == (27, 3, 10)

    np.savez_compressed(data_dir / "mnist.npz", **{**mnist_arrays, "y_test": mnist_arrays["y_test"].astype(np.int64)})
    assert status("mnist", data_dir) == f"{data_dir / 'mnist.npz'} holds y_test as int64 (10,), not uint8 (10,)"
    (data_dir / "mnist.npz").write_bytes((data_dir / "mnist.npz").read_bytes()[:3000])
    with pytest.raises(WorkshopError, match=r"mnist\.npz is truncated or damaged \(not a readable \.npz: "):
        load("mnist")


def _full_size_header_file(path, shape, held):
    """A real-size IDX header over `held` zero images: quick to write, truncated to any reader."""
    header = struct.pack(f">I{len(shape)}I", 0x800 + len(shape), *shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(header + bytes(held * int(np.prod(shape[1:]))), compresslevel=1))


def test_cli_names_a_bad_file_at_the_real_path_in_one_line(tmp_path):
    """The real catalog: list, doctor and fetch (train's loader, without TensorFlow) agree."""
    folder = tmp_path / "datasets" / "fashion-mnist"
    _full_size_header_file(folder / "train-images-idx3-ubyte.gz", (60000, 28, 28), held=1234)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(np.zeros((10000, 28, 28))), compresslevel=1))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    problem = "train-images-idx3-ubyte.gz is truncated (header says 60000 images, the file holds 1234)"

    listed = run_cli("datasets", "list")
    assert listed.returncode == 0 and problem in listed.stdout
    (state, _, detail), = [row for row in check_datasets(tmp_path / "datasets") if row[1] == "dataset fashion_mnist"]
    assert state == "WARN" and problem in detail
    fetched = run_cli("datasets", "fetch", "fashion_mnist", env={"WORKSHOP_DATASETS_MIRROR": CLOSED_PORT})
    line = assert_one_line_error(fetched)
    assert problem in line and "copy a good file there by hand" in line
    assert re.search(r"run `\S*workshop datasets fetch fashion_mnist` where there is internet", line), line
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing replaced, nothing left behind

    # full size and well formed, but not Fashion-MNIST's images: only the content hash can tell
    assert files.problem(tmp_path / "datasets", DATASETS["fashion_mnist"].files[2], DATASETS["fashion_mnist"]) == (
        "holds other data than fashion_mnist's (the sha256 of its decompressed content does not match)")
