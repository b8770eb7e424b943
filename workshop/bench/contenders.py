"""Things that train, one timed epoch at a time: the project's levels and the reference.

Each contender's `epoch()` runs two epochs and returns the seconds of the second,
so tracing and warm-up never count (each call builds its compiled step afresh).
"""

import time
from dataclasses import replace

from workshop.tf_env import keras, tf


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch; works in `fit` and in the project's own loops."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._t)


class Level:
    """The project's own path: cfg.api's loop (mode 'function', 'eager' or 'jit')."""

    def __init__(self, name, cfg, data, task, mode="function"):
        from workshop.training.run import build_model
        self.name, self.task, self.mode = name, task, mode
        self.cfg = replace(cfg, epochs=2, verbose=0, jit_compile=(mode == "jit"))
        self.data = data
        self.model = build_model(self.cfg, data)
        self.examples = len(data.x_train)

    def epoch(self):
        from workshop.training.run import fit
        timer = EpochTimer()
        tf.config.run_functions_eagerly(self.mode == "eager")
        try:
            fit(self.cfg, self.model, self.data, self.task, callbacks=[timer])
        finally:
            tf.config.run_functions_eagerly(False)
        return timer.seconds[-1]


class PlainFit:
    """`fit` on NumPy arrays with `batch_size`: the reference recipe, or any compiled model."""

    def __init__(self, name, model, x, y, batch_size):
        self.name, self.model, self.x, self.y, self.batch_size = name, model, x, y, batch_size
        self.examples = len(x)

    def epoch(self):
        timer = EpochTimer()
        self.model.fit(self.x, self.y, batch_size=self.batch_size, epochs=2, verbose=0, callbacks=[timer])
        return timer.seconds[-1]


def round_robin(contenders, rounds):
    """{name: [examples/s per round]}: every round times one epoch of every contender in turn."""
    speeds = {c.name: [] for c in contenders}
    for _ in range(rounds):
        for c in contenders:
            speeds[c.name].append(c.examples / c.epoch())
    return speeds
