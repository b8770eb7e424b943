"""Scalars in Keras's TensorBoard layout, at every level (`fit` included).

Keras's own TensorBoard callback writes, per epoch: train/epoch_loss, train/epoch_accuracy,
train/epoch_learning_rate, validation/epoch_loss, validation/epoch_accuracy and
validation/evaluation_{loss,accuracy}_vs_iterations (x = optimizer steps). This callback
writes those tags for every level, so a `keras` run and a `layers` run are two lines on one
chart; and, if asked, per-batch train/batch_loss. epoch_learning_rate is the rate after each
epoch's last step, as Keras's callback reads it off the optimizer; here it comes from the run's
schedule (training/schedules.py) and the steps counted, the optimizer untouched. A run at a
constant rate leaves it out (learning_rate=None): the config text and HParams show the rate,
and a flat chart would take one of the two groups Time Series opens first, where loss belongs.
A schedule's curve is worth that place (and `workshop tensorboard` opens on loss and accuracy).
Each tag carries a description, which the Scalars dashboard shows beside the chart (DESCRIPTIONS).

What a learner sees first: TensorBoard opens on Time Series, which groups charts by the tag's
first part, sorts the groups by name and opens the first two; these tags sort before every
picture's (dashboards.py), so the accuracy and loss charts come first. An address can do better:
`server.first_screen()` opens on the loss and the accuracy side by side, their descriptions beside them.
"""

from workshop.tensorboard import summaries
from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras

# one chart per tag draws every run's train and validation lines: each text speaks of both
DESCRIPTIONS = {
    "epoch_loss": "The loss after each epoch: train (the mean over the epoch's batches) and validation "
                  "(the held-out split). Both falling: learning. Train falling while validation rises: overfitting.",
    "epoch_accuracy": "The fraction of examples classified right after each epoch, on the training batches "
                      "and on the validation split.",
    "epoch_learning_rate": "The optimizer's learning rate after each epoch's last step: the size of each step "
                           "down the gradient. A one-cycle schedule climbs to its peak in the first fifth of "
                           "the run, then eases down to 0.",
    "evaluation_loss_vs_iterations": "The validation loss against optimizer steps (batches seen), so runs "
                                     "with different batch sizes line up.",
    "evaluation_accuracy_vs_iterations": "The validation accuracy against optimizer steps (batches seen), so "
                                         "runs with different batch sizes line up.",
    "batch_loss": "The loss of every training batch: noisy, since each batch is a small sample.",
}


def _scalar(tag, value):
    return summaries.scalar(tag, float(value), DESCRIPTIONS[tag])


class EpochScalars(keras.callbacks.Callback):
    """Args: writers: the run's Writers (writers.py), or a run folder. learning_rate: written
    as epoch_learning_rate: a number, or a schedule (rate(step), schedules.py) read at the optimizer
    steps done; None: not written. epochs: write the per-epoch tags. batches: write batch_loss
    after every training call."""

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
            loss, steps = float(logs["loss"]), self.steps

            # in order with the epochs' summaries, on the writers' thread
            self.writers.later(lambda: self.writers.write("train", steps, [_scalar("batch_loss", loss)]))

    def on_epoch_end(self, epoch, logs=None):
        if not self.epochs:
            return
        logs = {**(logs or {})}
        steps, rate = self.steps, self.learning_rate
        if rate is not None:
            logs.setdefault("learning_rate", float(rate(steps) if callable(rate) else rate))

        def write():
            self.writers.write("train", epoch, [_scalar(f"epoch_{key}", logs[key])
                                                for key in ("loss", "accuracy", "learning_rate") if key in logs])
            validation = [key for key in ("loss", "accuracy") if f"val_{key}" in logs]
            self.writers.write("validation", epoch, [_scalar(f"epoch_{key}", logs[f"val_{key}"]) for key in validation])
            # x = optimizer steps: another step than the epoch's, so another event
            self.writers.write("validation", steps, [_scalar(f"evaluation_{key}_vs_iterations", logs[f"val_{key}"])
                                                     for key in validation])
        self.writers.later(write)  # the writers' thread: in order with the other dashboards, flushed after

    def on_train_end(self, logs=None):
        self.writers.flush()  # every summary handed over, on disk: a reader may look right after `fit`
