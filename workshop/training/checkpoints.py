"""Checkpoints: what a killed run needs to continue exactly where it stopped (`train --resume`).

After every epoch, EpochCheckpoint writes <run>/resume.npz with three things:
  - every variable training changes: the weights, the optimizer's state (Adam's moments and
    step count) and a dropout layer's random-number state;
  - the position in the data: the number of epochs done. Each epoch's order comes from the
    seed (data/pipeline.py), so epoch k's batches are the same in any process;
  - the run so far: the history, the settings, and how long each TensorBoard event file was,
    so a resumed run cuts off anything written after the checkpoint and never logs a step twice.
The file is written whole, then renamed over the previous one: a run killed mid-write leaves
the previous checkpoint, never half of one. A run that ends removes its checkpoint; one that
diverges removes it only if it started the run (`discard`): a resumed run never loses the epochs
it resumed from.

Keras has keras.callbacks.BackupAndRestore for `fit`; every level, `fit` included, uses this
one instead, for two reasons: BackupAndRestore writes the weights and then the epoch in two
files, so a kill between the two resumes with weights one epoch ahead of the data; and it
knows nothing of the data order or the TensorBoard files that make a resumed run exact.
Nor tf.train.Checkpoint: it writes an index, data shards and a `checkpoint` state file (no one
file to rename over the last), and the numpy level has no tf.Variables for it to track.
"""

import json
import os
import time
import zipfile
from pathlib import Path

import numpy as np

from workshop.errors import UsageError, WorkshopError
from workshop.tf_env import keras

FILE = "resume.npz"


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves `variables` after each epoch; `restore(variables)` fills them from the last save.

    Args:
        run_dir: the run folder (it holds the checkpoint and the event files).
        writers: the run's summary writers (tensorboard/writers.py: anything with flush()), flushed
            before each save so the event files' lengths recorded are this epoch's, or None.
        settings: what must be equal for a run to continue this one (json-able dict).
    """

    def __init__(self, run_dir, writers=None, settings=None):
        super().__init__()
        self.path, self.writers, self.settings = Path(run_dir) / FILE, writers, settings or {}
        self.variables, self.history, self.resumed = [], {}, 0

    def restore(self, variables) -> int:
        """Track `variables` (tf.Variables or NumPy arrays, changed in place); if a checkpoint
        exists, put its values in them and return the number of epochs it had done (else 0)."""
        self.variables = list(variables)
        self.path.with_name(FILE + ".partial").unlink(missing_ok=True)  # a write the kill cut short
        saved = read(self.path)
        if saved is None:
            return 0
        arrays = [saved[f"v{i}"] for i in range(int(saved["count"]))]
        if [a.shape for a in arrays] != [tuple(np.shape(v)) for v in self.variables]:
            raise WorkshopError(f"{self.path} does not fit this model (other shapes): "
                                "run without --resume to start a new run")
        for variable, value in zip(self.variables, arrays):
            if hasattr(variable, "assign"):
                variable.assign(value)
            else:
                variable[...] = value
        meta = json.loads(str(saved["meta"]))
        self.history = meta["history"]
        cut_event_files(self.path.parent, meta["event_files"])
        self.resumed = int(meta["epochs_done"])
        return self.resumed

    def on_epoch_end(self, epoch, logs=None):
        if self.model is not None and getattr(self.model, "stop_training", False):
            return  # a guard stopped the run (it diverged): that state is not worth resuming
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        arrays = {f"v{i}": _copy(v) for i, v in enumerate(self.variables)}
        meta = {"epochs_done": epoch + 1, "pid": os.getpid(), "history": json.loads(json.dumps(self.history)),
                "settings": self.settings}
        self._save(meta, arrays)

    def _save(self, meta, arrays):
        if self.writers is not None:
            self.writers.flush()  # the event files hold this epoch before their lengths are recorded
        meta = {**meta, "event_files": event_file_sizes(self.path.parent)}
        temp = self.path.with_name(FILE + ".partial")
        try:
            with open(temp, "wb") as f:
                np.savez(f, count=len(arrays), meta=json.dumps(meta), **arrays)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:  # a full disk: the last whole checkpoint stays as it was
            temp.unlink(missing_ok=True)
            if e.filename is None:  # a failed write() names no file: the one-line error must say which
                raise OSError(e.errno, e.strerror, str(self.path)) from e
            raise
        os.replace(temp, self.path)  # atomic: the old checkpoint or the new one, never half

    def discard(self) -> bool:
        """The run failed (it diverged): remove the checkpoint if this process started the run, as a
        diverged run is not worth resuming; keep it if this process resumed it, since it holds the
        epochs of the process before, which never failed. Returns whether it was removed."""
        if self.resumed:
            return False
        self.remove()
        return True

    def remove(self):
        """The run finished: nothing left to resume."""
        self.path.unlink(missing_ok=True)


def _copy(variable) -> np.ndarray:
    """A NumPy copy of a tf.Variable (`numpy()`: half the time of np.array's way round) or of an array."""
    return variable.numpy() if hasattr(variable, "numpy") else np.array(variable)


def read(path: Path):
    """The checkpoint at `path` as an NpzFile, None if there is none; a damaged one is refused."""
    if not path.exists():
        return None
    try:
        saved = np.load(path)
        saved["meta"], saved["count"]  # noqa: B018 -- read now: a damaged file fails here, not mid-restore
        return saved
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as e:
        raise WorkshopError(f"the checkpoint {path} is damaged ({e}): delete it, or run without --resume "
                            "to start a new run") from None


def meta_of(path: Path) -> dict | None:
    saved = read(path)
    return None if saved is None else json.loads(str(saved["meta"]))


def _running(pid) -> bool:
    """Is the run that wrote a checkpoint still going (in another terminal)? Then it is not interrupted."""
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True


def event_file_sizes(run_dir: Path) -> dict:
    return {str(p.relative_to(run_dir)): p.stat().st_size for p in sorted(run_dir.rglob("events.out.tfevents.*"))}


def cut_event_files(run_dir: Path, sizes: dict):
    """Put the run folder's event files back as they were at the checkpoint: what the killed run
    wrote after it (part of an epoch, a half-written record) goes, so no step is logged twice."""
    for path in run_dir.rglob("events.out.tfevents.*"):
        size = sizes.get(str(path.relative_to(run_dir)))
        if size is None:
            path.unlink()  # opened after the checkpoint
        elif path.stat().st_size > size:
            os.truncate(path, size)


def after_event_files(run_dir: Path):
    """Wait, if need be (at most a second), until the clock is past the newest event file's name.
    TensorBoard reads a folder's event files in name order, and a name starts with the second its
    writer opened: a resumed run's files must sort after the interrupted run's, or its steps come
    first and TensorBoard, seeing step 0 after step 5, drops them as orphaned."""
    stamps = [int(p.name.split(".")[3]) for p in Path(run_dir).rglob("events.out.tfevents.*")
              if p.name.split(".")[3].isdigit()]
    if stamps:
        time.sleep(max(0.0, max(stamps) + 1 - time.time()))


def interrupted_run(parent: Path, name: str, settings: dict, strict: bool = True) -> Path | None:
    """The newest run folder parent/<name>-* that holds a checkpoint, if its settings are
    `settings`; else None, or with `strict`, a UsageError that names the settings that differ."""
    runs = sorted((p for p in Path(parent).glob(f"{name}-*") if (p / FILE).exists()),
                  key=lambda p: (p / FILE).stat().st_mtime)
    from workshop.training.rundir import busy, holder
    for run_dir in reversed(runs):
        try:
            meta = meta_of(run_dir / FILE)
        except WorkshopError:
            if strict:
                raise
            continue  # a damaged checkpoint does not stop a new run; --resume names it
        if meta is None:
            continue
        differ = {k: meta["settings"].get(k) for k in settings if meta["settings"].get(k) != settings[k]}
        who = holder(run_dir)
        if who is not None and who.get("resumed") and strict and not differ:
            raise busy(run_dir, who)  # two --resume of one run at once: the second one stops here
        if who is not None or _running(meta.get("pid")):
            continue  # training in another process: not interrupted
        if differ and strict:
            was = ", ".join(f"{k}={v}" for k, v in differ.items())
            raise UsageError(f"the interrupted run {run_dir} was started with {was}: resume it with the same "
                             "settings, or run without --resume to start a new run")
        return None if differ else run_dir
    return None
