"""One benchmark contender in a fresh process of its own, driven over stdin/stdout:

    python -m workshop.bench.worker JOB DATASET '<Spec as JSON>' [--quick]

Every contender runs here, Keras's recipe and the project's paths alike, so all are measured
under the same conditions: a new process, its own CPUs (spec.cores, set before TensorFlow
starts, which sizes its thread pools from them). How an epoch is timed: clock.py.

JOB epochs:N   trains an untimed first epoch, prints `bench-worker ready`, then for every
               `epoch` line it reads (N in all) trains an untimed epoch and a timed one and
               prints `bench-worker <seconds of the timed one>`.
JOB curve:N    trains N epochs and prints `bench-worker <JSON>`: {"seconds": [per epoch, the first
               from loading the data], "val_accuracy": [per epoch], "test_accuracy": once, at the end}.
JOB peak       prints `bench-worker <GFLOP/s>`: the float32 matmul peak of the CPUs it has.
"""

import json
import os
import sys

from workshop.bench.clock import EpochClock
from workshop.bench.specs import PREFIX, Spec


def say(*values):
    print(PREFIX, *values, file=sys.__stdout__, flush=True)


def wait_for_driver() -> bool:
    return sys.stdin.readline().strip() == "epoch"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    job, dataset, spec_json = args[:3]
    quick = "--quick" in args
    spec = Spec(**json.loads(spec_json))
    if spec.cores:  # before TensorFlow starts: its thread pools are sized from the CPUs it may use
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:spec.cores])
    if job == "peak":
        from workshop.bench.flops import matmul_gflops
        say(matmul_gflops())
        return 0
    from workshop.bench import contenders
    kind, _, count = job.partition(":")
    clock = EpochClock(say, wait_for_driver if kind == "epochs" else None)
    epochs = clock.epochs(int(count)) if kind == "epochs" else int(count)
    run = contenders.run_recipe if spec.kind == "recipe" else contenders.run_train
    test_accuracy = run(spec, dataset, quick, epochs, clock)
    if kind == "curve":
        say(json.dumps({"seconds": clock.seconds, "val_accuracy": clock.val_accuracy,
                        "test_accuracy": test_accuracy}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
