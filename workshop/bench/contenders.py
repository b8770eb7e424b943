"""What the benchmark times, each contender in a fresh worker process of its own (worker.py).

A `Spec` (specs.py) names a contender and says how to build it; in the worker, `trainer(spec, ...)`
makes it: a function that trains for a number of epochs with the callbacks it is given,
at the project's level (`fit` at the keras level) or as the reference recipe does. The
same callbacks then time every contender alike (`EpochTimer`). What an epoch's seconds cover:
    "default" contenders  the whole epoch as `workshop train` runs it: the training batches,
                          the validation pass and every per-epoch TensorBoard dashboard
    the others            from the epoch's start to the end of its last training batch
                          (the reference recipe's `fit` on arrays has nothing else)
"""

import sys
import tempfile
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
        self._t = _now()

    def on_train_batch_end(self, batch, logs=None):
        self._last = _now()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append((_now() if self.whole else self._last) - self._t)


def _now():
    import time
    return time.perf_counter()


class Gate(keras.callbacks.Callback):
    """Holds every epoch after the first until the driver asks for it (a line `epoch` on stdin),
    and reports the one before through `say`: so the driver can time its contenders in turn."""

    def __init__(self, timer, examples, say):
        super().__init__()
        self.timer, self.examples, self.say = timer, examples, say

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 0:
            return
        self.say(*(("ready", self.examples) if epoch == 1 else (self.timer.seconds[-1],)))
        if sys.stdin.readline().strip() != "epoch":  # the driver is done (or gone): stop here
            sys.exit(0)

    def on_train_end(self, logs=None):
        self.say(self.timer.seconds[-1])


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
    spec.model on the dataset, spec.config applied): (train(callbacks, epochs), predict(x) -> y_pred)."""
    from workshop.bench import reference
    from workshop.config import RunOptions
    from workshop.training.tasks import keras_loss, keras_optimizer
    from workshop.training.train import build_model, fit, train_callbacks, view_of
    if spec.kind in ("reference", "arrays"):
        if spec.kind == "reference":
            recipe = reference.build if spec.model == "cnn" else reference.build_mlp
            model, y = recipe(data.input_shape), reference.one_hot(data.y_train)
            batch_size = spec.config.get("batch_size", reference.BATCH_SIZE)  # the scaling table varies it
        else:
            model, y, batch_size = build_model(cfg, data), data.y_train, cfg.batch_size
            model.compile(optimizer=keras_optimizer(cfg.optimizer, cfg.learning_rate), loss=keras_loss(cfg.task))

        def train(callbacks, epochs):
            model.fit(data.x_train, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=list(callbacks))
        return train, lambda x: model.predict(x, batch_size=1024, verbose=0)

    options = RunOptions(**{**spec.options, "verbose": 0, "jit_compile": spec.mode == "jit"})
    model = build_model(cfg, data, options=options)
    view = view_of(model, cfg.api)

    def train(callbacks, epochs):
        run = replace(cfg, epochs=epochs)
        with tempfile.TemporaryDirectory() as run_dir:
            if spec.whole_epoch:  # what `workshop train` adds to every epoch, its logs in a throwaway folder
                callbacks = [*train_callbacks(run, options, data, view, run_dir), *callbacks]
            tf.config.run_functions_eagerly(spec.mode == "eager")
            try:
                fit(run, model, data, callbacks=callbacks, options=options)
            finally:
                tf.config.run_functions_eagerly(False)
    return train, view.predict
