"""Scalars in Keras's TensorBoard layout, for the loops that are not `fit`.

Keras's callback writes, per epoch: train/epoch_loss, train/epoch_accuracy,
train/epoch_learning_rate, validation/epoch_loss, validation/epoch_accuracy and
validation/evaluation_{loss,accuracy}_vs_iterations (x = optimizer steps). This
callback writes exactly those tags, and - if asked - per-batch train/batch_loss,
which Keras 3's own callback has counted steps wrongly for.
"""

from pathlib import Path

from workshop.tf_env import keras, tf


class EpochScalars(keras.callbacks.Callback):
    """Works in `fit` and in the custom loops (they call on_epoch_end(epoch, logs) too)."""

    def __init__(self, run_dir, epochs=True, batches=False):
        super().__init__()
        self.run_dir, self.epochs, self.batches = Path(run_dir), epochs, batches
        self._train = self._val = None
        self.steps = 0

    def _writers(self):
        if self._train is None:
            self._train = tf.summary.create_file_writer(str(self.run_dir / "train"))
            self._val = tf.summary.create_file_writer(str(self.run_dir / "validation"))
        return self._train, self._val

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.batches and logs and "loss" in logs:
            with self._writers()[0].as_default():
                tf.summary.scalar("batch_loss", float(logs["loss"]), step=self.steps)

    def on_epoch_end(self, epoch, logs=None):
        if not self.epochs:
            return
        train, val = self._writers()
        logs = logs or {}
        with train.as_default():
            for key in ("loss", "accuracy", "learning_rate"):
                if key in logs:
                    tf.summary.scalar(f"epoch_{key}", float(logs[key]), step=epoch)
        with val.as_default():
            for key in ("loss", "accuracy"):
                if f"val_{key}" in logs:
                    tf.summary.scalar(f"epoch_{key}", float(logs[f"val_{key}"]), step=epoch)
                    tf.summary.scalar(f"evaluation_{key}_vs_iterations", float(logs[f"val_{key}"]), step=self.steps)
        train.flush()
        val.flush()

    def on_train_end(self, logs=None):
        for w in (self._train, self._val):
            if w is not None:
                w.close()
