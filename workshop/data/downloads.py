"""`mnist` and `fashion_mnist`: Keras's own download machinery, cached under datasets/.

Order of business for every file: present -> verify its sha256 and use it (offline,
e.g. copied from a USB stick); absent -> `keras.utils.get_file` into the data dir;
no network -> one line saying which file is missing, where to put it, where to get it.
"""

import gzip
import struct
import zipfile
from pathlib import Path

import numpy as np

from workshop.data.catalog import DATASETS, DataFile, display_path, file_path, origin, sha256
from workshop.data.splits import Splits, from_train_test
from workshop.errors import WorkshopError

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _verify(path: Path, f: DataFile, data_dir: Path) -> None:
    if sha256(path) != f.sha256:
        raise WorkshopError(
            f"{display_path(data_dir, f)} is corrupt or truncated (its sha256 does not match): "
            f"delete it and run `workshop datasets fetch`, or copy a complete one from {origin()}{f.name}")


def _download(f: DataFile, data_dir: Path) -> None:
    from workshop.tf_env import keras  # TensorFlow: only when a file really has to be fetched

    url = origin() + f.name
    try:
        # Keras >= 3.6 refuses a folder inside fname: the folder goes in cache_dir/cache_subdir.
        keras.utils.get_file(fname=f.name, origin=url, file_hash=f.sha256,
                             cache_dir=str(data_dir), cache_subdir=f.subdir)
    except Exception as e:  # urllib, socket and Keras's own errors all mean "not fetched"
        # Keras wraps urllib's error as "URL fetch failure on URL: code -- reason": keep the reason.
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0].split(" -- ")[-1][:100]
        raise WorkshopError(
            f"{display_path(data_dir, f)} is missing and could not be downloaded ({reason}); "
            f"copy it there by hand (get it from {url}) or set WORKSHOP_DATASETS_MIRROR") from None


def ensure_files(name: str, data_dir: Path) -> list[Path]:
    """The dataset's files, verified; downloads the missing ones. Raises WorkshopError."""
    paths = []
    for f in DATASETS[name].files:
        path = file_path(data_dir, f)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _download(f, data_dir)
        _verify(path, f, data_dir)
        paths.append(path)
    return paths


def load_mnist(data_dir: Path) -> Splits:
    """60,000 train (54,000 + 6,000 validation) and 10,000 test 28x28 digits."""
    (path,) = ensure_files("mnist", data_dir)
    try:
        with np.load(path, allow_pickle=False) as npz:
            x_train, y_train, x_test, y_test = (npz[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as e:
        raise WorkshopError(f"{path} cannot be read as mnist.npz ({e}): delete it and fetch it again") from None
    return from_train_test("mnist", x_train, y_train, x_test, y_test, 10,
                           tuple(str(d) for d in range(10)), version=f"mnist.npz/{DATASETS['mnist'].files[0].sha256[:12]}")


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip'd, as Yann LeCun's MNIST and Fashion-MNIST ship) as a uint8 array."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
        magic, = struct.unpack(">I", raw[:4])
        if magic not in (2049, 2051):
            raise ValueError(f"magic number {magic} is not 2049 (labels) or 2051 (images)")
        ndim = magic - 2048
        dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
        body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
        if body.size != int(np.prod(dims)):
            raise ValueError(f"{body.size} bytes of data where the header promises {int(np.prod(dims))}")
        return body.reshape(dims)
    except (OSError, EOFError, ValueError, struct.error) as e:
        raise WorkshopError(f"{path} is corrupt or truncated ({e}): delete it and fetch it again") from None


def load_fashion_mnist(data_dir: Path) -> Splits:
    """60,000 train (54,000 + 6,000 validation) and 10,000 test 28x28 clothing images."""
    paths = {p.name: p for p in ensure_files("fashion_mnist", data_dir)}
    x_train = read_idx(paths["train-images-idx3-ubyte.gz"])
    y_train = read_idx(paths["train-labels-idx1-ubyte.gz"])
    x_test = read_idx(paths["t10k-images-idx3-ubyte.gz"])
    y_test = read_idx(paths["t10k-labels-idx1-ubyte.gz"])
    return from_train_test("fashion_mnist", x_train, y_train, x_test, y_test, 10, FASHION_CLASSES,
                           version=f"fashion-mnist/{DATASETS['fashion_mnist'].files[0].sha256[:12]}")
