"""`train(config, options)`: any algorithm at any level, from data to logs to a saved model.

    data (prepare.py) -> initial weights (algorithms/weights.py, the same at every level)
    -> model (algorithms/<model>_<api>.py) -> the level's loop (levels.py)
    -> the test split, scored once -> logs/<experiment>/<run>/ and, if asked, a saved model.

The summary is a flat dict (the `--json` output): model, api, dataset, epochs, batch_size,
learning_rate, optimizer, seed, train_loss, train_accuracy, val_loss, val_accuracy,
test_loss, test_accuracy, examples_per_second, wall_seconds, seconds_to_first_step,
intra_op_threads, run_dir (+ a, b, true_a, true_b for linear; saved with --save; workers when
trained on several), and config (both configs as one dict).
"""

import functools
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from workshop import metrics
from workshop.config import RunOptions, TrainConfig, settings
from workshop.paths import logs_dir
from workshop.tensorboard.dashboards import BatchLoss, Dashboards, write_results
from workshop.tensorboard.graph import KerasStepGraph
from workshop.tensorboard.writers import RunWriters
from workshop.tf_env import tf
from workshop.training import distributed, speed
from workshop.training.checkpoints import EpochCheckpoint, after_event_files, interrupted_run
from workshop.training.guards import TrainingDiverged, StopOnDivergence, StopOnNonFinite, StopWhenAsked
from workshop.training.levels import LEVELS, build_model, metadata
from workshop.training.prepare import prepare
from workshop.training.progress import ProgressLines
from workshop.training.rundir import claim, new_run_dir, release


def view_of(model, api):
    """The level's view of `model` (views.py): weights, predictions, features."""
    return LEVELS[api].view(model)


def loop_of(config, options):
    """fit(model, data, config, writers, callbacks, checkpoint) of config.api: its level's loop, or on
    several workers (`train --workers`) distributed_loop.py's."""
    if distributed.strategy() is not None:
        from workshop.training import distributed_loop
        return distributed_loop.fit
    fit = LEVELS[config.api].fit
    return functools.partial(fit, options=options) if config.api == "keras" else fit  # compile's speed settings


def fit(config, model, data, callbacks=(), options=RunOptions(), writers=None):
    """Run the loop of config.api on `model`; returns the history {key: [value per epoch]}.
    writers: a RunWriters for the curves (default: write none)."""
    return loop_of(config, options)(model, data, config, writers or RunWriters(None), callbacks)


def save(config, view, data, path):
    """Save the trained model with its metadata, as its level saves (levels.py)."""
    return LEVELS[config.api].save(config, view, data, path, metadata(config, data))


def chance(task, classes) -> float | None:
    """The accuracy of guessing: 1 / classes for a classifier, 1/2 for a binary one, None for a regression."""
    return {"classify": 1 / max(classes, 1), "binary": 0.5}.get(task)


def resume_settings(config, options) -> dict:
    """What a resumed run must share with the run it continues: everything that decides the weights."""
    return json.loads(json.dumps({**asdict(config), "precision": options.precision}))


def run_folder(config, options) -> tuple[Path, bool]:
    """(the run folder, resumed?): the interrupted run to continue with --resume, else a new folder."""
    parent = logs_dir(options.logdir) / options.experiment
    name = options.run_name or f"{config.model}-{config.api}-{config.dataset}"
    found = interrupted_run(parent, name, resume_settings(config, options), strict=options.resume)
    if options.resume and found is None:
        print(f"workshop: no interrupted {name} run under {parent} to resume: starting a new run", file=sys.stderr)
    elif found and not options.resume:  # a killed run of the very same settings: say how to continue it
        print(f"workshop: {found} was interrupted; add --resume to continue it. Starting a new run", file=sys.stderr)
        found = None
    if found:
        claim(found, resumed=True)  # another --resume of it, started meanwhile, is refused
        after_event_files(found)  # its new event files must sort after the interrupted run's
        return found, True
    run_dir = new_run_dir(logs_dir(options.logdir), options.experiment, name)
    claim(run_dir, resumed=False)
    return run_dir, False


def dashboards(config, options, data, view, writers, resumed=False) -> list:
    """The TensorBoard callbacks of a run beside the loop's own scalars (keras level: beside
    keras.callbacks.TensorBoard): the graph of one step, the pictures, texts and histograms."""
    if not options.dashboards:
        return []
    run_settings = {**settings(config, options), "task": config.task}
    found = [Dashboards(writers, view, data, config.task, run_settings, histograms=config.api != "keras",
                        texts=not resumed)]
    if config.api == "keras" and not resumed:  # the custom loops write their train_step's graph themselves
        found.insert(0, KerasStepGraph(writers.train, *batch_specs(data)))
    if options.batch_summaries and config.api != "keras":  # the keras level: TensorBoard(update_freq="batch")
        found.append(BatchLoss(writers.train))
    return found


def batch_specs(data):
    """(x, y) tf.TensorSpecs of a training batch of any size."""
    return (tf.TensorSpec((None, *data.x_train.shape[1:]), tf.as_dtype(data.x_train.dtype)),
            tf.TensorSpec((None, *data.y_train.shape[1:]), tf.as_dtype(data.y_train.dtype)))


def train_callbacks(config, options, data, view, writers, resumed=False) -> list:
    """What every run gets beside its loop, in order: the guards (a stop signal, a NaN or a diverging
    loss stops it), the TensorBoard dashboards, the progress line and, last, the resume checkpoint.
    The dashboards come before anything that may wait (a progress line read by `workshop bench`,
    a notebook's output): they draw pictures within a share of the time an epoch takes to train.
    writers: the run's RunWriters (tensorboard/writers.py), or its run folder."""
    writers = writers if isinstance(writers, RunWriters) else RunWriters(writers)
    guards = [StopOnNonFinite(), StopOnDivergence(config.learning_rate, chance(config.task, data.classes))]
    progress = [ProgressLines(config.epochs)] if options.verbose else []
    return [StopWhenAsked(), *guards, *dashboards(config, options, data, view, writers, resumed), *progress,
            EpochCheckpoint(writers.run_dir, writers, resume_settings(config, options))]  # after each epoch: last


def train(config: TrainConfig, options: RunOptions | None = None) -> dict:
    """Train one algorithm at one level; returns the summary dict (see module docstring).
    In a worker of `train --workers` (distributed.py), the chief (worker 0) runs all of this; the
    others run `train_beside_chief`."""
    start = time.perf_counter()
    config = config.resolved()
    options = (options or RunOptions()).checked(config)
    if config.task == "perceptron":  # its own rule, one example at a time
        from workshop.training.perceptron_run import train_perceptron
        return train_perceptron(config, options, start)
    if not distributed.is_chief():
        return train_beside_chief(config, options)
    if options.save:  # before any minute is spent: a bad --save path fails now, not after training
        from workshop import saving
        saving.check_target(options.save, LEVELS[config.api].suffix)
    data = prepare(config, options.data_dir)
    run_dir, resumed = run_folder(config, options)
    threads = speed.apply_threads(distributed.threads(  # before any op
        speed.choose_threads(config, options, data.input_shape, data.classes)))
    level = LEVELS[config.api]
    with distributed.scope_for(config.api):
        model = build_model(config, data, options=options)
    view = level.view(model)

    writers, run_settings = RunWriters(run_dir), {**settings(config, options), "task": config.task}
    stopwatch = speed.Stopwatch(start)
    callbacks = [stopwatch, *train_callbacks(config, options, data, view, writers, resumed)]
    guards = [c for c in callbacks if isinstance(c, (StopOnNonFinite, StopOnDivergence))]
    checkpoint = callbacks[-1]  # train_callbacks puts it last
    for guard in guards:
        if isinstance(guard, StopOnDivergence):
            guard.resumes_from(checkpoint)  # a resumed run's reference loss is kept in its checkpoint
    try:
        # with dashboards off (what `workshop bench` compares with), every tf.summary call records nothing
        with distributed.scope_for(config.api), tf.summary.record_if(options.dashboards):
            history = loop_of(config, options)(model, data, config, writers, callbacks,
                                               checkpoint=distributed.from_chief(checkpoint))
        failed = next((guard.message for guard in guards if guard.message), None)
        if failed:  # a diverged or stalled run never saves: an earlier model at options.save stays as it was
            kept = "" if checkpoint.discard() else (  # nor is it worth resuming, unless it continued an earlier process
                f"; {checkpoint.path} still holds the {checkpoint.resumed} epochs this run resumed from")
            raise TrainingDiverged(failed + ("; nothing was saved" if options.save else "") + kept)
        epochs_here = len(history.get("loss", []))
        history = checkpoint.history  # every epoch, the interrupted run's included
        y_pred = view.predict(data.x_test)  # the test split: scored once, after training, never to choose
        test = metrics.evaluate(config.task, data.y_test, y_pred)
        epochs = len(history["loss"])
        if options.dashboards:
            write_results(writers, run_settings, epochs, test, stopwatch.seconds, view, data, y_pred)
    finally:
        writers.close()
        release(run_dir)

    last = {key: values[-1] for key, values in history.items()}
    summary = {
        "model": config.model, "api": config.api, "dataset": config.dataset, "epochs": epochs,
        "batch_size": config.batch_size, "learning_rate": config.learning_rate, "optimizer": config.optimizer,
        "schedule": config.schedule, "seed": config.seed, "train_loss": last["loss"], "train_accuracy": last.get("accuracy"),
        "val_loss": last.get("val_loss"), "val_accuracy": last.get("val_accuracy"),
        "test_loss": test["loss"], "test_accuracy": test.get("accuracy"),
        "examples_per_second": epochs_here * len(data.x_train) / stopwatch.seconds,
        "wall_seconds": time.perf_counter() - start,
        "seconds_to_first_step": stopwatch.seconds_to_first_step,  # data, model, tracing: the wait before anything moves
        "intra_op_threads": threads,  # 0: one per core
        "run_dir": str(run_dir),
    }
    if (options.workers or 1) > 1:  # trained on workers (train --workers): the speed is theirs together
        summary["workers"] = options.workers
    if config.task == "regress":
        w = view.get_weights()
        summary.update(a=float(w[0].ravel()[0]), b=float(w[1].ravel()[0]),
                       true_a=data.extra["a"], true_b=data.extra["b"])
    if options.save:
        summary["saved"] = str(save(config, view, data, options.save))
    checkpoint.remove()  # finished: nothing to resume
    summary["config"] = settings(config, options)
    return summary


def train_beside_chief(config: TrainConfig, options: RunOptions) -> dict:
    """A worker other than the chief (`train --workers`, distributed.py): the same data, model, loop and
    guards (the logs every worker sees are the same, so all stop together), but it writes nothing: no
    logs, no checkpoint, no model. A resumed run's state comes from the chief. Returns {"worker", "epochs"}."""
    data = prepare(config, options.data_dir)
    speed.apply_threads(distributed.threads(speed.choose_threads(config, options, data.input_shape, data.classes)))
    guards = [StopWhenAsked(), StopOnNonFinite(),
              StopOnDivergence(config.learning_rate, chance(config.task, data.classes))]
    with distributed.scope_for(config.api):
        model = build_model(config, data, options=options)
        history = loop_of(config, options)(model, data, config, RunWriters(None), guards,
                                           checkpoint=distributed.from_chief(None))
    return {"worker": distributed.index(), "epochs": len(history.get("loss", []))}
