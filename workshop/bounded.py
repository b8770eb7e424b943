"""Reading archives within bounds: a zip's entries and a .npy's header are checked before anything is
decompressed or allocated, so a small file cannot make a reader take gigabytes (a zip bomb, or a .npy
header that declares a trillion elements: NumPy allocates what the header says before it reads a byte).

    check_entries(z, caps, default)   every entry's declared size against its cap
    read_entry(z, name, cap)          an entry's bytes, never more than cap (Python's zipfile stops
                                      decompressing at the size an entry declares)
    npy_header(z, name)               (shape, dtype, bytes) of a .npy entry, from its header alone; the
                                      data must fit in the entry, so loading it allocates at most that

No TensorFlow, no Keras here. Errors are TooLarge (a ValueError): the callers say which file, in one line.
"""

import zipfile

import numpy as np

KB, MB = 1 << 10, 1 << 20


class TooLarge(ValueError):
    """An entry larger than it may be, or a header that does not fit its data; the message says which."""


def size(n: int) -> str:
    """A byte count as a person reads it: 1,536 bytes, 2.0 MB, 954.0 GB."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000


def check_entries(z: zipfile.ZipFile, caps: dict, default: int | None) -> None:
    """Every entry of `z` declares at most caps[its name] bytes (default for the others; None: the others
    are refused). Reading an entry never yields more than it declares, so this bounds what is read."""
    total = 0
    for info in z.infolist():
        cap = caps.get(info.filename, default)
        if cap is None:
            raise TooLarge(f"it holds an entry no such file has ({info.filename!r})")
        if info.file_size > cap:
            raise TooLarge(f"its entry {info.filename} would decompress to {size(info.file_size)}, where at most "
                           f"{size(cap)} belongs (a zip bomb?)")
        total += info.file_size
    if len(z.infolist()) > 10_000:
        raise TooLarge(f"it holds {len(z.infolist()):,} entries")


def read_entry(z: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """The bytes of entry `name`, refused (TooLarge) if it declares more than `cap`; KeyError if absent."""
    info = z.getinfo(name)
    if info.file_size > cap:
        raise TooLarge(f"its entry {name} would decompress to {size(info.file_size)}, where at most {size(cap)} "
                       "belongs (a zip bomb?)")
    with z.open(info) as f:
        return f.read(cap + 1)[:cap]


def npy_header(z: zipfile.ZipFile, name: str) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, bytes of data) of the .npy entry `name` (KeyError if absent), from its header; TooLarge
    if the data it declares does not fit in the entry (NumPy would allocate it all before finding out)."""
    info = z.getinfo(name)
    with z.open(info) as f:
        version = np.lib.format.read_magic(f)
        read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read is None:
            raise ValueError(f"{name}: .npy format version {version} is not one NumPy writes here")
        shape, _, dtype = read(f, max_header_size=10_000)
    if dtype.hasobject:
        raise ValueError(f"{name} holds Python objects (pickles), which are never loaded")
    count = 1
    for d in shape:
        count *= int(d)
    nbytes = count * dtype.itemsize
    if nbytes > info.file_size:
        raise TooLarge(f"its entry {name} declares {shape} {dtype} ({size(nbytes)}) in {size(info.file_size)}")
    return tuple(int(d) for d in shape), dtype, nbytes
