"""A table of the training runs in the logs: settings, final losses and accuracies, wall time.

    workshop runs                   every run under logs/
    workshop runs --csv runs.csv    the same table as CSV, for a spreadsheet or pandas

Read from the TensorBoard event files alone: no model is loaded.
"""

import sys
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.paths import logs_dir


def add_arguments(p):
    p.add_argument("--logdir", help="the logs to read (default logs/)")
    p.add_argument("--csv", metavar="FILE", help="also write the table to FILE as CSV")


def check_csv(path) -> Path:
    """Fail before reading any run if the table cannot be written to `path`."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise WorkshopError(f"--csv {path} is a folder; give a file name, e.g. {path / 'runs.csv'}")
    if not path.parent.is_dir():
        raise WorkshopError(f"--csv {path}: the folder {path.parent} does not exist; create it or write elsewhere")
    return path


def run(args) -> int:
    csv = check_csv(args.csv) if args.csv else None
    import workshop.tf_env  # noqa: F401 -- TensorBoard's reader starts TensorFlow: through the door that quiets it
    from workshop.tensorboard.run_table import format_table, runs_table

    logdir = logs_dir(args.logdir)
    skipped = []
    table = runs_table(logdir, skipped)
    for run_dir, bad in skipped:
        print(f"workshop: note: skipped {run_dir}: its event file {bad} cannot be read (not TensorBoard's, or "
              "damaged)", file=sys.stderr)
    if table.empty:
        print(f"no runs under {logdir} (train one: workshop train mlp)")
    else:
        print(format_table(table))
    if csv:
        table.to_csv(csv, index=False)
        print(f"wrote {len(table)} runs to {csv}")
    return 0
