"""The progress line, the same at every level (`fit` included, which runs with verbose=0).

One line per epoch, `fit(verbose=2)`'s content with its epoch number in front:

    Epoch 3/15 - 1s - 12ms/step - accuracy: 0.9412 - loss: 0.1905 - val_accuracy: 0.9479 - val_loss: 0.1711

At most about 20 lines a run: with more epochs (the linear model's 100 take seconds), every
k-th epoch, the first and the last. On a terminal the line also counts the batches while an
epoch runs, so a long epoch (a CNN on 28x28 images) is never silent.
"""

import math
import sys
import time

from workshop.tf_env import keras


class ProgressLines(keras.callbacks.Callback):
    """Args: epochs: the run's last epoch (the loops' range end); most: lines a run prints at most
    (about); stream: where to print (sys.stdout when None)."""

    def __init__(self, epochs: int, most: int = 20, stream=None):
        super().__init__()
        self.epochs, self.every = epochs, max(1, math.ceil(epochs / most))
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.drawn = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.begin, self.steps_done = epoch, time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done = batch + 1
        now = time.perf_counter()
        if self.live and now - self.drawn > 0.2 and logs and "loss" in logs:
            steps = self.params.get("steps") or "?"
            self._write(f"\rEpoch {self.epoch + 1}/{self.epochs} - {batch + 1}/{steps} - loss: {float(logs['loss']):.4f}")
            self.drawn = now

    def on_epoch_end(self, epoch, logs=None):
        if not (epoch == 0 or (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs):
            if self.live:
                self._write("\r\033[K")  # clear the batch counter: this epoch gets no line
            return
        seconds = time.perf_counter() - self.begin
        logs = logs or {}
        # fit's order: the training metrics by name, then the validation ones
        keys = sorted(k for k in logs if not k.startswith("val_")) + sorted(k for k in logs if k.startswith("val_"))
        line = " - ".join([f"Epoch {epoch + 1}/{self.epochs}", f"{seconds:.0f}s",
                           per_step(seconds / max(self.steps_done, 1)),
                           *(f"{k}: {float(logs[k]):.4f}" for k in keys)])
        self._write(("\r\033[K" if self.live else "") + line + "\n")

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


def per_step(seconds: float) -> str:
    """As fit writes it: 12ms/step, or 450us/step under a millisecond."""
    return f"{1000 * seconds:.0f}ms/step" if seconds >= 1e-3 else f"{1e6 * seconds:.0f}us/step"
