"""`run_benchmark(...)`: every measurement of `workshop bench`, as rows of one table.

A row: section, name, median, low, high (min-max over rounds), unit, ratio (to the
section's reference, when there is one), target and note.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from workshop.algorithms import ALGORITHMS
from workshop.config import TrainConfig

TARGET_ACCURACY = {"digits": 0.98, "mnist": 0.99, "fashion_mnist": 0.90}


def _row(section, name, values, unit, reference=None, target="", note=""):
    values = list(values)
    med = statistics.median(values)
    return {"section": section, "name": name, "median": med, "low": min(values), "high": max(values),
            "unit": unit, "ratio": (med / reference) if reference else None, "target": target, "note": note}


def throughput(model, dataset, rounds, quick):
    """Training examples/s of `model` at every level, and of the reference recipe, round-robin."""
    from workshop.bench import contenders as c
    from workshop.bench import reference
    from workshop.training.prepare import prepare
    cfg = TrainConfig(model=model, api="keras", dataset=dataset, seed=0).resolved()
    task = ALGORITHMS[model].task
    data = prepare(cfg, task)
    if quick and dataset != "digits":
        data.x_train, data.y_train = data.x_train[:6000], data.y_train[:6000]
    levels = [("keras (fit, steps_per_execution=1)", "keras", "function"), ("keras (fit, default)", "keras", "function"),
              ("layers (tf.function)", "layers", "function"),
              ("raw (tf.function)", "raw", "function"), ("layers (eager)", "layers", "eager"),
              ("raw (eager)", "raw", "eager"), ("layers (jit_compile)", "layers", "jit"),
              ("raw (jit_compile)", "raw", "jit")]
    runners = [c.Level(f"{model} {label}", replace(cfg, api=api, steps_per_execution=1 if "=1" in label else 0),
                       data, task, mode) for label, api, mode in levels]
    build = reference.build if model == "cnn" else reference.build_mlp
    ref = c.PlainFit(f"{model} reference recipe (plain fit, Adam, batch 128)", build(data.input_shape),
                     data.x_train, reference.one_hot(data.y_train), reference.BATCH_SIZE)
    speeds = c.round_robin([ref, *runners], rounds)
    ref_median = statistics.median(speeds[ref.name])
    return [_row("throughput", name, v, "examples/s", ref_median,
                 note=f"batch {reference.BATCH_SIZE if name == ref.name else cfg.batch_size}")
            for name, v in speeds.items()], data, cfg


def feeding(data, cfg, rounds):
    """The same keras MLP fed NumPy arrays vs the project's tf.data pipeline (cache + prefetch)."""
    from workshop.bench import contenders as c
    from workshop.training.run import build_model
    from workshop.training.tasks import keras_loss, keras_optimizer
    mcfg = replace(cfg, model="mlp", api="keras", optimizer="sgd", learning_rate=0.1, epochs=2, verbose=0)
    model = build_model(mcfg, data)
    model.compile(optimizer=keras_optimizer("sgd", 0.1), loss=keras_loss("classify"))
    arrays = c.PlainFit("mlp fit on NumPy arrays", model, data.x_train, data.y_train, cfg.batch_size)
    pipeline = c.Level("mlp fit on tf.data (cache + prefetch)", mcfg, data, "classify")
    speeds = c.round_robin([arrays, pipeline], rounds)
    ref = statistics.median(speeds[arrays.name])
    return [_row("data feeding", n, v, "examples/s", ref) for n, v in speeds.items()]


def peak_and_fraction(cnn_rows, input_shape):
    from workshop.bench.flops import cnn_train_flops_per_example, matmul_gflops
    peak = matmul_gflops()
    per_example = cnn_train_flops_per_example(input_shape)
    rows = [_row("peak", "float32 matmul 2048x2048 (TensorFlow)", [peak], "GFLOP/s")]
    for r in cnn_rows:
        achieved = r["median"] * per_example / 1e9
        rows.append(_row("peak", f"{r['name']}: achieved", [achieved], "GFLOP/s", peak, target=">= 0.30"
                         if "default" in r["name"] else "",
                         note=f"{per_example / 1e6:.2f} MFLOP per training example"))
    return rows


def time_to_accuracy(data, dataset, max_epochs):
    """Wall seconds of training (evaluation excluded) until test accuracy >= the target."""
    from workshop.bench import reference
    from workshop.tf_env import keras
    from workshop.training.run import build_model
    from workshop.training.tasks import keras_accuracy, keras_loss, keras_optimizer
    from workshop.data import make_dataset
    target = TARGET_ACCURACY[dataset]
    cfg = TrainConfig(model="cnn", api="keras", dataset=dataset).resolved()
    ours = build_model(cfg, data)
    ours.compile(optimizer=keras_optimizer(cfg.optimizer, cfg.learning_rate), loss=keras_loss("classify"),
                 metrics=[keras_accuracy("classify")])
    train_ds = make_dataset(data.x_train, data.y_train, cfg.batch_size, seed=0)
    ref = reference.build(data.input_shape)
    y_hot = reference.one_hot(data.y_train)
    results = {}
    for name, step in [("cnn default path (workshop train cnn)", lambda: ours.fit(train_ds, epochs=1, verbose=0)),
                       ("reference recipe", lambda: ref.fit(data.x_train, y_hot, batch_size=128, epochs=1,
                                                            verbose=0))]:
        model = ours if name.startswith("cnn") else ref
        seconds, reached = 0.0, None
        for epoch in range(1, max_epochs + 1):
            t = time.perf_counter()
            step()
            seconds += time.perf_counter() - t
            acc = float(np.mean(np.argmax(model.predict(data.x_test, verbose=0), 1) == data.y_test))
            if acc >= target:
                reached = epoch
                break
        results[name] = (seconds, reached, acc)
    ref_seconds = results["reference recipe"][0] if results["reference recipe"][1] else None
    return [_row("time to accuracy", f"{name} to {target:.0%} test accuracy", [s], "s", ref_seconds,
                 target="<= 0.6x" if name.startswith("cnn") else "",
                 note=(f"epoch {e}" if e else f"not reached in {max_epochs} epochs (last {a:.1%})"))
            for name, (s, e, a) in results.items()], ours, cfg


def inference(model, cfg, data, repeats):
    """Single-image latency and batch throughput through `workshop predict`'s code path."""
    try:
        from workshop.predict import predict_images
    except ImportError as e:
        return [_row("inference", "predict (skipped)", [0], "", note=str(e))]
    from PIL import Image
    from workshop import saving
    from workshop.training.run import save, view_of
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
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "workshop", *args], capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        return times
    return [_row("start-up", "workshop --help", wall(["--help"]), "s", target="< 0.5"),
            _row("start-up", "workshop agenda", wall(["agenda"]), "s", target="< 0.5"),
            _row("start-up", "workshop train mlp --epochs 1 (whole process)", wall(
                ["train", "mlp", "--epochs", "1", "--json", "--logdir", tempfile.mkdtemp()])[:1], "s",
                target="< 8 to first step", note="an upper bound of the time to the first step")]


def run_benchmark(dataset="digits", quick=False, rounds=None, log=print):
    rounds = rounds or (2 if quick else 5)
    rows = []
    log(f"throughput: cnn, {rounds} rounds ...")
    cnn_rows, data, cfg = throughput("cnn", dataset, rounds, quick)
    rows += cnn_rows
    log(f"throughput: mlp, {rounds} rounds ...")
    rows += throughput("mlp", dataset, rounds, quick)[0]
    log("data feeding ...")
    rows += feeding(data, cfg, rounds)
    log("matmul peak ...")
    rows += peak_and_fraction([r for r in cnn_rows if "reference" in r["name"] or "keras (fit, default)" in r["name"]],
                              data.input_shape)
    log("time to accuracy ...")
    tta_rows, model, cnn_cfg = time_to_accuracy(data, dataset, max_epochs=8 if quick else 40)
    rows += tta_rows
    log("inference ...")
    rows += inference(model, cnn_cfg, data, repeats=20 if quick else 200)
    log("start-up ...")
    rows += startup(repeats=1 if quick else 5)
    return rows
