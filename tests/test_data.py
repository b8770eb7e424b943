"""Datasets: shapes, dtypes, ranges, disjoint splits, and the offline behaviour of the downloads
(the checks of hand-placed files: test_dataset_files.py)."""

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from workshop.config import TrainConfig
from workshop.data import DATASETS, load, make_dataset, status
from workshop.errors import UsageError, WorkshopError
from tests.conftest import run_cli


def _rows(x):
    return {r.tobytes() for r in x.reshape(len(x), -1)}


def test_digits_splits_shapes_ranges_and_disjoint():
    s = load("digits")
    assert s.sizes() == (DATASETS["digits"].train, DATASETS["digits"].val, DATASETS["digits"].test)
    assert sum(s.sizes()) == 1797
    for x, y in [(s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)]:
        assert x.dtype == np.float32 and x.shape[1:] == (8, 8, 1)
        assert 0.0 <= x.min() and x.max() <= 1.0
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))  # stratified: every class everywhere
    # no image is in two splits (digits has a few exact duplicates in the raw set; compare indices via rows)
    train, val, test = _rows(s.x_train), _rows(s.x_val), _rows(s.x_test)
    assert len(val & test) <= 2 and len(train & test) <= 5
    assert s.version and s.class_names[3] == "3"


def test_digits_split_is_stable_across_calls():
    a, b = load("digits"), load("digits")
    np.testing.assert_array_equal(a.y_test, b.y_test)
    np.testing.assert_array_equal(a.x_val, b.x_val)


def test_line_is_seeded_and_returns_truth():
    a, b, c = load("line", seed=3), load("line", seed=3), load("line", seed=4)
    assert a.x_train.shape == (30, 1) and a.y_train.shape == (30, 1) and a.x_train.dtype == np.float32
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert (a.extra["a"], a.extra["b"]) != (c.extra["a"], c.extra["b"])
    # the points really lie near y = a x + b
    resid = a.y_train - (a.extra["a"] * a.x_train + a.extra["b"])
    assert np.abs(resid).max() < 0.5 and abs(resid.mean()) < 0.1


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(UsageError, match="digits, digits60k, mnist5k, mnist, fashion_mnist, line"):
        load("cifar")


def test_tf_data_pipeline_reads_the_numpy_orders_epoch_by_epoch():
    from workshop.data.pipeline import epoch_orders
    s = load("digits")
    orders = epoch_orders(len(s.x_train), epochs=2, seed=7)
    np.testing.assert_array_equal(orders, epoch_orders(len(s.x_train), epochs=2, seed=7))  # same seed, same order
    assert not np.array_equal(orders[0], orders[1])  # reshuffled each epoch
    assert sorted(orders[1]) == list(range(len(s.x_train)))
    train_ds = make_dataset(s.x_train, s.y_train, batch_size=100, orders=orders)
    epochs = [list(train_ds), list(train_ds)]  # each pass is the next epoch, as shuffle() reshuffles per pass
    assert [len(y) for _, y in epochs[0]] == [len(y) for _, y in epochs[1]] == [100] * 12 + [94]
    for epoch, batches in enumerate(epochs):
        np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), s.y_train[orders[epoch]])
    x, _ = epochs[0][0]
    np.testing.assert_array_equal(x.numpy(), s.x_train[orders[0, :100]])
    assert x.shape == (100, 8, 8, 1) and x.dtype.name == "float32" and len(train_ds) == 13
    in_order = list(make_dataset(s.x_val, s.y_val, batch_size=100))  # validation: one pass, in order
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in in_order]), s.y_val)
    # no autotuning thread: deleting an iterator (every `fit` epoch) would wait out its sleep
    for ds in (train_ds, make_dataset(s.x_val, s.y_val, batch_size=100)):
        assert ds.options().autotune.enabled is False


def test_a_resumed_run_reads_the_epochs_left():
    from workshop.data.pipeline import epoch_orders, train_val_datasets
    from workshop.training.prepare import prepare
    cfg = TrainConfig.tiny(epochs=3).resolved()  # 256 examples in batches of 32: 8 an epoch
    data = prepare(cfg)
    resumed, _ = train_val_datasets(data, cfg, first_epoch=1)
    orders = epoch_orders(len(data.x_train), cfg.epochs, cfg.seed)
    for epoch in (1, 2):
        np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in resumed]), data.y_train[orders[epoch]])


def _fake_mnist(path, n_train=50, n_test=20):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             y_train=np.arange(n_train) % 10, x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             y_test=np.arange(n_test) % 10)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hand_placed_mnist_is_used_offline(tmp_path, monkeypatch):
    data_dir = tmp_path / "usb"
    data_dir.mkdir()
    digest = _fake_mnist(data_dir / "mnist.npz")
    info = DATASETS["mnist"]
    monkeypatch.setitem(DATASETS, "mnist", replace(info, files=(replace(info.files[0], sha256=digest),)))
    # any network attempt would fail loudly: the mirror points at a closed port
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", "http://127.0.0.1:9/")
    s = load("mnist", data_dir)
    assert s.x_train.shape == (45, 28, 28, 1) and s.x_val.shape == (5, 28, 28, 1) and s.x_test.shape == (20, 28, 28, 1)
    assert s.x_train.dtype == np.float32 and s.x_train.max() <= 1.0
    assert status("mnist", data_dir) == "cached"


def test_corrupt_mnist_is_named_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATASETS_MIRROR", "http://127.0.0.1:9/")
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(WorkshopError, match=r"mnist\.npz is truncated or damaged \(not a readable \.npz"):
        load("mnist", tmp_path)


def test_missing_file_without_network_is_one_clear_line(tmp_path):
    r = run_cli("datasets", "fetch", "mnist", "--data-dir", str(tmp_path),
                env={"WORKSHOP_DATASETS_MIRROR": "http://127.0.0.1:9/"})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    err = [line for line in r.stderr.splitlines() if line.startswith("workshop: error:")]
    assert len(err) == 1
    assert "mnist.npz is missing, and downloading it failed (" in err[0] and "http://127.0.0.1:9/mnist.npz" in err[0]
    assert "copy a good file there by hand" in err[0] and "where there is internet" in err[0]
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_data_dir_env_var_moves_the_cache(tmp_path, monkeypatch):
    from workshop.paths import data_dir
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "x"))
    assert data_dir() == tmp_path / "x"
    assert data_dir(tmp_path / "y") == tmp_path / "y"  # the flag wins
