"""One benchmark contender in a fresh process of its own, driven over stdin/stdout:

    python -m workshop.bench.worker JOB DATASET '<Spec as JSON>' [--quick]

Every contender runs here, the reference and the project's paths alike, so all are
measured under the same conditions: a new process, its own threads (spec.threads) and
CPUs (spec.cores, set before TensorFlow starts, which sizes its thread pools from them).

JOB epochs:N   trains a first epoch untimed (tracing, warm-up), then prints
               `bench-worker ready <examples>` and, for every `epoch` line it reads (N in
               all), trains an untimed epoch and a timed one and prints `bench-worker <seconds>`.
               The default path times two epochs per line and prints their mean, what its
               dashboards left running in the background included (contenders.Gate).
JOB curve:N    trains N epochs, scoring the validation split after each (untimed), then the
               test split once; prints `bench-worker <JSON: seconds, val_accuracy, test_accuracy>`.
JOB peak       prints `bench-worker <GFLOP/s>`: the float32 matmul peak of the CPUs it has.
"""

import json
import os
import sys

PREFIX = "bench-worker"


def say(*values):
    print(PREFIX, *values, flush=True)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    job, dataset, spec_json = args[:3]
    quick = "--quick" in args
    spec = json.loads(spec_json)
    if spec.get("cores"):  # before TensorFlow starts: its thread pools are sized from the CPUs it may use
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:spec["cores"]])
    if job == "peak":
        from workshop.bench.flops import matmul_gflops
        say(matmul_gflops())
        return 0
    from workshop.bench import contenders, suite
    from workshop.bench.specs import Spec
    spec = Spec(**spec)
    data, cfg = suite.bench_data(spec.model, dataset, quick, spec.config, spec.examples)
    if spec.threads == "project":  # as `workshop train` does, before any TensorFlow op
        from workshop.config import RunOptions
        from workshop.training import speed
        speed.apply_threads(speed.choose_threads(cfg, RunOptions(**spec.options), data.input_shape, data.classes))
    train, predict, drain = contenders.trainer(spec, data, cfg)
    kind, _, count = job.partition(":")
    timer = contenders.EpochTimer(whole=spec.whole_epoch)
    if kind == "epochs":
        block = 2 if drain else 1  # the default path: its dashboards overlap the next epoch, as in a real run
        gate = contenders.Gate(timer, len(data.x_train), say, drain, block)
        train([gate, timer], epochs=gate.epochs(int(count)))
    else:
        scores = contenders.ValidationScores(predict, data)
        drained = [contenders.Drain(drain)] if drain else []  # every epoch with all its dashboards
        train([*drained, timer, scores], epochs=int(count))  # scored after the timer stopped: untimed
        say(json.dumps({"seconds": timer.seconds, "val_accuracy": scores.accuracy,
                        "test_accuracy": contenders.accuracy(predict, data.x_test, data.y_test)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
