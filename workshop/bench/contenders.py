"""What the benchmark times, each contender in a fresh worker process of its own (worker.py).

A `Spec` (specs.py) names a contender and says how to build it; in the worker, `trainer(spec, ...)`
makes it: a function that trains for a number of epochs with the callbacks it is given,
at the project's level (`fit` at the keras level) or as the reference recipe does. The
same callbacks then time every contender alike (`EpochTimer`). What an epoch's seconds cover:
    "default" contenders  the whole epoch as `workshop train` runs it: the training batches,
                          the validation pass and every per-epoch TensorBoard dashboard
    "recipe"              the whole epoch as Keras's example runs it: the training batches
                          and its validation pass
    the others            from the epoch's start to the end of its last training batch
"""

import math
import shutil
import sys
import tempfile
import time
from dataclasses import replace

from workshop.metrics import batch_metrics
from workshop.tf_env import keras, tf


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch: from its start to the end of its last training batch or, with
    whole=True (put it after every other callback), to the end of the epoch's last callback."""

    def __init__(self, whole=False):
        super().__init__()
        self.whole, self.seconds = whole, []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append((time.perf_counter() if self.whole else self._last) - self._t)


class Gate(keras.callbacks.Callback):
    """Holds training after the first epoch and after every `settle + block` epochs that follow,
    until the driver asks for more (a line `epoch` on stdin), and reports through `say` the
    seconds per epoch of the `block` epochs before: so the driver can time its contenders in turn.

    settle: untimed epochs after each wait. A process that waited its turn carries what the
    wait left behind into its next epoch: tf.data's autotuning thread sleeps longer the longer
    an iterator lives, and `fit` deletes the epoch's iterator at the next epoch's start, waiting
    out that sleep (10-40 s after a wait of a minute, 0-3.5 s between consecutive epochs). The
    timed epochs follow an epoch, as in a real run.

    drain: waits for the work an epoch left running in the background (the dashboards' drawing,
    on the writers' thread), timed as part of the block. A block of 2 epochs lets the first one's
    background work overlap the second's training, as in a real run, and counts the last one's in full."""

    def __init__(self, timer, examples, say, drain=None, block=1, settle=1):
        super().__init__()
        self.timer, self.examples, self.say, self.drain = timer, examples, say, drain
        self.block, self.period = block, settle + block

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 0 or (epoch - 1) % self.period:
            return
        if epoch == 1:
            self._finish()  # the untimed first epoch's leftovers
            self.say("ready", self.examples)
        else:
            self.say(self._finish() / self.block)
        if sys.stdin.readline().strip() != "epoch":  # the driver is done (or gone): stop here
            sys.exit(0)

    def on_train_end(self, logs=None):
        self.say(self._finish() / self.block)

    def epochs(self, rounds: int) -> int:
        """Epochs to train for `rounds` answers: the first, untimed, then each round's."""
        return 1 + rounds * self.period

    def _finish(self) -> float:
        """The last block's seconds: its epochs, and the wait for what they left in the background."""
        start = time.perf_counter()
        if self.drain is not None:
            self.drain()
        return math.fsum(self.timer.seconds[-self.block:]) + time.perf_counter() - start


class Drain(keras.callbacks.Callback):
    """At each epoch's end, waits for what it left in the background (`drain`): put before an
    EpochTimer, the epoch is timed with all of its dashboards, none overlapping the next epoch."""

    def __init__(self, drain):
        super().__init__()
        self.drain = drain

    def on_epoch_end(self, epoch, logs=None):
        self.drain()


class ValidationScores(keras.callbacks.Callback):
    """The validation accuracy after every epoch: what says when a contender reached a target."""

    def __init__(self, predict, data):
        super().__init__()
        self.predict, self.data, self.accuracy = predict, data, []

    def on_epoch_end(self, epoch, logs=None):
        self.accuracy.append(accuracy(self.predict, self.data.x_val, self.data.y_val))


def accuracy(predict, x, y) -> float:
    return batch_metrics("classify", y, predict(x))["accuracy"]


def trainer(spec, data, cfg):
    """The contender `spec` (a specs.Spec) describes, on `data` (a Splits) with `cfg` (the resolved TrainConfig of
    spec.model on the dataset, spec.config applied): (train(callbacks, epochs), predict(x) -> y_pred,
    drain() -> None: waits for the background work of the epochs so far, or None if there is none)."""
    from workshop.bench import reference
    from workshop.config import RunOptions
    from workshop.training import schedules
    from workshop.training.tasks import keras_loss, keras_optimizer
    from workshop.tensorboard.writers import Writers
    from workshop.training.train import build_model, fit, train_callbacks, view_of
    if spec.kind in ("reference", "recipe", "arrays"):  # plain `fit`, no callbacks of the project's
        if spec.kind == "arrays":
            model = build_model(cfg, data)
            model.compile(optimizer=keras_optimizer(cfg.optimizer, schedules.learning_rate(cfg, len(data.x_train))),
                          loss=keras_loss(cfg.task))

            def train(callbacks, epochs):
                model.fit(data.x_train, data.y_train, batch_size=cfg.batch_size, epochs=epochs, verbose=0,
                          callbacks=list(callbacks))
        else:
            recipe = reference.build if spec.model == "cnn" else reference.build_mlp
            model = recipe(data.input_shape, classes=data.classes)
            batch_size = spec.config.get("batch_size", reference.BATCH_SIZE)  # the scaling table varies it

            def train(callbacks, epochs):
                reference.fit(model, data, epochs, callbacks, batch_size, validate=spec.kind == "recipe")
        return train, lambda x: model.predict(x, batch_size=1024, verbose=0), None

    options = RunOptions(**{**spec.options, "verbose": 0, "jit_compile": spec.mode == "jit"})
    model = build_model(cfg, data, options=options)
    view = view_of(model, cfg.api)
    run_dir = tempfile.mkdtemp(prefix="workshop-bench-")  # the default path's logs: thrown away with the process
    writers = Writers(run_dir)

    def train(callbacks, epochs):
        run = replace(cfg, epochs=epochs)
        if spec.whole_epoch:  # what `workshop train` adds to every epoch
            callbacks = [*train_callbacks(run, options, data, view, writers), *callbacks]
        tf.config.run_functions_eagerly(spec.mode == "eager")
        try:
            fit(run, model, data, callbacks=callbacks, options=options)
        finally:
            tf.config.run_functions_eagerly(False)
            writers.close()
            shutil.rmtree(run_dir, ignore_errors=True)
    return train, view.predict, writers.wait if spec.whole_epoch else None
