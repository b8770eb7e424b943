"""Driving the benchmark's workers (worker.py): start them, time them in turn, read their answers.

Each contender is a fresh process: `Remote(spec, job, dataset, quick)` starts it at once
(so several warm up together, untimed), and `round_robin` times one epoch of every
contender per round, in turn, once all are ready (each after an untimed one): the machine's
drift hits them alike.
"""

import json
import subprocess
import sys
import tempfile
from dataclasses import asdict

from workshop.bench.specs import PREFIX


class Remote:
    """A worker process running `job` for the contender `spec` (specs.Spec)."""

    def __init__(self, spec, job, dataset, quick):
        self.name = spec.name
        self.examples = spec.examples_per_epoch(dataset, quick)
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, "-m", "workshop.bench.worker", job, dataset,
                                      json.dumps(asdict(spec))] + (["--quick"] if quick else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True)

    def read(self) -> list[str]:
        """The values of the worker's next `bench-worker ...` line."""
        for line in self.proc.stdout:
            if line.startswith(PREFIX + " "):
                return line.split()[1:]
        self._stderr.seek(0)
        tail = [line for line in self._stderr.read().strip().splitlines() if line.strip()][-1:] or ["no output"]
        raise RuntimeError(f"benchmark worker for {self.name!r} stopped: {tail[0]}")

    def ready(self):
        """Waits until the worker has trained its untimed first epoch."""
        if self.read() != ["ready"]:
            raise RuntimeError(f"benchmark worker for {self.name!r} answered out of turn")

    def epoch(self) -> float:
        """Seconds of one timed epoch (after an untimed one)."""
        self.proc.stdin.write("epoch\n")
        self.proc.stdin.flush()
        return float(self.read()[0])

    def close(self):
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            self._stderr.close()


def one_shot(spec, job, dataset, quick):
    """Run a worker whose job answers once (curve:N, peak) and return its answer's values."""
    worker = Remote(spec, job, dataset, quick)
    try:
        return worker.read()
    finally:
        worker.close()


def curve(spec, epochs, dataset, quick) -> dict:
    """{"seconds": [...], "val_accuracy": [...], "test_accuracy": ...} of `spec` trained `epochs` epochs."""
    return json.loads(" ".join(one_shot(spec, f"curve:{epochs}", dataset, quick)))


def round_robin(specs, rounds, dataset, quick, together=True) -> dict:
    """{name: [examples/s per round]} of every spec, each in its own worker. together: all workers
    live at once and every round times one epoch of each in turn; otherwise one worker at a time
    (less memory: the scaling table's many contenders)."""
    speeds = {}
    batches = [specs] if together else [[spec] for spec in specs]
    for batch in batches:
        workers = [Remote(spec, f"epochs:{rounds}", dataset, quick) for spec in batch]
        try:
            for w in workers:  # every worker ready before any is timed: none warms up while one is
                w.ready()
            for _ in range(rounds):
                for w in workers:
                    speeds.setdefault(w.name, []).append(w.examples / w.epoch())
        finally:
            for w in workers:
                w.close()
    return speeds
