"""When the first training step finished: what a learner waits through before anything moves
(imports, data, model, tracing). `train()` reports it; `workshop bench` checks it against 8 s."""

import time

from workshop.tf_env import keras


class FirstStep(keras.callbacks.Callback):
    """Seconds from `start` (a time.perf_counter() value) to the end of the first training call."""

    def __init__(self, start):
        super().__init__()
        self.start, self.seconds = start, None

    def on_train_batch_end(self, batch, logs=None):
        if self.seconds is None:
            self.seconds = time.perf_counter() - self.start
