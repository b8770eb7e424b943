"""Scalars in Keras's TensorBoard layout, at every level (`fit` included).

Keras's own TensorBoard callback writes, per epoch: train/epoch_loss, train/epoch_accuracy,
train/epoch_learning_rate, validation/epoch_loss, validation/epoch_accuracy and
validation/evaluation_{loss,accuracy}_vs_iterations (x = optimizer steps). This callback
writes exactly those tags for every level, so a `keras` run and a `layers` run are two
lines on one chart; and, if asked, per-batch train/batch_loss.
"""

from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras, tf


class EpochScalars(keras.callbacks.Callback):
    """Args: writers: the run's Writers (writers.py), or a run folder. learning_rate: the
    run's (constant) learning rate, written as epoch_learning_rate. epochs: write the
    per-epoch tags. batches: write batch_loss after every training call."""

    def __init__(self, writers, learning_rate=None, epochs=True, batches=False):
        super().__init__()
        self.writers = writers if isinstance(writers, Writers) else Writers(writers)
        self.learning_rate, self.epochs, self.batches = learning_rate, epochs, batches
        self.epoch, self.steps = 0, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        # batch is the last batch of the call (one call may run many): count optimizer steps
        self.steps = self.epoch * self.params.get("steps", 0) + batch + 1
        if self.batches and logs and "loss" in logs:
            with self.writers["train"].as_default():
                tf.summary.scalar("batch_loss", float(logs["loss"]), step=self.steps)

    def on_epoch_end(self, epoch, logs=None):
        if not self.epochs:
            return
        logs = {**(logs or {})}
        if self.learning_rate is not None:
            logs.setdefault("learning_rate", self.learning_rate)
        with self.writers["train"].as_default():
            for key in ("loss", "accuracy", "learning_rate"):
                if key in logs:
                    tf.summary.scalar(f"epoch_{key}", float(logs[key]), step=epoch)
        with self.writers["validation"].as_default():
            for key in ("loss", "accuracy"):
                if f"val_{key}" in logs:
                    tf.summary.scalar(f"epoch_{key}", float(logs[f"val_{key}"]), step=epoch)
                    tf.summary.scalar(f"evaluation_{key}_vs_iterations", float(logs[f"val_{key}"]), step=self.steps)
        self.writers.flush()
