"""What datasets exist, what they look like and which files they need. No TensorFlow here.

This table is read by `workshop datasets list` (which must answer instantly) and by
the loaders. The sha256 of each downloadable file is checked before it is used, so
a truncated copy from a USB stick is caught by name instead of training on garbage.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

# Both Keras datasets come from Keras's own bucket; WORKSHOP_DATASETS_MIRROR points
# a classroom at a local copy instead (any URL prefix that holds the same files).
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset, relative to the data dir: `datasets/<subdir>/<name>`."""

    name: str
    subdir: str
    sha256: str


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    description: str
    shape: tuple[int, ...]  # one example, e.g. (8, 8, 1); () for tabular toy sets
    classes: int  # 0 for regression
    train: int  # examples in the train split (after validation was carved out)
    val: int
    test: int
    files: tuple[DataFile, ...] = ()  # empty: embedded, always available offline


# The validation split is carved from the training part: this fraction of it,
# always with the same split seed, so every run and level sees the same split.
VAL_FRACTION = 0.1
# digits ships as one pool of 1,797 images: this fraction becomes the test split.
DIGITS_TEST_FRACTION = 0.2
SPLIT_SEED = 1234

DATASETS = {
    "digits": DatasetInfo(
        "digits", "8x8 handwritten digits bundled with scikit-learn (embedded, offline)",
        (8, 8, 1), 10, train=1294, val=144, test=359),
    "mnist": DatasetInfo(
        "mnist", "28x28 handwritten digits, the classic (Keras download, 11 MB)",
        (28, 28, 1), 10, train=54000, val=6000, test=10000,
        files=(DataFile("mnist.npz", "", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),)),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist", "28x28 clothing images, 10 kinds (Keras download, 30 MB)",
        (28, 28, 1), 10, train=54000, val=6000, test=10000,
        files=(
            DataFile("train-images-idx3-ubyte.gz", "fashion-mnist",
                     "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
            DataFile("train-labels-idx1-ubyte.gz", "fashion-mnist",
                     "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
            DataFile("t10k-images-idx3-ubyte.gz", "fashion-mnist",
                     "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
            DataFile("t10k-labels-idx1-ubyte.gz", "fashion-mnist",
                     "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"),
        )),
    "line": DatasetInfo(
        "line", "30 noisy points on y = a*x + b, seeded (linear regression)",
        (1,), 0, train=30, val=10, test=10),
}

def origin() -> str:
    return os.environ.get("WORKSHOP_DATASETS_MIRROR", KERAS_ORIGIN).rstrip("/") + "/"


def file_path(data_dir: Path, f: DataFile) -> Path:
    return data_dir / f.subdir / f.name if f.subdir else data_dir / f.name


def display_path(data_dir: Path, f: DataFile) -> str:
    """The path as a user should read it: relative to the working directory when it can be."""
    p = file_path(data_dir, f)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def status(name: str, data_dir: Path) -> str:
    """'embedded', 'cached' or 'missing N of M files', from the file names alone (the sha256 is
    checked when a file is loaded, in downloads.py)."""
    info = DATASETS[name]
    if not info.files:
        return "embedded"
    missing = [f for f in info.files if not file_path(data_dir, f).is_file()]
    if missing:
        return f"missing {len(missing)} of {len(info.files)} files"
    return "cached"
