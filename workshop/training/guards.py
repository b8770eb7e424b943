"""The NaN stop every level shares: a loss that becomes NaN or infinite ends training with
the last good weights put back, and `train()` reports it as one line (NonFiniteLoss)."""

import math

from workshop.errors import WorkshopError
from workshop.tf_env import keras


class NonFiniteLoss(WorkshopError):
    """The loss became NaN or infinite; the model holds the last good weights again."""


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
                            "learning rate is probably too large; training stopped and the weights from the end "
                            "of the last good epoch are kept")
