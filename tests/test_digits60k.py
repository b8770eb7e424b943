"""digits60k: MNIST's shapes and counts made from the 1,797 digits, offline and deterministic; each
split augmented from its own source digits only; cached atomically, generated again when the cache is bad.

One test generates the full dataset (a few seconds); the others generate a few hundred images.
"""

import math
import time
from dataclasses import replace

import numpy as np
import pytest

from workshop.algorithms import ALGORITHMS
from workshop.checks import check_datasets
from workshop.cli import main
from workshop.data import DATASETS, digits60k, load
from workshop.data.digits import raw_digits, split_indices
from workshop.data.digits60k import SPLITS, generate, load_digits60k, read_cache, source_order, write_cache

SMALL = (300, 60, 100)
# generate((30, 10, 10))'s sha256: the same bytes on every machine with requirements.txt's NumPy
PINNED = "555bf7972d72f9bb31159c2df2b6a62a4d70b0cc02a4c8a357389ea5fb95984e"


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The full dataset, generated once into a folder of its own: (folder, splits, seconds)."""
    folder = tmp_path_factory.mktemp("digits60k")
    began = time.perf_counter()
    splits = load_digits60k(folder)
    return folder, splits, time.perf_counter() - began


@pytest.fixture
def small(monkeypatch):
    """The catalog shrunk to SMALL, as `load` and the CLI read it."""
    info = DATASETS["digits60k"]
    monkeypatch.setitem(DATASETS, "digits60k", replace(info, train=SMALL[0], val=SMALL[1], test=SMALL[2]))


def _centres(x):
    """(n, 2): each image's centre of mass, (row, column)."""
    rows, cols = x[..., 0].sum(axis=2, dtype=np.float64), x[..., 0].sum(axis=1, dtype=np.float64)
    at = np.arange(x.shape[1])
    return np.stack([rows @ at, cols @ at], axis=1) / rows.sum(axis=1, keepdims=True)


def test_full_size_shapes_values_and_placement(full):
    folder, s, seconds = full
    info = DATASETS["digits60k"]
    assert s.sizes() == (info.train, info.val, info.test) == (54000, 6000, 10000)
    assert s.input_shape == info.shape == (28, 28, 1) and s.classes == 10 and s.name == "digits60k"
    print(f"digits60k generated and cached in {seconds:.1f} s, "
          f"{(folder / info.cache).stat().st_size / 1e6:.1f} MB")  # pytest -s
    for x, y in [(s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)]:
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x.min() == 0.0 and x.max() == 1.0
        assert np.array_equal(np.rint(x[:1000] * 255) / 255, x[:1000])  # uint8 levels, like MNIST's
        assert set(np.unique(y)) == set(range(10))
        # MNIST-like: white digits on black, every image inked, none cut by the canvas's edge,
        # each centred on its centre of mass within the shift
        assert 0.1 < x.mean() < 0.2
        assert (x.reshape(len(x), -1).max(axis=1) == 1.0).all()
        edges = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1)
        assert (edges > 0).mean() < 1e-3
        offset = _centres(x) - 13.5
        assert np.abs(offset.mean(axis=0)).max() < 0.3
        assert np.quantile(np.abs(offset), 0.999) < digits60k.SHIFT + 1.5 and np.abs(offset).max() < 4


def test_the_cache_answers_the_second_load(full, monkeypatch):
    folder, first, _ = full
    monkeypatch.setattr(digits60k, "generate", lambda *a, **k: pytest.fail("the cache should have answered"))
    began = time.perf_counter()
    again = load_digits60k(folder)
    print(f"digits60k read from its cache in {time.perf_counter() - began:.2f} s")
    assert again.version == first.version and again.version.startswith(digits60k.version())
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    assert [p.name for p in folder.iterdir()] == ["digits60k.npz"]  # no temporary file left


def test_classes_are_as_balanced_as_the_sources(full):
    _, s, _ = full
    labels = raw_digits()[1]
    for pool, y in zip(split_indices(labels), (s.y_train, s.y_val, s.y_test)):
        per_source = len(y) / len(pool)  # every source used floor or ceil of this many times
        sources = np.bincount(labels[pool], minlength=10)
        counts = np.bincount(y, minlength=10)
        assert (counts >= sources * math.floor(per_source)).all() and (counts <= sources * math.ceil(per_source)).all()


def test_source_order_uses_every_source_equally():
    rng = np.random.default_rng(0)
    order = source_order(7, 30, rng)
    assert order.shape == (30,) and sorted(set(np.bincount(order, minlength=7))) == [4, 5]
    assert len(set(source_order(7, 5, rng))) == 5 and len(source_order(7, 0, rng)) == 0
    assert not np.array_equal(order[:7], np.sort(order[:7]))  # shuffled, not source by source


def test_generation_is_deterministic_and_pinned():
    a, b = generate(SMALL), generate(SMALL)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(generate(SMALL, seed=1)["x_train"], a["x_train"])
    assert digits60k.TAN_HALF_ROTATION == pytest.approx(math.tan(math.radians(digits60k.ROTATION / 2)), abs=1e-16)
    assert str(generate((30, 10, 10))["sha256"]) == PINNED, (
        "digits60k's generator makes other bytes: bump VERSION in workshop/data/digits60k.py (so old caches "
        "are made again) and pin the new digest here")


def test_each_split_comes_from_its_own_source_digits():
    images, labels = raw_digits()
    pools = split_indices(labels)
    assert sum(map(len, pools)) == 1797 and len(np.unique(np.concatenate(pools))) == 1797  # disjoint, all
    digits = load("digits")  # the very split `digits` trains on
    for pool, x in zip(pools, (digits.x_train, digits.x_val, digits.x_test)):
        np.testing.assert_array_equal(images[pool], x[..., 0])
    a = generate(SMALL)
    for split, pool in zip(SPLITS, pools):
        assert np.isin(a[f"source_{split}"], pool).all()
        np.testing.assert_array_equal(a[f"y_{split}"], labels[a[f"source_{split}"]])


@pytest.mark.parametrize("kept", SPLITS)
def test_other_splits_sources_change_no_image_of_this_one(kept):
    images, labels = raw_digits()
    pools = dict(zip(SPLITS, split_indices(labels)))
    others = np.concatenate([pool for split, pool in pools.items() if split != kept])
    altered = images.copy()
    altered[others] = images[others][:, ::-1]  # every other split's digits upside down
    before, after = generate(SMALL), generate(SMALL, digits=(altered, labels))
    for split in SPLITS:
        same = np.array_equal(before[f"x_{split}"], after[f"x_{split}"])
        assert same == (split == kept), split  # the others did change: the alteration reached them


def test_it_is_learnable_from_training_to_validation():
    """A 1-nearest-neighbour classifier fit on 2,000 training images labels the validation split far above
    chance (10 %): the labels go with the images, across source digits the training split never saw."""
    a = generate((2000, 500, 0))
    x, v = (a[f"x_{split}"].reshape(-1, 784).astype(np.float32) / 255 for split in ("train", "val"))
    distances = (v * v).sum(1)[:, None] - 2 * v @ x.T + (x * x).sum(1)[None, :]
    accuracy = (a["y_train"][distances.argmin(axis=1)] == a["y_val"]).mean()
    assert accuracy > 0.75, accuracy


def _damage(path, how):
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    elif how == "flipped byte":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(bytes(raw))
    elif how == "empty":
        path.write_bytes(b"")
    else:
        with np.load(path) as npz:
            arrays = {name: npz[name] for name in npz.files}
        if how == "another version":
            arrays["version"] = np.array("digits60k-v0/seed-60000/300-60-100")
        elif how == "float images":
            arrays["x_val"] = arrays["x_val"].astype(np.float32)
        elif how == "another pixel":
            arrays["x_test"][0, 14, 14] ^= 1  # the version and shapes still right: only the sha256 can tell
        np.savez(path, **arrays)


@pytest.mark.parametrize("how, problem", [
    ("truncated", "is not a readable .npz"),
    ("flipped byte", "is not a readable .npz"),
    ("empty", "is not a readable .npz"),
    ("another version", "holds digits60k-v0/seed-60000/300-60-100, not digits60k-v2/seed-60000/300-60-100"),
    ("float images", "holds x_val as float32 (60, 28, 28), not uint8 (60, 28, 28)"),
    ("another pixel", "holds other images than it was written with (their sha256 does not match)"),
])
def test_a_bad_cache_is_generated_again(small, tmp_path, capsys, how, problem):
    good = load("digits60k", tmp_path)
    path = tmp_path / "digits60k.npz"
    capsys.readouterr()
    _damage(path, how)
    again = load("digits60k", tmp_path)
    err = capsys.readouterr().err
    assert f"{path} {problem}" in err and ": generating digits60k (460 images" in err, err
    np.testing.assert_array_equal(again.x_test, good.x_test)
    assert again.version == good.version
    read_cache(path, SMALL)  # written again, and good


def test_the_cache_is_written_whole_or_not_at_all(small, tmp_path, monkeypatch, capsys):
    path = tmp_path / "digits60k.npz"
    arrays = generate(SMALL)
    assert write_cache(path, arrays) and [p.name for p in tmp_path.iterdir()] == [path.name]
    before = path.read_bytes()

    def disk_full(member, array, **_):
        member.write(array.tobytes()[:1000])
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np.lib.format, "write_array", disk_full)
    assert write_cache(path, arrays) is False
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]  # as it was

    path.unlink()  # nothing cached and nowhere to write: the data still comes, and the user hears why
    s = load("digits60k", tmp_path)
    assert s.sizes() == SMALL and list(tmp_path.iterdir()) == []
    assert f"{path} could not be written: digits60k will be generated again next time" in capsys.readouterr().err


def test_list_doctor_path_and_fetch_treat_it_as_always_there(small, tmp_path, capsys):
    data_dir = tmp_path / "datasets"  # conftest points WORKSHOP_DATA_DIR here
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("digits60k "))
    assert row.split()[1:5] == ["28x28x1", "10", "300", "60"] and row.endswith("yes (generated)")
    assert "accuracy on it is not MNIST accuracy" in " ".join(out.split())
    assert ("OK", "dataset digits60k", "generated") in check_datasets(data_dir)
    assert main(["datasets", "path", "digits60k"]) == 0
    assert capsys.readouterr().out.strip() == str(data_dir / "digits60k.npz")
    assert main(["datasets", "fetch", "digits60k"]) == 0
    ready = "digits60k: ready offline (300 train / 60 val / 100 test, version digits60k-v2/"
    assert capsys.readouterr().out.startswith(ready)
    read_cache(data_dir / "digits60k.npz", SMALL)


def test_the_image_algorithms_train_on_it(small, capsys):
    import json
    for model in ("logistic", "mlp", "cnn"):
        assert "digits60k" in ALGORITHMS[model].datasets
    assert main(["train", "logistic", "--api", "numpy", "--dataset", "digits60k", "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["dataset"] == "digits60k" and summary["model"] == "logistic"
