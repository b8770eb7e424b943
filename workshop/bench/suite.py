"""The benchmark suite: `run_benchmark(...)`, every measurement of `workshop bench`, as rows of one table.

A row: section, name, median, low, high (min-max over rounds), unit, ratio (to the section's
reference, when there is one), target and note. Every training contender runs in a fresh worker
process of its own (worker.py), Keras's recipe included; the project's contenders run through
`train(TrainConfig, RunOptions)`, as `workshop train` runs them.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop.algorithms import ALGORITHMS
from workshop.bench import SECTIONS, driver
from workshop.bench.specs import Spec, first_reaching
from workshop.config import TrainConfig
from workshop.data.catalog import DATASETS

SCALING_EXAMPLES = 12800  # the scaling table's epochs: long enough to time, short enough for many rows
REFERENCE_EPOCHS = 15  # the recipe's own schedule (Keras's MNIST convnet example)
NO_DASHBOARDS = {"dashboards": False}


def _row(section, name, values, unit, reference=None, target="", note=""):
    values = list(values)
    med = statistics.median(values)
    return {"section": section, "name": name, "median": med, "low": min(values), "high": max(values),
            "unit": unit, "ratio": (med / reference) if reference else None, "target": target, "note": note}


def is_large(dataset) -> bool:
    """MNIST's size (tens of thousands of examples), where the speed targets apply."""
    return DATASETS[dataset].train > 10_000


def defaults(model, dataset, **config) -> TrainConfig:
    """The settings `workshop train MODEL --dataset DATASET` trains with, `config` over them."""
    return TrainConfig(model=model, dataset=dataset, **config).resolved()


def recipe_name(model):
    return f"{model} recipe as written (Keras's example: fit, Adam, batch 128)"


def default_name(model, label=None):
    return f"{model} default path (workshop train {model})" + (f" [{label}]" if label else "")


def no_dashboards(name):
    """The name of the same contender run with RunOptions(dashboards=False)."""
    return name.replace(" [", ", no dashboards [") if name.endswith("]") else name + ", no dashboards"


def throughput_specs(model, dataset, quick, other=None):
    """The contenders of one model's throughput table: the recipe, the default path with and without
    its dashboards (and the same from another checkout, other=(label, root)), each other level and
    the keras level's variants, all without dashboards but the default path."""
    api = defaults(model, dataset).api
    specs = [Spec(recipe_name(model), "recipe", model),
             Spec(default_name(model), "train", model),
             Spec(no_dashboards(default_name(model)), "train", model, options=NO_DASHBOARDS)]
    if other:
        label, root = other
        specs += [Spec(default_name(model, label), "train", model, code=root),
                  Spec(no_dashboards(default_name(model, label)), "train", model, options=NO_DASHBOARDS, code=root)]
    specs += [Spec(no_dashboards(f"{model} {level} level"), "train", model, {"api": level}, NO_DASHBOARDS)
              for level in ALGORITHMS[model].levels if level != api]
    specs.append(Spec(no_dashboards(f"{model} keras, steps_per_execution=1"), "train", model, {"api": "keras"},
                      {**NO_DASHBOARDS, "steps_per_execution": 1}))
    if model == "cnn":
        specs.append(Spec(no_dashboards("cnn keras, mixed_bfloat16"), "train", model, {"api": "keras"},
                          {**NO_DASHBOARDS, "precision": "mixed_bfloat16"}))
    if quick or not is_large(dataset):  # 0.04-0.6x: minutes per epoch at MNIST's size
        specs += [Spec(no_dashboards(f"{model} layers level, eager"), "train", model, {"api": "layers"},
                       NO_DASHBOARDS, mode="eager"),
                  Spec(no_dashboards(f"{model} keras, jit_compile"), "train", model, {"api": "keras"},
                       {**NO_DASHBOARDS, "jit_compile": True})]
    return specs


def throughput(model, dataset, rounds, quick, other=None):
    """Examples/s of every contender, whole epochs, as ratios to the recipe's; then what the
    dashboards cost (the default path with and without them, side by side in every round) and,
    with other=(label, root), this code's default path against the other checkout's."""
    specs = throughput_specs(model, dataset, quick, other)
    speeds = driver.round_robin(specs, rounds, dataset, quick)
    recipe = statistics.median(speeds[specs[0].name])
    large = is_large(dataset)

    def note(spec):
        cfg = defaults(model, dataset, **spec.config)
        batch = spec.config.get("batch_size", 128) if spec.kind == "recipe" else cfg.batch_size
        what = ("training, validation, dashboards and resume checkpoint" if spec.kind == "train" and
                spec.options.get("dashboards", True) else "training and validation")
        return f"batch {batch}; whole epochs: {what}"

    def target(spec):
        return ">= 1.1x" if large and model == "cnn" and spec.name == default_name(model) else ""
    rows = [_row("throughput", s.name, speeds[s.name], "examples/s", recipe, target(s), note(s)) for s in specs]
    for label in ([None, other[0]] if other else [None]):
        with_, without = speeds[default_name(model, label)], speeds[no_dashboards(default_name(model, label))]
        rows.append(_row("throughput", f"{model} TensorBoard's share of an epoch" + (f" [{label}]" if label else ""),
                         [100 * (1 - a / b) for a, b in zip(with_, without)], "%",
                         target="<= 5" if large and not label else "",
                         note="1 - (default path / the same without dashboards), each round"))
    if other:
        label = other[0]
        for mine, theirs in ((default_name(model), default_name(model, label)),
                             (no_dashboards(default_name(model)), no_dashboards(default_name(model, label)))):
            rows.append(_row("throughput", f"{mine}: this code / [{label}]",
                             [a / b for a, b in zip(speeds[mine], speeds[theirs])], "x",
                             target=">= 0.90" if large else "",
                             note="examples/s, this code over the other, each round"))
    return rows


def peak(dataset, quick, rows):
    """The machine's float32 matmul peak, and the fraction of it the CNN's whole epochs reach."""
    from workshop.bench.flops import cnn_train_flops_per_example
    gflops = float(driver.one_shot(Spec("matmul peak", "peak"), "peak", dataset, quick)[0])
    info = DATASETS[dataset]
    train_flops = cnn_train_flops_per_example(info.shape)
    out = [_row("peak", "float32 matmul 2048x2048 (TensorFlow)", [gflops], "GFLOP/s",
                note="its own process, all cores")]
    for name in (recipe_name("cnn"), no_dashboards(default_name("cnn"))):
        found = [r for r in rows if r["name"] == name]
        if found:
            examples = Spec(name, "train").examples_per_epoch(dataset, quick)
            # an epoch: forward and backward over the training examples, forward over the validation split
            per_example = train_flops + train_flops / 3 * info.val / examples
            out.append(_row("peak", f"{name}: achieved", [found[0]["median"] * per_example / 1e9], "GFLOP/s", gflops,
                            note=f"{per_example / 1e6:.2f} MFLOP per training example, validation included"))
    return out


def time_to_accuracy(dataset, quick):
    """The recipe's own schedule, and the default path's: how soon each reaches the validation
    accuracy the recipe ends with, and the test accuracy each ends with. Validation says when a
    target is reached; the test split is scored once, at the end, to report."""
    cfg = defaults("cnn", dataset)
    ref_epochs = 3 if quick else REFERENCE_EPOCHS
    ref = driver.curve(Spec("recipe", "recipe"), ref_epochs, dataset, quick)
    ours = driver.curve(Spec("default", "train"), cfg.epochs, dataset, quick)
    target = ref["val_accuracy"][-1]
    ref_seconds, ref_epoch = first_reaching(ref, target)
    reached = first_reaching(ours, target)
    clock = "whole epochs, from loading the data"
    reported = "scored once, after training: reported, never chosen by"
    return [_row("time to accuracy", f"recipe to its final {target:.2%} validation accuracy", [ref_seconds], "s",
                 ref_seconds, note=f"epoch {ref_epoch} of its {ref_epochs}; batch 128, Adam 0.001; {clock}"),
            _row("time to accuracy", f"cnn default path to the same {target:.2%}",
                 [reached[0] if reached else math.fsum(ours["seconds"])], "s", ref_seconds if reached else None,
                 target="<= 0.3x" if is_large(dataset) else "",
                 note=(f"epoch {reached[1]} of its {cfg.epochs}" if reached else
                       f"not reached in {cfg.epochs} epochs (best {max(ours['val_accuracy']):.2%})")
                 + f"; batch {cfg.batch_size}, {cfg.optimizer} {cfg.learning_rate} {cfg.schedule}; {clock}"),
            _row("time to accuracy", f"recipe: test accuracy after {ref_epochs} epochs",
                 [100 * ref["test_accuracy"]], "%", note=f"{math.fsum(ref['seconds']):.0f} s; {reported}"),
            _row("time to accuracy", f"cnn default path: test accuracy after {cfg.epochs} epochs",
                 [100 * ours["test_accuracy"]], "%", note=f"{math.fsum(ours['seconds']):.0f} s; {reported}")]


def scaling(dataset, quick):
    """Examples/s of the default path's level (no dashboards) and the recipe as cores and batch sizes grow."""
    from workshop.bench.specs import QUICK_EXAMPLES
    examples = min(SCALING_EXAMPLES, QUICK_EXAMPLES) if quick else SCALING_EXAMPLES
    cpus = len(os.sched_getaffinity(0))
    cores = sorted({1, *(2 ** k for k in range(1, 8) if 2 ** k < cpus), cpus})
    ours = no_dashboards("cnn keras level")

    def pair(suffix, cores=None, batch_size=None):
        config = {"batch_size": batch_size} if batch_size else {}
        return [Spec(f"{ours}, {suffix}", "train", "cnn", {"api": "keras", **config}, NO_DASHBOARDS, cores=cores,
                     examples=examples),
                Spec(f"cnn recipe, {suffix}", "recipe", "cnn", config, cores=cores, examples=examples)]
    specs = [s for n in cores for s in pair(f"{n} core{'s' * (n > 1)}", cores=n)]
    specs += [s for b in ((64, 256) if quick else (32, 64, 128, 256, 512)) for s in pair(f"batch {b}", batch_size=b)]
    speeds = driver.round_robin(specs, 1 if quick else 2, dataset, quick, together=False)
    one = {s.kind: statistics.median(speeds[s.name]) for s in specs[:2]}
    return [_row("scaling", s.name, speeds[s.name], "examples/s", one[s.kind] if s.cores else None,
                 note=f"{examples} training examples per epoch, whole epochs" + "; ratio to 1 core" * bool(s.cores))
            for s in specs]


def inference(dataset, repeats):
    """Single-image latency and batch throughput through `workshop predict`'s code path, on a CNN
    `train()` saved after one short epoch."""
    import numpy as np
    from PIL import Image
    from workshop import data, saving
    from workshop.config import RunOptions
    from workshop.predict import predict_images
    from workshop.training.train import train
    x_test = data.load(dataset).x_test
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cnn.keras"
        train(TrainConfig(model="cnn", dataset=dataset, epochs=1, max_examples=512),
              RunOptions(save=str(path), logdir=tmp, verbose=0, dashboards=False))
        loaded, meta = saving.load(path)
        images = []
        for i in range(64):
            p = Path(tmp) / f"{i}.png"
            Image.fromarray((x_test[i, ..., 0] * 255).astype(np.uint8)).resize((64, 64)).save(p)
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

    with tempfile.TemporaryDirectory() as logdir:
        train_runs = wall(["train", "mlp", "--epochs", "1", "--json", "--logdir", logdir])
    return [_row("start-up", "workshop --help", wall(["--help"])[0], "s", target="< 0.5"),
            _row("start-up", "workshop agenda", wall(["agenda"])[0], "s", target="< 0.5"),
            _row("start-up", "workshop train mlp: launch to first step", map(
                to_first_step, zip(train_runs[1], train_runs[0])), "s", target="< 8",
                note="process wall time, less train()'s time after its first step")]


def run_benchmark(dataset="digits60k", quick=False, rounds=None, sections=SECTIONS, log=print, other=None):
    """Every row of `sections`. other: (label, root) of another checkout whose default paths run
    beside this code's in the throughput rounds."""
    rounds = rounds or (2 if quick else 3)
    rows = []
    if "throughput" in sections or "peak" in sections:
        for model in ("cnn", "mlp"):
            log(f"throughput: {model}, {rounds} rounds, every contender in its own process ...")
            rows += throughput(model, dataset, rounds, quick, other)
    if "peak" in sections:
        log("matmul peak ...")
        rows += peak(dataset, quick, rows)
    if "time to accuracy" in sections:
        log("time to accuracy: the recipe's schedule, then the default path's ...")
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
