"""`train(config)`: any algorithm at any level, from data to logs to a saved model.

    data (prepare.py) -> initial weights (algorithms/weights.py, same for all levels)
    -> model (algorithms/<model>_<api>.py) -> the level's loop -> test split -> summary
    -> logs/<experiment>/<run>/ and, if asked, a saved model.

The summary is a flat dict (the `--json` output): model, api, dataset, epochs,
train_loss, train_accuracy, val_loss, val_accuracy, test_loss, test_accuracy,
examples_per_second, wall_seconds, seconds_to_first_step, intra_op_threads, run_dir
(+ a, b, true_a, true_b for linear).
"""

import importlib
import time
from dataclasses import asdict
from pathlib import Path

from workshop.algorithms import ALGORITHMS, module_name
from workshop.algorithms.shapes import kernel_shapes
from workshop.algorithms.weights import initial_weights
from workshop.config import TrainConfig
from workshop.paths import logs_dir
from workshop.training.common import steps_in
from workshop.training.prepare import numpy_metrics, prepare
from workshop.training.rundir import new_run_dir


def build_model(cfg, data, weights=None):
    """The model of cfg.model at level cfg.api, started from `weights` (default: from cfg.seed)."""
    if weights is None:
        weights = initial_weights(kernel_shapes(cfg.model, data.input_shape, data.classes, cfg.hidden), cfg.seed)
    module = importlib.import_module(module_name(cfg.model, cfg.api))
    if cfg.precision == "float32":
        return module.create(cfg, data.input_shape, data.classes, weights)
    from workshop.tf_env import keras
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(cfg.precision)  # layers take the policy in force when they are made
    try:
        return module.create(cfg, data.input_shape, data.classes, weights)
    finally:
        keras.config.set_dtype_policy(before)


def view_of(model, api):
    from workshop.training.views import KerasView, NumpyView, RawView
    return {"numpy": NumpyView, "raw": RawView}.get(api, KerasView)(model)


def fit(cfg, model, data, task, callbacks=(), graph_dir=None):
    """Run the loop of cfg.api on `model`; returns the history dict."""
    if cfg.api == "numpy":
        from workshop.training import numpy_loop
        return numpy_loop.fit(model, (data.x_train, data.y_train, data.x_val, data.y_val), task, cfg, callbacks)
    from workshop.data import make_dataset
    train_ds = make_dataset(data.x_train, data.y_train, cfg.batch_size, shuffle=True, seed=cfg.seed, repeat=True)
    steps = steps_in(len(data.x_train), cfg.batch_size)
    val_ds = make_dataset(data.x_val, data.y_val, max(cfg.batch_size, 256), shuffle=False)
    if cfg.api == "keras":
        from workshop.training import keras_fit
        return keras_fit.fit(model, train_ds, val_ds, task, cfg, callbacks, steps)
    loop = importlib.import_module(f"workshop.training.{cfg.api}_loop")
    return loop.fit(model, train_ds, val_ds, task, cfg, callbacks, steps, graph_dir=graph_dir)


def to_keras(cfg, view, data):
    """The keras-level float32 Sequential holding `view`'s learned weights (how raw, layers and
    mixed-precision runs save: the weights are float32 at every precision)."""
    if cfg.api == "keras" and cfg.precision == "float32":
        return view.model
    module = importlib.import_module(module_name(cfg.model, "keras"))
    return module.create(cfg, data.input_shape, data.classes, view.get_weights())  # made outside build_model: float32


def save(cfg, view, data, path):
    from workshop import saving
    meta = {"model": cfg.model, "api": cfg.api, "dataset": cfg.dataset, "input_shape": list(data.input_shape),
            "classes": data.classes, "class_names": list(data.class_names), "hidden": list(cfg.hidden),
            "task": ALGORITHMS[cfg.model].task, "data_version": data.version, "seed": cfg.seed,
            "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if cfg.api == "numpy":
        return saving.save_npz(view.get_weights(), path, meta)
    return saving.save_keras(to_keras(cfg, view, data), path, meta)


def summarize(cfg, history, view, data, task, run_dir, wall):
    test_loss, test_acc = numpy_metrics(task, data.y_test, view.predict(data.x_test))
    last = lambda key: history[key][-1] if history.get(key) else None  # noqa: E731
    epochs_done = len(history.get("loss", []))
    seconds = history.get("_seconds") or wall
    summary = {
        "model": cfg.model, "api": cfg.api, "dataset": cfg.dataset, "epochs": epochs_done,
        "batch_size": cfg.batch_size, "learning_rate": cfg.learning_rate, "optimizer": cfg.optimizer,
        "seed": cfg.seed, "train_loss": last("loss"), "train_accuracy": last("accuracy"),
        "val_loss": last("val_loss"), "val_accuracy": last("val_accuracy"),
        "test_loss": test_loss, "test_accuracy": test_acc,
        "examples_per_second": epochs_done * len(data.x_train) / seconds if seconds else None,
        "wall_seconds": time.perf_counter() - wall, "run_dir": str(run_dir),
    }
    if task == "regress":
        w = view.get_weights()
        summary.update(a=float(w[0].ravel()[0]), b=float(w[1].ravel()[0]),
                       true_a=data.extra["a"], true_b=data.extra["b"])
    return summary


def train(config: TrainConfig) -> dict:
    """Train one algorithm at one level; returns the summary dict (see module docstring)."""
    start = time.perf_counter()
    cfg = config.resolved()
    if cfg.model == "perceptron":
        from workshop.training.perceptron_run import train_perceptron
        return train_perceptron(cfg)
    task = ALGORITHMS[cfg.model].task
    data = prepare(cfg, task)
    run_dir = new_run_dir(logs_dir(cfg.logdir), cfg.experiment, f"{cfg.model}-{cfg.api}-{cfg.dataset}")
    from workshop.training import threads
    intra_op_threads = threads.apply(threads.choose(cfg, data.input_shape, data.classes))  # before any TF op
    model = build_model(cfg, data)
    view = view_of(model, cfg.api)
    from workshop.tensorboard.callbacks import standard_callbacks
    from workshop.training.timing import FirstStep
    first_step = FirstStep(start)
    callbacks = [first_step, *standard_callbacks(cfg, run_dir, view, data, task)]
    from workshop.training.common import NonFiniteLoss
    try:
        history = fit(cfg, model, data, task, callbacks, graph_dir=Path(run_dir) / "train")
    except NonFiniteLoss as e:
        if cfg.save:  # the last good weights, never a NaN model
            save(cfg, view, data, cfg.save)
        raise NonFiniteLoss(f"{e}" + (f" (saved to {cfg.save})" if cfg.save else "")) from None
    summary = summarize(cfg, history, view, data, task, run_dir, start)
    summary["intra_op_threads"] = intra_op_threads  # 0: one per core
    summary["seconds_to_first_step"] = first_step.seconds  # data, model, tracing: the wait before anything moves
    if cfg.save:
        summary["saved"] = str(save(cfg, view, data, cfg.save))
    summary["config"] = {k: v for k, v in asdict(cfg).items() if k not in ("verbose",)}
    return summary
