"""The benchmark suite: `run_benchmark(...)`, every measurement of `workshop bench`, as rows of one table.

A row: section, name, median, low, high (min-max over rounds), unit, ratio (to the
section's reference, when there is one), target and note. Every training contender runs
in a fresh worker process of its own (worker.py), the reference recipe included.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from workshop.bench import SECTIONS
from workshop.bench.specs import Spec
from workshop.config import TrainConfig

QUICK_EXAMPLES = 6000  # --quick trains on this many training examples of a large dataset
SCALING_EXAMPLES = 12800  # the scaling table's epochs: long enough to time, short enough for many rows
REFERENCE_EPOCHS = 15  # the reference recipe's own schedule (Keras's MNIST convnet example)


def _row(section, name, values, unit, reference=None, target="", note=""):
    values = list(values)
    med = statistics.median(values)
    return {"section": section, "name": name, "median": med, "low": min(values), "high": max(values),
            "unit": unit, "ratio": (med / reference) if reference else None, "target": target, "note": note}


def bench_data(model, dataset, quick, config=None, examples=None):
    """(Splits, resolved TrainConfig): `workshop train MODEL --dataset DATASET`'s data and settings,
    with `config` (TrainConfig fields) over them; the first `examples` training examples (--quick:
    at most QUICK_EXAMPLES)."""
    from workshop.training.prepare import prepare
    cfg = TrainConfig(model=model, dataset=dataset, seed=0, **(config or {})).resolved()
    data = prepare(cfg)
    keep = examples or (QUICK_EXAMPLES if quick else None)
    if keep and keep < len(data.x_train):
        data = replace(data, x_train=data.x_train[:keep], y_train=data.y_train[:keep])
    return data, cfg


def is_large(dataset) -> bool:
    """MNIST's size (tens of thousands of examples), where an eager epoch takes minutes."""
    from workshop.data.catalog import DATASETS
    return DATASETS[dataset].train > 10_000


def throughput_specs(model, dataset, quick):
    """The contenders of one model's throughput table: the reference, the default path, each level."""
    specs = [Spec(f"{model} reference recipe (plain fit, Adam, batch 128)", "reference", model, threads="tensorflow"),
             Spec(f"{model} reference recipe as written (its validation pass included)", "recipe", model,
                  threads="tensorflow"),
             Spec(f"{model} default path (workshop train {model}: validation and dashboards included)", "default",
                  model),
             Spec(f"{model} keras (fit)", "level", model, {"api": "keras"}),
             Spec(f"{model} layers (tf.function)", "level", model, {"api": "layers"}),
             Spec(f"{model} raw (tf.function)", "level", model, {"api": "raw"}),
             Spec(f"{model} keras (fit, steps_per_execution=1)", "level", model, {"api": "keras"},
                  {"steps_per_execution": 1})]
    if not is_large(dataset):  # at 28x28 the thread rule keeps TensorFlow's threads: the same contender
        specs.append(Spec(f"{model} keras (fit) on TensorFlow's default threads", "level", model, {"api": "keras"},
                          threads="tensorflow"))
    if model == "cnn":
        specs.append(Spec("cnn keras (fit, mixed_bfloat16)", "level", model, {"api": "keras"},
                          {"precision": "mixed_bfloat16"}))
    else:
        specs.append(Spec("mlp keras (fit on NumPy arrays instead of tf.data)", "arrays", model, {"api": "keras"}))
    if quick or not is_large(dataset):  # 0.04-0.6x: minutes per epoch at MNIST's size
        specs += [Spec(f"{model} layers (eager)", "level", model, {"api": "layers"}, mode="eager"),
                  Spec(f"{model} raw (jit_compile)", "level", model, {"api": "raw"}, mode="jit")]
    return specs


def throughput(model, dataset, rounds, quick):
    from workshop.bench.driver import round_robin
    specs = throughput_specs(model, dataset, quick)
    speeds = round_robin(specs, rounds, dataset, quick)
    ref, recipe = (statistics.median(speeds[s.name]) for s in specs[:2])
    fit = statistics.median(speeds[f"{model} keras (fit)"])
    _, cfg = bench_data(model, dataset, quick)

    def target(spec):
        if spec.kind == "default":
            return ">= 1.5x" if model == "cnn" else ">= 2x"
        return f">= {fit / ref:.2f}x (fit's)" if spec.name.endswith("(tf.function)") else ""

    def note(spec):
        batch = 128 if spec.kind in ("reference", "recipe") else cfg.batch_size
        threads = "TensorFlow's threads" if spec.threads == "tensorflow" else "the project's thread rule"
        timed = "; whole epochs" if spec.whole_epoch else "; training batches only"
        return f"batch {batch}; {threads}{timed}" + ("; ratio to the recipe as written" * (spec.kind == "default"))

    def base(spec):  # whole epochs are compared with whole epochs, training batches with training batches
        return recipe if spec.whole_epoch else ref
    return [_row("throughput", s.name, speeds[s.name], "examples/s", base(s), target(s), note(s)) for s in specs]


def peak(dataset, quick, rows):
    """The machine's float32 matmul peak, and the fraction of it the CNN's compiled step reaches."""
    from workshop.bench.driver import one_shot
    from workshop.bench.flops import cnn_train_flops_per_example
    from workshop.data.catalog import DATASETS
    gflops = float(one_shot(Spec("matmul peak", "peak"), "peak", dataset, quick)[0])
    per_example = cnn_train_flops_per_example(DATASETS[dataset].shape)
    out = [_row("peak", "float32 matmul 2048x2048 (TensorFlow)", [gflops], "GFLOP/s",
                note="its own process, TensorFlow's threads (all cores)")]
    for r in rows:
        if r["name"] in ("cnn reference recipe (plain fit, Adam, batch 128)", "cnn keras (fit)"):
            out.append(_row("peak", f"{r['name']}: achieved", [r["median"] * per_example / 1e9], "GFLOP/s", gflops,
                            target=">= 0.40" if r["name"] == "cnn keras (fit)" else "",
                            note=f"{per_example / 1e6:.2f} MFLOP per training example"))
    return out


def time_to_accuracy(dataset, quick):
    """The reference recipe's own schedule, and the default path's: how soon each reaches the
    validation accuracy the reference ends with, and the test accuracy each ends with. Validation
    says when a target is reached; the test split is scored once, at the end, to report."""
    from workshop.bench.specs import first_reaching
    from workshop.bench.driver import curve
    _, cfg = bench_data("cnn", dataset, quick)
    ref_epochs = 3 if quick else REFERENCE_EPOCHS
    ref = curve(Spec("reference", "recipe", threads="tensorflow"), ref_epochs, dataset, quick)  # whole epochs, as ours
    ours = curve(Spec("default", "default"), cfg.epochs, dataset, quick)
    target = ref["val_accuracy"][-1]
    ref_seconds, ref_epoch = first_reaching(ref, target)
    reached = first_reaching(ours, target)
    rows = [_row("time to accuracy", f"reference recipe to its final {target:.2%} validation accuracy",
                 [ref_seconds], "s", ref_seconds,
                 note=f"epoch {ref_epoch} of its {ref_epochs}; batch 128, Adam 0.001; whole epochs"),
            _row("time to accuracy", f"cnn default path to the same {target:.2%}",
                 [reached[0] if reached else math.fsum(ours["seconds"])], "s", ref_seconds if reached else None,
                 target="<= 0.3x",
                 note=(f"epoch {reached[1]} of its {cfg.epochs}" if reached else
                       f"not reached in {cfg.epochs} epochs (best {max(ours['val_accuracy']):.2%})")
                 + f"; batch {cfg.batch_size}, {cfg.optimizer} {cfg.learning_rate}; whole epochs"),
            _row("time to accuracy", f"reference recipe: test accuracy after {ref_epochs} epochs",
                 [100 * ref["test_accuracy"]], "%", note=f"{math.fsum(ref['seconds']):.0f} s, its validation included"),
            _row("time to accuracy", f"cnn default path: test accuracy after {cfg.epochs} epochs",
                 [100 * ours["test_accuracy"]], "%", target=f">= {100 * ref['test_accuracy']:.2f}",
                 note=f"{math.fsum(ours['seconds']):.0f} s, validation and dashboards included")]
    return rows


def scaling(dataset, quick):
    """examples/s of the default path's loop and the reference recipe as cores and batch sizes grow."""
    from workshop.bench.driver import round_robin
    examples = min(SCALING_EXAMPLES, QUICK_EXAMPLES) if quick else SCALING_EXAMPLES
    cores = sorted({1, *(2 ** k for k in range(1, 8) if 2 ** k < len(os.sched_getaffinity(0))),
                    len(os.sched_getaffinity(0))})
    batches = (64, 256) if quick else (32, 64, 128, 256, 512)
    specs = []
    for n in cores:
        specs += [Spec(f"cnn default path's loop, {n} core{'s' * (n > 1)}", "level", config={"api": "keras"},
                       cores=n, examples=examples),
                  Spec(f"cnn reference recipe, {n} core{'s' * (n > 1)}", "reference", cores=n,
                       threads="tensorflow", examples=examples)]
    for b in batches:
        specs += [Spec(f"cnn default path's loop, batch {b}", "level", config={"api": "keras", "batch_size": b},
                       examples=examples),
                  Spec(f"cnn reference recipe, batch {b}", "reference", config={"batch_size": b},
                       threads="tensorflow", examples=examples)]
    speeds = round_robin(specs, 1 if quick else 2, dataset, quick, together=False)
    one = {kind: statistics.median(speeds[f"cnn {kind}, 1 core"]) for kind in ("default path's loop",
                                                                             "reference recipe")}
    return [_row("scaling", s.name, speeds[s.name], "examples/s",
                 one["reference recipe" if s.kind == "reference" else "default path's loop"] if s.cores else None,
                 note=f"{examples} examples per epoch" + ("; ratio to 1 core" if s.cores else ""))
            for s in specs]


def inference(dataset, repeats):
    """Single-image latency and batch throughput through `workshop predict`'s code path."""
    from PIL import Image
    from workshop import saving
    from workshop.predict import predict_images
    from workshop.training.train import build_model, save, view_of
    data, cfg = bench_data("cnn", dataset, quick=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = save(cfg, view_of(build_model(cfg, data), cfg.api), data, Path(tmp) / "cnn.keras")
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


def run_benchmark(dataset="digits60k", quick=False, rounds=None, sections=SECTIONS, log=print):
    rounds = rounds or (2 if quick else 3)
    rows = []
    if "throughput" in sections or "peak" in sections:
        for model in ("cnn", "mlp"):
            log(f"throughput: {model}, {rounds} rounds, every contender in its own process ...")
            rows += throughput(model, dataset, rounds, quick)
    if "peak" in sections:
        log("matmul peak ...")
        rows += peak(dataset, quick, rows)
    if "time to accuracy" in sections:
        log("time to accuracy: the reference's schedule, then the default path's ...")
        rows += time_to_accuracy(dataset, quick)
    if "scaling" in sections:
        log("scaling: cores and batch sizes ...")
        rows += scaling(dataset, quick)
    if "inference" in sections:
        log("inference ...")
        rows += inference(dataset, repeats=20 if quick else 200)
    if "start-up" in sections:
        log("start-up ...")
        rows += startup(repeats=1 if quick else 5)
    return rows
