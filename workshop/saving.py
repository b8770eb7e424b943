"""Saving and loading trained models, safely.

Every TensorFlow level saves the same `keras.Sequential` (its learned weights moved
into the keras-level model of its algorithm), so any saved model can be evaluated
and compared with its siblings. Inside the `.keras` zip we add `workshop.json`: what
was trained, on which data, by which level. A `.keras` file without it was not made
by this package and is refused; the rest is loaded with `safe_mode=True` only.
The numpy level saves `.npz` (arrays + the same metadata, no pickles).
Metadata edited or copied by hand is refused with one line: it must have every key
of the right type (`check_meta`), and the weights must have the shapes it describes.

Writes go to a temporary file first and are renamed into place at the end, so a
failed or interrupted save never damages a model that was there before.
"""

import errno
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from workshop import bounded, hints
from workshop.errors import WorkshopError

MARKER = "workshop.json"
MAX_META = bounded.MB  # bytes of metadata (workshop.json, the .npz's meta): ours take under 2 kB
# What else a .keras may hold, in bytes: Keras's own small JSON files; the weights are bounded by the
# model the metadata describes (`_weights_cap`), anything else is refused
KERAS_ENTRIES = {MARKER: MAX_META, "metadata.json": MAX_META, "config.json": 16 * bounded.MB}


def check_target(path, suffix: str) -> Path:
    """Fail now, with one line, if a model cannot be saved at `path` later: a wrong suffix, a folder,
    or a parent folder that cannot be created or written to."""
    path = Path(path)
    who = "a numpy-level or perceptron model" if suffix == ".npz" else "a TensorFlow-level model"
    if path.is_dir():
        raise WorkshopError(f"{path} is a folder; --save needs a file name, e.g. {path / ('model' + suffix)}")
    if path.suffix != suffix:
        raise WorkshopError(f"{path}: {who} saves to a {suffix} file; name it e.g. {path.stem}{suffix}")
    existing = path.parent
    while not existing.exists():  # the nearest folder that exists must let us create the rest
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise WorkshopError(f"cannot save to {path}: {existing} is not a writable folder; choose another --save path")
    return path


def _write_atomically(path, suffix: str, who: str, write, flag: str = "--save") -> Path:
    """Call write(tmp) on a fresh temporary file beside `path`, then rename it into place:
    a failed or interrupted write leaves whatever was at `path` untouched. flag: the option
    that chose `path`, named in the message when the write fails."""
    path = Path(path)
    if path.suffix != suffix:
        raise WorkshopError(f"{path}: {who} saves to a {suffix} file; name it e.g. {path.stem}{suffix}")
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent, f".{path.stem}-", suffix)  # a save killed mid-write left them
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}-{os.getpid()}-", suffix=suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        tmp.unlink()  # Keras wants to create the file itself
        write(tmp)
        os.replace(tmp, path)
    except OSError as e:  # a full disk or a read-only folder: say so about `path`, not about the temporary file
        kept = "the model already there is unchanged" if path.exists() else "nothing was saved"
        space = "free some space or " if e.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise WorkshopError(f"cannot save {path}: {(e.strerror or str(e)).lower()}; {kept}; "
                            f"{space}choose another {flag} path") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


def remove_stale_temporaries(folder: Path, prefix: str, suffix: str = "") -> list[Path]:
    """Remove what saves killed mid-write left in `folder`: the temporary files (or folders)
    <prefix><pid>-<random><suffix> whose process is gone. A save still running in another process keeps
    its own. Returns what was removed."""
    import shutil
    removed = []
    pattern = re.compile(r"(\d+)-[a-z0-9_]{8}" + re.escape(suffix))  # mkstemp's and mkdtemp's 8 characters
    for candidate in Path(folder).glob(f"{glob_escape(prefix)}*{glob_escape(suffix)}"):
        found = pattern.fullmatch(candidate.name[len(prefix):])
        pid = int(found[1]) if found else None
        if pid is not None and pid != os.getpid() and not _alive(pid):
            if candidate.is_dir():
                shutil.rmtree(candidate, ignore_errors=True)
            else:
                candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def glob_escape(text: str) -> str:
    import glob
    return glob.escape(text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: alive
        return True
    return True


def save_keras(model, path, meta: dict) -> Path:
    def write(tmp):
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as z:
            z.writestr(MARKER, json.dumps(meta, indent=1))
    return _write_atomically(path, ".keras", "a TensorFlow-level model", write)


def save_npz(weights, path, meta: dict) -> Path:
    def write(tmp):
        np.savez(tmp, meta=np.array(json.dumps(meta)), **{f"w{i}": w for i, w in enumerate(weights)})
    return _write_atomically(path, ".npz", "the numpy level", write)


def _edited(path, what: str) -> WorkshopError:
    where = MARKER if Path(path).suffix == ".keras" else "the 'meta' array"
    return WorkshopError(f"{path}: its metadata ({where}) {what}, so it was edited or copied by hand; "
                         f"train the model again with `{hints.command('train ... --save')}`")


def check_meta(path, meta) -> dict:
    """`meta` if it holds what evaluate and predict read, each of the right type and in agreement with
    the file's suffix; WorkshopError naming the first thing wrong otherwise."""
    from workshop.algorithms import ALGORITHMS, LEVELS
    if not isinstance(meta, dict):
        raise _edited(path, "is not a JSON object")
    kinds = {"model": str, "api": str, "dataset": str, "task": str, "input_shape": list, "classes": int,
             "class_names": list}
    for key, kind in kinds.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise _edited(path, f"has no {kind.__name__} {key!r}")
    model, api, task, suffix = meta["model"], meta["api"], meta["task"], Path(path).suffix
    if model not in ALGORITHMS or api not in LEVELS:
        raise _edited(path, f"names no algorithm and level of this workshop ({model!r}, {api!r})")
    if suffix != (".npz" if api == "numpy" or model == "perceptron" else ".keras"):
        raise _edited(path, f"says {model} at the {api} level, which is not saved as {suffix}")
    if task != ALGORITHMS[model].task:
        raise _edited(path, f"says task {task!r}, but a {model} model does {ALGORITHMS[model].task!r}")
    hidden = meta.get("hidden", [])
    sizes = [*meta["input_shape"], meta["classes"], *(hidden if isinstance(hidden, list) else [None])]
    if not meta["input_shape"] or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise _edited(path, "has sizes that are not positive whole numbers (input_shape, classes, hidden)")
    names = {"classify": meta["classes"], "binary": 2}.get(task)  # a binary model has one output, two names
    if names is not None and len(meta["class_names"]) != names:
        raise _edited(path, f"names {len(meta['class_names'])} classes where its model has {names}")
    return meta


def check_weights(path, meta, weights) -> None:
    """WorkshopError unless the kernels in `weights` (arrays, Keras order) have the shapes `meta` describes."""
    from workshop.algorithms.shapes import kernel_shapes
    hidden = tuple(meta.get("hidden") or (64,))
    want = [tuple(s) for s in kernel_shapes(meta["model"], tuple(meta["input_shape"]), meta["classes"], hidden)]
    have = [tuple(np.shape(w)) for w in weights if np.ndim(w) >= 2]
    if have != want:
        raise _edited(path, f"says {meta['model']} on inputs {tuple(meta['input_shape'])} with {meta['classes']} "
                            "classes, which does not fit the weights inside")


def read_meta(path) -> dict:
    """The workshop metadata of a saved model, checked; WorkshopError if it is not one of ours."""
    path = Path(path)
    if not path.is_file():
        again = hints.command(f"train ... --save {path}")
        raise WorkshopError(f"{path}: no such model file (train one with `{again}`)")
    try:
        if path.suffix == ".keras":
            with zipfile.ZipFile(path) as z:
                if MARKER not in z.namelist():
                    raise WorkshopError(f"{path} was not made by this workshop (no {MARKER} inside); "
                                        f"refusing to load it - train one with `{hints.command('train ... --save')}`")
                text = bounded.read_entry(z, MARKER, MAX_META)  # a zip bomb stops at its declared size: refused
        elif path.suffix == ".npz":
            with zipfile.ZipFile(path) as z:
                if bounded.npy_header(z, "meta.npy")[2] > MAX_META:  # NumPy allocates what a header says
                    raise bounded.TooLarge(f"its meta declares more than {bounded.size(MAX_META)}")
            with np.load(path, allow_pickle=False) as npz:
                text = str(npz["meta"])
        else:
            raise WorkshopError(f"{path}: a model file must end in .keras (TensorFlow levels) or .npz (numpy level)")
    except bounded.TooLarge as e:
        raise WorkshopError(f"{path} is refused: {e}; train one with `{hints.command('train ... --save')}`") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise WorkshopError(f"{path} is not a readable workshop model ({type(e).__name__}: {e}); "
                            f"train one with `{hints.command('train ... --save')}`") from None
    try:
        meta = json.loads(text)
    except ValueError as e:  # UnicodeDecodeError included
        raise _edited(path, f"is not valid JSON ({e})") from None
    return check_meta(path, meta)


def _weights_cap(meta) -> int:
    """The most bytes the weights of the model `meta` describes may take in a file: float64 at most, and
    room for an optimizer's two moments and the file format's own framing."""
    from workshop.algorithms.shapes import kernel_shapes
    hidden = tuple(meta.get("hidden") or (64,))
    count = sum(int(np.prod(shape)) + shape[-1]
                for shape in kernel_shapes(meta["model"], tuple(meta["input_shape"]), meta["classes"], hidden))
    return 3 * 8 * count + bounded.MB


def check_sizes(path, meta):
    """WorkshopError (one line) unless every entry of the model file at `path` fits the model `meta`
    describes: before Keras or NumPy decompress or allocate anything of it."""
    cap = _weights_cap(meta)
    try:
        with zipfile.ZipFile(path) as z:
            if path.suffix == ".keras":
                bounded.check_entries(z, {**KERAS_ENTRIES, "model.weights.h5": cap}, None)
            else:
                total = sum(bounded.npy_header(z, name)[2] for name in z.namelist() if name != "meta.npy")
                if total > cap:
                    raise bounded.TooLarge(f"its weights declare {bounded.size(total)}, where a {meta['model']} "
                                           f"of its metadata takes at most {bounded.size(cap)}")
    except bounded.TooLarge as e:
        raise WorkshopError(f"{path} is refused: {e}; train one with `{hints.command('train ... --save')}`") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise WorkshopError(f"{path} is not a readable workshop model ({type(e).__name__}: {e}); "
                            f"train one with `{hints.command('train ... --save')}`") from None


def load(path):
    """(model, meta): a keras.Model (safe_mode=True), or a numpy-level model object."""
    path = Path(path)
    meta = read_meta(path)
    check_sizes(path, meta)
    if path.suffix == ".npz":
        import importlib
        with np.load(path, allow_pickle=False) as npz:
            weights = [npz[f"w{i}"] for i in range(len(npz.files) - 1) if f"w{i}" in npz.files]
        check_weights(path, meta, weights)
        module = importlib.import_module(f"workshop.algorithms.{meta['model']}_numpy")
        from workshop.config import TrainConfig
        cfg = TrainConfig(model=meta["model"], api="numpy", hidden=tuple(meta.get("hidden", (64,))))
        return module.create(cfg, tuple(meta["input_shape"]), meta["classes"], weights), meta
    from workshop.tf_env import keras
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as e:  # Keras raises many kinds for a damaged archive
        code = re.search(r"deserialization of an? `(\w+)`", str(e)) if "safe_mode" in str(e) else None
        if code:  # Keras's own advice (safe_mode=False) is the one thing never to do with a stranger's model
            ours = hints.command("train ... --save")
            raise WorkshopError(f"{path} holds Python code (a {code.group(1)} layer) that could do anything on this "
                                f"machine, so it is refused; use a model saved by `{ours}`") from None
        first = str(e).strip().splitlines()[0] if str(e).strip() else "no reason given"
        raise WorkshopError(f"{path} could not be loaded safely ({type(e).__name__}: {first})") from None
    check_weights(path, meta, model.get_weights())
    return model, meta
