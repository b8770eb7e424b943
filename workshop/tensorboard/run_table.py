"""`workshop runs`: one table row per training run, read back from the event files alone.

It uses TensorBoard's own reader (EventAccumulator), so what the table says is what the
dashboards show, and it needs neither the models nor the code that trained them.
A run folder is one with a `train/` sub-folder of event files, anywhere under the logdir:

    logs/<experiment>/<model>-<api>-<dataset>-<timestamp>/{train,validation,events...}
"""

from pathlib import Path

import pandas as pd
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.util import tensor_util

COLUMNS = ["experiment", "run", "model", "api", "dataset", "epochs", "train_loss", "train_accuracy",
           "val_loss", "val_accuracy", "test_accuracy", "wall_seconds"]


def _has_events(folder: Path) -> bool:
    return any(folder.glob("events.out.tfevents.*"))


def unreadable(run_dir: Path) -> str | None:
    """The first event file of the run that nothing can be read from, as a path under `run_dir`, or None.
    Every event file TensorFlow writes starts with a record of its version, so a file with bytes in it and
    no event is not one (garbage, or another program's): TensorBoard's reader passes over it in silence."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    for path in sorted(run_dir.glob("events.out.tfevents.*")) + sorted(run_dir.glob("*/events.out.tfevents.*")):
        try:
            if path.stat().st_size and next(iter(EventFileLoader(str(path)).Load()), None) is None:
                return str(path.relative_to(run_dir))
        except OSError:
            return str(path.relative_to(run_dir))
    return None


def find_runs(logdir) -> list[Path]:
    """Every run folder under `logdir`, sorted by path."""
    return sorted(p.parent for p in Path(logdir).rglob("train") if p.is_dir() and _has_events(p))


def load_events(folder: Path):
    """TensorBoard's EventAccumulator over the event files in `folder`, read; None if it has none."""
    if not folder.is_dir() or not _has_events(folder):
        return None
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={event_accumulator.TENSORS: 0})
    acc.Reload()
    return acc


def series(acc, tag) -> list[tuple[int, float]]:
    """(step, value) of every scalar written under `tag`, in the order written; [] if none."""
    if acc is None or tag not in acc.Tags()["tensors"]:
        return []
    return [(event.step, float(tensor_util.make_ndarray(event.tensor_proto))) for event in acc.Tensors(tag)]


def _last(acc, tag):
    """(step, value) of the last scalar written under `tag`, or (None, None)."""
    points = series(acc, tag)
    return points[-1] if points else (None, None)


def read_hparams(acc) -> dict:
    """The run's hparams (written by hparams.py at train end) from its folder's events, or {}.
    Numbers come back as floats: the hparams plugin stores every number as a double."""
    try:
        content = acc.PluginTagToContent(hparams_metadata.PLUGIN_NAME) if acc is not None else {}
    except KeyError:  # a regression run, or one that stopped before the end
        return {}
    if hparams_metadata.SESSION_START_INFO_TAG not in content:
        return {}
    info = hparams_metadata.parse_session_start_info_plugin_data(content[hparams_metadata.SESSION_START_INFO_TAG])
    return {name: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
            for name, value in info.hparams.items()}


def read_run(run_dir: Path, logdir: Path) -> dict:
    """One row of the table (COLUMNS) for the run in `run_dir`."""
    train, val, top = load_events(run_dir / "train"), load_events(run_dir / "validation"), load_events(run_dir)
    hparams = read_hparams(top)
    # the folder name is <model>-<api>-<dataset>-<date>-<time>: the fallback for runs without hparams
    parts = run_dir.name.split("-")
    step, train_loss = _last(train, "epoch_loss")
    return {
        "experiment": str(run_dir.parent.relative_to(logdir)), "run": run_dir.name,
        "model": hparams.get("model", parts[0]), "api": hparams.get("api", parts[1] if len(parts) > 1 else None),
        "dataset": hparams.get("dataset", parts[2] if len(parts) > 2 else None),
        "epochs": None if step is None else step + 1,  # epoch steps count from 0, as Keras's
        "train_loss": train_loss, "train_accuracy": _last(train, "epoch_accuracy")[1],
        "val_loss": _last(val, "epoch_loss")[1], "val_accuracy": _last(val, "epoch_accuracy")[1],
        "test_accuracy": _last(top, "test/accuracy")[1], "wall_seconds": _last(top, "run/wall_seconds")[1],
    }


def runs_table(logdir, skipped: list | None = None) -> pd.DataFrame:
    """All runs under `logdir`, one row each (COLUMNS), oldest experiment/run name first. A run with an
    unreadable event file gets no row (its numbers would be garbage): (run folder, that file) is added
    to `skipped` instead, when given."""
    logdir = Path(logdir)
    rows = []
    for run_dir in find_runs(logdir):
        bad = unreadable(run_dir)
        if bad is None:
            rows.append(read_run(run_dir, logdir))
        elif skipped is not None:
            skipped.append((run_dir, bad))
    return pd.DataFrame(rows, columns=COLUMNS)


def format_table(table: pd.DataFrame) -> str:
    """The table as text: losses to 4 places, accuracies in %, seconds to 0.1."""
    shown = table.copy()
    for column in ("train_loss", "val_loss"):
        shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{v:.4f}")
    for column in ("train_accuracy", "val_accuracy", "test_accuracy"):
        shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{100 * v:.2f}%")
    shown["wall_seconds"] = shown["wall_seconds"].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
    shown["epochs"] = shown["epochs"].map(lambda v: "-" if pd.isna(v) else str(int(v)))
    return shown.to_string(index=False)
