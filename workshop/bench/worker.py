"""A benchmark contender in a process of its own, with TensorFlow's default threads.

Threads are fixed per process (training/speed.py), and the benchmark's own process
runs with the project's setting. What must run as TensorFlow ships - the reference
recipe "defaults untouched", the project's path without its thread rule, the machine's
matmul peak - runs here instead, driven over stdin/stdout:

    python -m workshop.bench.worker KIND MODEL DATASET [--quick]

KIND reference | default: prints `bench-worker ready <examples>`, then times one epoch
(after an untimed one) for every `epoch` line read, printing `bench-worker <seconds>`.
KIND peak: prints `bench-worker <GFLOP/s>`. KIND time-to-accuracy: trains the reference
recipe to the dataset's target and prints `bench-worker <seconds> <epoch or 0> <accuracy>`.
"""

import sys

PREFIX = "bench-worker"


def say(*values):
    print(PREFIX, *values, flush=True)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    kind, model, dataset = args[:3]
    quick = "--quick" in args
    from workshop.bench import contenders as c
    from workshop.bench import suite
    if kind == "peak":
        from workshop.bench.flops import matmul_gflops
        say(matmul_gflops())
        return 0
    data, cfg = suite.bench_data(model, dataset, quick)
    if kind == "time-to-accuracy":
        say(*suite.reference_time_to_accuracy(data, dataset, suite.tta_epochs(quick)))
        return 0
    contender = c.reference_recipe(model, data) if kind == "reference" else c.Level(kind, cfg, data)
    say("ready", contender.examples)
    for line in sys.stdin:
        if line.strip() == "epoch":
            say(contender.epoch())
    return 0


if __name__ == "__main__":
    sys.exit(main())
