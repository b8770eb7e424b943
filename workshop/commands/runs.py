"""A table of the training runs in the logs: settings, final losses and accuracies, wall time.

    workshop runs                   every run under logs/
    workshop runs --csv runs.csv    the same table as CSV, for a spreadsheet or pandas

Read from the TensorBoard event files alone: no model is loaded.
"""

from workshop.paths import logs_dir


def add_arguments(p):
    p.add_argument("--logdir", help="the logs to read (default logs/)")
    p.add_argument("--csv", metavar="FILE", help="also write the table to FILE as CSV")


def run(args) -> int:
    from workshop.tensorboard.run_table import format_table, runs_table

    logdir = logs_dir(args.logdir)
    table = runs_table(logdir)
    if table.empty:
        print(f"no runs under {logdir} (train one: workshop train mlp)")
    else:
        print(format_table(table))
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"wrote {len(table)} runs to {args.csv}")
    return 0
