"""What every custom loop shares: epoch bookkeeping, progress display, the NaN stop."""

import math
import time

import numpy as np

from workshop.errors import WorkshopError


class NonFiniteLoss(WorkshopError):
    """The loss became NaN or infinite; the model holds the last good weights again."""


class EpochMeans:
    """Example-weighted running means of a batch's loss and correct count, as Keras's metrics do."""

    def __init__(self):
        self.n, self.loss_sum, self.correct = 0, 0.0, 0.0

    def add(self, batch_size, loss, correct=None):
        self.n += batch_size
        self.loss_sum += float(loss) * batch_size
        if correct is not None:
            self.correct += float(correct)

    def logs(self, prefix="", with_accuracy=True):
        out = {f"{prefix}loss": self.loss_sum / max(self.n, 1)}
        if with_accuracy:
            out[f"{prefix}accuracy"] = self.correct / max(self.n, 1)
        return out


def check_finite(loss, view, good_weights, epoch, step):
    """Stop with a clear message when the loss blows up, putting the last good weights back."""
    if not math.isfinite(float(loss)):
        view.set_weights(good_weights)
        raise NonFiniteLoss(
            f"the loss became {float(loss)} at epoch {epoch + 1}, step {step + 1}: the learning rate is probably "
            "too large; training stopped and the weights from the end of the last good epoch are kept")


def progbar(steps, verbose):
    """Keras's progress bar; off a terminal (CI, a pipe) one line per epoch, as `fit(verbose=2)`."""
    import sys

    from workshop.tf_env import keras
    mode = 0 if not verbose else (1 if sys.stdout.isatty() else 2)
    return keras.utils.Progbar(steps, verbose=mode, unit_name="step")


def run_epochs(config, view, callbacks, steps_per_epoch, train_epoch, evaluate_val, learning_rate):
    """The epoch loop every custom level runs; the level supplies the batch loop.

    train_epoch(epoch, bar, good_weights) -> EpochMeans of the training batches.
    evaluate_val() -> logs dict with val_loss (and val_accuracy).
    Returns the history {key: [value per epoch]} like Keras's `History.history`.
    """
    history = {}
    for cb in callbacks:
        cb.on_train_begin()
    start = time.perf_counter()
    for epoch in range(config.epochs):
        if config.verbose:
            print(f"Epoch {epoch + 1}/{config.epochs}")
        for cb in callbacks:
            cb.on_epoch_begin(epoch)
        good_weights = view.get_weights()
        bar = progbar(steps_per_epoch, config.verbose)
        means = train_epoch(epoch, bar, good_weights, callbacks)
        logs = {**means, **evaluate_val(), "learning_rate": learning_rate}
        bar.update(steps_per_epoch, values=[(k, v) for k, v in logs.items() if k != "learning_rate"], finalize=True)
        for k, v in logs.items():
            history.setdefault(k, []).append(float(v))
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if view.stop_training:
            break
    history["_seconds"] = time.perf_counter() - start
    for cb in callbacks:
        cb.on_train_end(logs)
    return history


def steps_in(n, batch_size):
    return int(np.ceil(n / batch_size))


def steps_per_call(config, steps):
    """Batches per compiled call (Keras's `steps_per_execution`), the same rule at every TF level.

    0 in the config means auto: a whole epoch, at most 64 batches, in one call. The math is the
    same (the same batches, in the same order), only the Python between steps goes. Per-batch
    summaries need a callback after every batch, so they get one batch per call.
    """
    if config.batch_summaries:
        return 1
    return config.steps_per_execution or min(steps, 64)


def many_steps(train_step):
    """`train_step(x, y) -> (loss, correct)` repeated n times in one compiled call, reading the
    endless batch iterator inside the graph, as `fit(steps_per_execution=n)` does.

    Returns train_steps(batches, n) -> (loss x batch size summed, correct summed, examples).
    """
    from workshop.tf_env import tf

    @tf.function
    def train_steps(batches, n):
        loss_sum, correct_sum, count = tf.constant(0.0), tf.constant(0.0), tf.constant(0.0)
        for _ in tf.range(n):
            x, y = next(batches)
            loss, correct = train_step(x, y)
            size = tf.cast(tf.shape(x)[0], tf.float32)
            loss_sum, correct_sum, count = loss_sum + loss * size, correct_sum + correct, count + size
        return loss_sum, correct_sum, count

    return train_steps


def train_in_calls(epoch, steps, per_call, batches, train_step, train_steps, view, good_weights, bar, callbacks,
                   graph_dir=None):
    """One epoch of `steps` batches in compiled calls of `per_call` batches; returns its EpochMeans.

    After every call: the NaN check, the progress bar, and on_train_batch_end with the call's
    mean loss (as `fit` calls back once per execution). With `graph_dir`, the very first batch
    of the run goes alone through `traced`, so the Graphs dashboard shows one training step.
    """
    from workshop.tf_env import tf

    means, done = EpochMeans(), 0
    first_alone = graph_dir is not None and epoch == 0
    while done < steps:
        if first_alone and done == 0:
            x, y = next(batches)
            loss, correct = (float(t) for t in traced(train_step, x, y, graph_dir))
            n, size = 1, int(x.shape[0])
        else:
            n = min(per_call, steps - done)
            loss_sum, correct, size = (float(t) for t in train_steps(batches, tf.constant(n)))
            loss = loss_sum / size
        done += n
        check_finite(loss, view, good_weights, epoch, done - 1)
        means.add(size, loss, correct)
        bar.update(done, values=[("loss", loss)])
        for cb in callbacks:
            cb.on_train_batch_end(done - 1, {"loss": loss})
    return means


def traced(step_fn, x, y, logdir):
    """Call `step_fn(x, y)` once with graph tracing on, and write the graph to `logdir`
    for TensorBoard's Graphs dashboard (the op graph of the compiled training step)."""
    from workshop.tf_env import tf

    if logdir is None:
        return step_fn(x, y)
    tf.summary.trace_on(graph=True)
    out = step_fn(x, y)
    with tf.summary.create_file_writer(str(logdir)).as_default():
        tf.summary.trace_export("train_step", step=0)
    return out
