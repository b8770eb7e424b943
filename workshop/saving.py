"""Saving and loading trained models, safely.

Every TensorFlow level saves the same `keras.Sequential` (its learned weights moved
into the keras-level model of its algorithm), so any saved model can be evaluated
and compared with its siblings. Inside the `.keras` zip we add `workshop.json`: what
was trained, on which data, by which level. A `.keras` file without it was not made
by this package and is refused; the rest is loaded with `safe_mode=True` only.
The numpy level saves `.npz` (arrays + the same metadata, no pickles).

Writes go to a temporary file first and are renamed into place at the end, so a
failed or interrupted save never damages a model that was there before.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from workshop.errors import WorkshopError

MARKER = "workshop.json"


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


def _write_atomically(path, suffix: str, who: str, write) -> Path:
    """Call write(tmp) on a fresh temporary file beside `path`, then rename it into place:
    a failed or interrupted write leaves whatever was at `path` untouched."""
    path = Path(path)
    if path.suffix != suffix:
        raise WorkshopError(f"{path}: {who} saves to a {suffix} file; name it e.g. {path.stem}{suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # Keras wants to create the file itself
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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


def read_meta(path) -> dict:
    """The workshop metadata of a saved model; WorkshopError if it is not one of ours."""
    path = Path(path)
    if not path.is_file():
        raise WorkshopError(f"{path}: no such model file (train one with `workshop train ... --save {path}`)")
    try:
        if path.suffix == ".keras":
            with zipfile.ZipFile(path) as z:
                if MARKER not in z.namelist():
                    raise WorkshopError(f"{path} was not made by this workshop (no {MARKER} inside); "
                                        "refusing to load it - train one with `workshop train ... --save`")
                return json.loads(z.read(MARKER))
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as npz:
                return json.loads(str(npz["meta"]))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise WorkshopError(f"{path} is not a readable workshop model ({type(e).__name__}: {e})") from None
    raise WorkshopError(f"{path}: a model file must end in .keras (TensorFlow levels) or .npz (numpy level)")


def load(path):
    """(model, meta): a keras.Model (safe_mode=True), or a numpy-level model object."""
    path = Path(path)
    meta = read_meta(path)
    if path.suffix == ".npz":
        import importlib
        with np.load(path, allow_pickle=False) as npz:
            weights = [npz[f"w{i}"] for i in range(len(npz.files) - 1)]
        module = importlib.import_module(f"workshop.algorithms.{meta['model']}_numpy")
        from workshop.config import TrainConfig
        cfg = TrainConfig(model=meta["model"], api="numpy", hidden=tuple(meta.get("hidden", (64,))))
        return module.create(cfg, tuple(meta["input_shape"]), meta["classes"], weights), meta
    from workshop.tf_env import keras
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as e:  # Keras raises many kinds for a damaged archive
        raise WorkshopError(f"{path} could not be loaded safely ({type(e).__name__}: {str(e)[:120]})") from None
    return model, meta
