"""The benchmark suite: `run_benchmark(...)`, every measurement of `workshop bench`, as rows of one table.

A row: section, name, median, low, high (min-max over rounds), unit, ratio (to the
section's reference, when there is one), target and note.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from workshop.config import RunOptions, TrainConfig

TARGET_ACCURACY = {"digits": 0.98, "digits28": 0.98, "mnist": 0.99, "fashion_mnist": 0.90}
# digits28 is bench-only: the digits scaled up to 28x28, so MNIST's shapes (and FLOPs per
# example: the regime the CNN targets were set in) can be measured offline.


def _row(section, name, values, unit, reference=None, target="", note=""):
    values = list(values)
    med = statistics.median(values)
    return {"section": section, "name": name, "median": med, "low": min(values), "high": max(values),
            "unit": unit, "ratio": (med / reference) if reference else None, "target": target, "note": note}


def bench_config(model, dataset):
    """`workshop train MODEL`'s resolved keras settings on `dataset` (digits28 trains as digits)."""
    return TrainConfig(model=model, api="keras", dataset="digits" if dataset == "digits28" else dataset,
                       seed=0).resolved()


def bench_data(model, dataset, quick):
    """(Splits, resolved keras TrainConfig) of `model` on `dataset`; --quick keeps 6,000 training examples."""
    from workshop.training.prepare import prepare
    cfg = bench_config(model, dataset)
    data = prepare(cfg)
    if dataset == "digits28":
        from workshop.data.digits import upscale
        data = replace(data, **{split: upscale(getattr(data, split)[..., 0])[..., None]
                                for split in ("x_train", "x_val", "x_test")})
    if quick and dataset != "digits":
        data = replace(data, x_train=data.x_train[:6000], y_train=data.y_train[:6000])
    return data, cfg


def throughput(model, dataset, rounds, quick, threads_note):
    """Training examples/s of `model` at every level, and of the reference recipe, round-robin.

    The reference and the default path "as TensorFlow ships" run in worker processes with
    TensorFlow's default threads; everything else here, with the project's thread rule."""
    from workshop.bench import contenders as c
    data, cfg = bench_data(model, dataset, quick)
    one_step, bf16 = RunOptions(steps_per_execution=1), RunOptions(precision="mixed_bfloat16")
    levels = [("keras (fit, steps_per_execution=1)", dict(api="keras"), one_step, "function"),
              ("keras (fit, default)", dict(api="keras"), RunOptions(), "function"),
              ("keras (fit, mixed_bfloat16)", dict(api="keras"), bf16, "function"),
              ("keras (fit, batch x2)", dict(api="keras", batch_size=2 * cfg.batch_size), RunOptions(), "function"),
              ("layers (tf.function)", dict(api="layers"), RunOptions(), "function"),
              ("raw (tf.function)", dict(api="raw"), RunOptions(), "function"),
              ("layers (eager)", dict(api="layers"), RunOptions(), "eager"),
              ("raw (eager)", dict(api="raw"), RunOptions(), "eager"),
              ("layers (jit_compile)", dict(api="layers"), RunOptions(), "jit"),
              ("raw (jit_compile)", dict(api="raw"), RunOptions(), "jit")]
    ref = c.Remote(f"{model} reference recipe (plain fit, Adam, batch 128)", "reference", model, dataset, quick)
    tf_threads = c.Remote(f"{model} keras (fit, default) on TensorFlow's default threads", "default", model, dataset,
                          quick)
    runners = [c.Level(f"{model} {label}", replace(cfg, **overrides), data, options, mode)
               for label, overrides, options, mode in levels]
    try:
        speeds = c.round_robin([ref, *runners, tf_threads], rounds)
    finally:
        ref.close()
        tf_threads.close()
    ref_median = statistics.median(speeds[ref.name])
    notes = {ref.name: "batch 128; its own process, TensorFlow's default threads",
             tf_threads.name: f"batch {cfg.batch_size}; its own process"}
    def target(name):
        if name.endswith("keras (fit, default)"):
            return ">= 1.5x" if model == "cnn" else ">= 2x"
        return ">= fit default" if name.endswith("(tf.function)") else ""

    return [_row("throughput", name, v, "examples/s", ref_median, target=target(name),
                 note=notes.get(name, f"batch {2 * cfg.batch_size if 'x2' in name else cfg.batch_size}; {threads_note}"))
            for name, v in speeds.items()], data, cfg


def feeding(data, cfg, rounds):
    """The same keras MLP fed NumPy arrays vs the project's tf.data pipeline (cache + prefetch)."""
    from workshop.bench import contenders as c
    from workshop.training.tasks import keras_loss, keras_optimizer
    from workshop.training.train import build_model
    mcfg = replace(cfg, model="mlp", api="keras", optimizer="sgd", learning_rate=0.1, epochs=2)
    model = build_model(mcfg, data)
    model.compile(optimizer=keras_optimizer("sgd", 0.1), loss=keras_loss("classify"))
    arrays = c.PlainFit("mlp fit on NumPy arrays", model, data.x_train, data.y_train, cfg.batch_size)
    pipeline = c.Level("mlp fit on tf.data (cache + prefetch)", mcfg, data)
    speeds = c.round_robin([arrays, pipeline], rounds)
    ref = statistics.median(speeds[arrays.name])
    return [_row("data feeding", n, v, "examples/s", ref) for n, v in speeds.items()]


def peak_and_fraction(cnn_rows, input_shape, dataset, quick):
    from workshop.bench.contenders import remote_value
    from workshop.bench.flops import cnn_train_flops_per_example
    peak = float(remote_value("peak", "cnn", dataset, quick)[0])
    per_example = cnn_train_flops_per_example(input_shape)
    rows = [_row("peak", "float32 matmul 2048x2048 (TensorFlow)", [peak], "GFLOP/s",
                 note="its own process, TensorFlow's default threads (all cores)")]
    for r in cnn_rows:
        achieved = r["median"] * per_example / 1e9
        rows.append(_row("peak", f"{r['name']}: achieved", [achieved], "GFLOP/s", peak, target=">= 0.30"
                         if r["name"].endswith("keras (fit, default)") else "",
                         note=f"{per_example / 1e6:.2f} MFLOP per training example"))
    return rows


def tta_epochs(quick):
    return 60 if quick else 100


def reference_time_to_accuracy(data, dataset, max_epochs):
    """(seconds, epoch reached or 0, last accuracy) of the reference recipe (run in a worker)."""
    from workshop.bench import contenders as c
    from workshop.bench import reference
    model = reference.build(data.input_shape)
    timer = c.TimeToAccuracy(lambda x: model.predict(x, verbose=0), data.x_test, data.y_test, TARGET_ACCURACY[dataset])
    model.fit(data.x_train, reference.one_hot(data.y_train), batch_size=reference.BATCH_SIZE, epochs=max_epochs,
              verbose=0, callbacks=[timer])
    return sum(timer.seconds), timer.reached, timer.accuracy


def time_to_accuracy(data, dataset, quick):
    """Wall seconds of training (evaluation excluded) until test accuracy >= the target: the project's
    default path (`workshop train cnn`'s loop and settings), the same with twice the batch and the
    learning rate x sqrt(2) (the batch-size lever), and the reference recipe in a worker."""
    from workshop.bench import contenders as c
    from workshop.training.train import build_model, fit, view_of
    target, max_epochs = TARGET_ACCURACY[dataset], tta_epochs(quick)
    default = replace(bench_config("cnn", dataset), epochs=max_epochs)
    doubled = replace(default, batch_size=2 * default.batch_size, learning_rate=default.learning_rate * 2 ** 0.5)
    results, models = {}, {}
    for name, cfg in [("cnn default path (workshop train cnn's settings)", default),
                      (f"cnn batch {doubled.batch_size}, learning rate {doubled.learning_rate:.4f}", doubled)]:
        models[name] = model = build_model(cfg, data)
        timer = c.TimeToAccuracy(view_of(model, "keras").predict, data.x_test, data.y_test, target)
        fit(cfg, model, data, callbacks=[timer], options=RunOptions(verbose=0))
        results[name] = (sum(timer.seconds), timer.reached, timer.accuracy)
    results["reference recipe"] = tuple(float(v) for v in c.remote_value("time-to-accuracy", "cnn", dataset, quick))
    ref_seconds, ref_reached, _ = results["reference recipe"]
    rows = [_row("time to accuracy", f"{name} to {target:.0%} test accuracy", [s], "s",
                 ref_seconds if ref_reached else None, target="<= 0.6x" if "default" in name else "",
                 note=(f"epoch {int(e)}" if e else f"not reached in {max_epochs} epochs (last {a:.1%})"))
            for name, (s, e, a) in results.items()]
    first = next(iter(models))
    return rows, models[first], default


def inference(model, cfg, data, repeats):
    """Single-image latency and batch throughput through `workshop predict`'s code path."""
    try:
        from workshop.predict import predict_images
    except ImportError as e:
        return [_row("inference", "predict (skipped)", [0], "", note=str(e))]
    from PIL import Image
    from workshop import saving
    from workshop.training.train import save, view_of
    with tempfile.TemporaryDirectory() as tmp:
        path = save(cfg, view_of(model, "keras"), data, Path(tmp) / "cnn.keras")
        loaded, meta = saving.load(path)
        images = []
        for i in range(64):
            p = Path(tmp) / f"{i}.png"
            Image.fromarray((data.x_test[i, ..., 0] * 255).astype(np.uint8)).resize((64, 64)).save(p)
            images.append(p)
        predict_images(loaded, meta, images[:1])  # warm-up
        single = []
        for i in range(repeats):
            t = time.perf_counter()
            predict_images(loaded, meta, [images[i % len(images)]])
            single.append(time.perf_counter() - t)
        t = time.perf_counter()
        predict_images(loaded, meta, images)
        batch_speed = len(images) / (time.perf_counter() - t)
    ms = np.array(single) * 1000
    return [_row("inference", "single image latency p50", [float(np.percentile(ms, 50))], "ms"),
            _row("inference", "single image latency p99", [float(np.percentile(ms, 99))], "ms"),
            _row("inference", f"batch of {len(images)} PNGs", [batch_speed], "images/s")]


def startup(repeats):
    def wall(args):
        times, outputs = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "workshop", *args], capture_output=True, text=True,
                                  check=True)
            times.append(time.perf_counter() - t)
            outputs.append(done.stdout)
        return times, outputs

    def to_first_step(output_and_wall):
        # the whole process, less what train() did after its first step finished
        summary = json.loads(output_and_wall[0].strip().splitlines()[-1])
        return output_and_wall[1] - (summary["wall_seconds"] - summary["seconds_to_first_step"])

    train_runs = wall(["train", "mlp", "--epochs", "1", "--json", "--logdir", tempfile.mkdtemp()])
    return [_row("start-up", "workshop --help", wall(["--help"])[0], "s", target="< 0.5"),
            _row("start-up", "workshop agenda", wall(["agenda"])[0], "s", target="< 0.5"),
            _row("start-up", "workshop train mlp: launch to first step", map(
                to_first_step, zip(train_runs[1], train_runs[0])), "s", target="< 8",
                note="process wall time, less train()'s time after its first step")]


def run_benchmark(dataset="digits", quick=False, rounds=None, log=print):
    from workshop.tf_env import tf
    from workshop.training import speed
    # every timed contender builds its compiled steps afresh on purpose (an untimed epoch pays for
    # the tracing); TensorFlow would warn about "retracing" each time
    tf.get_logger().setLevel("ERROR")
    rounds = rounds or (2 if quick else 5)
    data, cfg = bench_data("cnn", dataset, quick)
    # this process runs the project's way, as `workshop train cnn` would: threads before any TF op
    setting = speed.apply_threads(speed.choose_threads(cfg, RunOptions(), data.input_shape, data.classes))
    threads_note = f"{setting} thread per op" if setting == 1 else "threads: one per core"
    rows = []
    log(f"throughput: cnn, {rounds} rounds ...")
    cnn_rows, data, cfg = throughput("cnn", dataset, rounds, quick, threads_note)
    rows += cnn_rows
    log(f"throughput: mlp, {rounds} rounds ...")
    rows += throughput("mlp", dataset, rounds, quick, threads_note)[0]
    log("data feeding ...")
    rows += feeding(data, cfg, rounds)
    log("matmul peak ...")
    rows += peak_and_fraction([r for r in cnn_rows if "reference" in r["name"] or "(fit, default)" in r["name"]],
                              data.input_shape, dataset, quick)
    log("time to accuracy ...")
    tta_rows, model, cnn_cfg = time_to_accuracy(data, dataset, quick)
    rows += tta_rows
    log("inference ...")
    rows += inference(model, cnn_cfg, data, repeats=20 if quick else 200)
    log("start-up ...")
    rows += startup(repeats=1 if quick else 5)
    return rows
