"""`mnist` and `fashion_mnist`: their files under datasets/, downloaded when missing or bad.

Order of business for every file: there and passing the check (files.py) -> use it, offline
(e.g. copied from a USB stick, whatever tool compressed it); missing or bad -> download it from
Keras's bucket (or WORKSHOP_DATASETS_MIRROR), and put the copy in place only if it passes the same
check; no network -> one line saying which file, what is wrong, and the ways out.
Downloading is plain urllib: no TensorFlow to import just to find there is no network.
"""

import http.client
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from workshop.data.catalog import DATASETS, DataFile, DatasetInfo, display_path, file_path, origin
from workshop.data.files import BadFile, load_file, max_bytes, read, remedy
from workshop.data.splits import Splits, from_train_test
from workshop.errors import WorkshopError

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _copy_at_most(response, out, limit: int) -> None:
    """Copy the response into `out`, stopping with BadFile once it passes `limit` bytes (what a good copy
    can be, files.max_bytes): a server that sends more, or never stops, fills neither memory nor disk."""
    declared = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadFile(f"is {int(declared):,} bytes, more than the {limit:,} a good copy can be; not downloaded")
    copied = 0
    while chunk := response.read(min(1 << 20, limit + 1 - copied)):
        copied += len(chunk)
        if copied > limit:
            raise BadFile(f"went on past the {limit:,} bytes a good copy can be; the download was stopped there")
        out.write(chunk)


def _download(f: DataFile, info: DatasetInfo, data_dir: Path, problem: str) -> None:
    """Fetch `f` next to where it goes and move it there only once it passes `read`; `problem` is
    what is wrong with the file there now (MISSING, or e.g. "is truncated (...)")."""
    url = origin() + f.name
    path = file_path(data_dir, f)
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            print(f"downloading {url}", flush=True)
            _copy_at_most(response, out, max_bytes(f))
        read(part, f, info)
        os.replace(part, path)
    except (OSError, ValueError, http.client.HTTPException, BadFile) as e:
        # urllib's URLError wraps the socket's reason ("[Errno 111] Connection refused")
        reason = (f"the copy from {url} {e.problem}" if isinstance(e, BadFile)
                  else str(e) if isinstance(e, urllib.error.HTTPError) else str(getattr(e, "reason", e)))
        raise WorkshopError(f"{display_path(data_dir, f)} {problem}, and downloading it failed ({reason}): "
                            f"{remedy(info.name, url)}") from None
    finally:
        part.unlink(missing_ok=True)


def load_arrays(name: str, data_dir: Path) -> dict[str, np.ndarray]:
    """Every array of dataset `name`'s files (x_train, y_train, x_test, y_test), each file checked;
    a missing or bad one is downloaded first. Raises WorkshopError, one line."""
    info = DATASETS[name]
    arrays = {}
    for f in info.files:
        try:
            arrays.update(load_file(data_dir, f, info))
        except BadFile as bad:
            _download(f, info, data_dir, bad.problem)
            arrays.update(load_file(data_dir, f, info))
    return arrays


def load_mnist(data_dir: Path) -> Splits:
    """60,000 train (54,000 + 6,000 validation) and 10,000 test 28x28 digits."""
    a = load_arrays("mnist", data_dir)
    return from_train_test("mnist", a["x_train"], a["y_train"], a["x_test"], a["y_test"], 10,
                           tuple(str(d) for d in range(10)), version=f"mnist.npz/{DATASETS['mnist'].files[0].sha256[:12]}")


def load_fashion_mnist(data_dir: Path) -> Splits:
    """60,000 train (54,000 + 6,000 validation) and 10,000 test 28x28 clothing images."""
    a = load_arrays("fashion_mnist", data_dir)
    return from_train_test("fashion_mnist", a["x_train"], a["y_train"], a["x_test"], a["y_test"], 10, FASHION_CLASSES,
                           version=f"fashion-mnist/{DATASETS['fashion_mnist'].files[0].sha256[:12]}")

