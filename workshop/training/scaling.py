"""How training on several workers scales on this machine: `python -m workshop.training.scaling`.

For each model and level, the same training (`workshop train ... --json`, in a fresh process each)
on 1 worker (one process, no strategy), then 2 and 4 workers (`--workers N`, on this machine's
loopback), and the examples per second each reports: the whole training, its first epoch's
tracing, validation and the chief's dashboards included, as a learner sees it.

    python -m workshop.training.scaling                                  MLP and CNN, raw and layers, digits
    python -m workshop.training.scaling --dataset digits60k --max-examples 12000 --epochs 3

What the numbers mean (workers.py's README section and the lesson `next` use them): on one
machine every worker shares its cores, so N workers never compute faster than one process using
them all; what they show is the price of the machinery (a collective per step, each worker
reading whole batches to take its slice) that more machines would have to beat.
"""

import argparse
import json
import subprocess
import sys
import tempfile

from workshop.paths import project_root


def measure(model: str, api: str, workers: int, dataset: str = "digits", epochs: int = 10,
            max_examples: int | None = None, timeout: float = 1800) -> dict:
    """One training run's summary (train.py's), on `workers` workers (1: one process)."""
    with tempfile.TemporaryDirectory(prefix="workshop-scaling-") as logs:
        args = ["train", model, "--api", api, "--dataset", dataset, "--epochs", str(epochs), "--json",
                "--logdir", logs, "--workers", str(workers)]
        if max_examples:
            args += ["--max-examples", str(max_examples)]
        done = subprocess.run([sys.executable, "-m", "workshop", *args], cwd=project_root(), capture_output=True,
                              text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    return {**json.loads(done.stdout.splitlines()[-1]), "workers": workers}


def table(rows: list[dict]) -> str:
    """The measurements as a Markdown table, with each one's speed against one process."""
    base = {(r["model"], r["api"], r["dataset"]): r["examples_per_second"] for r in rows if r["workers"] == 1}
    lines = ["| model | level | dataset | workers | examples/s | vs 1 process | wall s | first step s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        one = base.get((r["model"], r["api"], r["dataset"]))
        ratio = f"{r['examples_per_second'] / one:.2f}x" if one else "-"
        lines.append(f"| {r['model']} | {r['api']} | {r['dataset']} | {r['workers']} | "
                     f"{r['examples_per_second']:,.0f} | {ratio} | {r['wall_seconds']:.1f} | "
                     f"{r['seconds_to_first_step']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m workshop.training.scaling", description=__doc__.splitlines()[0])
    p.add_argument("--models", default="mlp,cnn")
    p.add_argument("--levels", default="raw,layers")
    p.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated (1: one process)")
    p.add_argument("--dataset", default="digits")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--max-examples", type=int)
    args = p.parse_args(argv)
    rows = []
    for model in args.models.split(","):
        for api in args.levels.split(","):
            for workers in (int(n) for n in args.workers.split(",")):
                rows.append(measure(model, api, workers, args.dataset, args.epochs, args.max_examples))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
