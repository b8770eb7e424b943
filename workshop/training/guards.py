"""The guards every level's training runs with (train() adds them): a loss that becomes NaN or
infinite, rises far above where it started, or an accuracy stuck at chance ends training, and
`train()` reports it as one line (TrainingDiverged) and saves nothing. And a stop signal
(SIGTERM, SIGHUP) stops it, even one a library swallowed."""

import math

from workshop.errors import Stopped, WorkshopError
from workshop.tf_env import keras


class TrainingDiverged(WorkshopError):
    """Training blew up (a NaN, infinite or exploding loss) or never learned (accuracy at chance)."""


class StopWhenAsked(keras.callbacks.Callback):
    """Raises again a stop signal that never reached the CLI. The CLI raises `Stopped` wherever the
    signal lands, and Keras turns every batch's logs into floats inside a bare `except:` (before it
    calls the callbacks): a SIGTERM landing there vanished, and the run went on, deaf to the next
    (the first one set them to be ignored during the clean-up). Put it first: it runs right after."""

    def _check(self, *args, **kwargs):
        if Stopped.pending is not None:
            raise Stopped(Stopped.pending)

    on_train_batch_end = on_test_batch_end = on_epoch_begin = on_epoch_end = _check


class StopOnNonFinite(keras.callbacks.Callback):
    """Like keras.callbacks.TerminateOnNaN, but it also puts the weights from the end of the
    last good epoch back. `self.model` is anything with get_weights / set_weights /
    stop_training: a Keras model in `fit`, a view (views.py) in the custom loops."""

    def __init__(self):
        super().__init__()
        self.message = None

    def on_epoch_begin(self, epoch, logs=None):
        self.good_weights, self.epoch = self.model.get_weights(), epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)) and self.message is None:
            self.model.set_weights(self.good_weights)
            self.model.stop_training = True
            self.message = (f"the loss became {float(loss)} at epoch {self.epoch + 1}, step {batch + 1}: the "
                            "learning rate is probably too large; try a smaller --lr")


class StopOnDivergence(keras.callbacks.Callback):
    """Training that blew up or stalled ends with one clear message instead of a model at chance:
    - blew up: an epoch's mean training loss above `factor` times the run's first epoch's mean (while
      that first epoch runs, above `factor` times its first batch's loss, the only reference yet);
    - stalled: training accuracy within 20 % of chance after `patience` epochs (classifiers only).
    Both usually mean the learning rate is wrong. `self.model` is a Keras model or a view.

    Like is compared with like: epoch means, against the run's own first epoch. A run resumed with
    --resume takes that reference from its checkpoint (`resumes_from`), never from a batch logged
    after the resume: a trained model's single batch can be a thousand times below its epoch's mean
    (a CNN resumed at epoch 377 of 400 saw 3.87e-06, then an epoch mean of 0.00874, and stopped as
    "diverged"). With no checkpoint to read (a worker other than the chief, on a resumed run), there
    is no reference, and the rise is not judged: the chief's guard judges it, and stops them all."""

    def __init__(self, learning_rate, chance=None, factor=100.0, patience=3):
        super().__init__()
        self.learning_rate, self.chance, self.factor, self.patience = learning_rate, chance, factor, patience
        self.first_epoch, self.first_batch, self.reference, self.message = None, None, None, None
        self.checkpoint = None

    def resumes_from(self, checkpoint):
        """`checkpoint`: the run's EpochCheckpoint (checkpoints.py); its history, restored before the first
        epoch of a resumed run, holds the first epoch's mean loss."""
        self.checkpoint = checkpoint

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch is None:
            self.first_epoch = epoch  # > 0: a resumed run

    def on_train_batch_end(self, batch, logs=None):
        if self.first_epoch == 0 and self.first_batch is None and (logs or {}).get("loss") is not None:
            self.first_batch = float(logs["loss"])  # a new run's first batch: where its loss started

    def _reference(self, epoch):
        """(the loss to compare epoch `epoch`'s mean with, what it is), or (None, None)."""
        if epoch == 0:
            return self.first_batch, "the first batch's"
        if self.reference is None and self.checkpoint is not None and self.checkpoint.history.get("loss"):
            self.reference = float(self.checkpoint.history["loss"][0])
        return self.reference, "epoch 1's mean"

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        loss, accuracy = logs.get("loss"), logs.get("accuracy")
        if self.message or loss is None or not math.isfinite(float(loss)):
            return  # a non-finite loss is StopOnNonFinite's to report
        reference, what = self._reference(epoch)
        if reference is not None and float(loss) > self.factor * max(reference, 1e-12):
            self.message = (f"the loss rose from {reference:.3g} ({what}) to {float(loss):.3g} by epoch {epoch + 1}: "
                            f"the learning rate ({self.learning_rate:g}) is probably too large; try a smaller --lr")
        elif (self.chance and accuracy is not None and epoch + 1 >= self.patience
              and float(accuracy) <= 1.2 * self.chance):
            self.message = (f"training accuracy is {float(accuracy):.1%} after {epoch + 1} epochs, no better than "
                            f"guessing ({self.chance:.0%}): the network is not learning; the learning rate "
                            f"({self.learning_rate:g}) is probably too large (or far too small); try another --lr")
        if self.message:
            self.model.stop_training = True
        elif epoch == 0:
            self.reference = float(loss)  # from now on, the first epoch's mean: what the checkpoint keeps
