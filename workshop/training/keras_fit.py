"""The keras level: `compile` + `fit`. Everything the other loops write out by hand,
Keras does here: batching, gradients, the update, metrics, callbacks, progress bar.

Siblings: numpy_loop.py, raw_loop.py, layers_loop.py.
"""

import sys
import time

from workshop.tf_env import keras
from workshop.training.common import NonFiniteLoss, steps_per_call
from workshop.training.tasks import keras_accuracy, keras_loss, keras_optimizer


class StopOnNonFinite(keras.callbacks.Callback):
    """Like keras.callbacks.TerminateOnNaN, but it also puts the last good weights back."""

    def __init__(self):
        super().__init__()
        self.message = None

    def on_epoch_begin(self, epoch, logs=None):
        self.good_weights = self.model.get_weights()
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not float("-inf") < float(loss) < float("inf"):
            self.model.set_weights(self.good_weights)
            self.model.stop_training = True
            self.message = (f"the loss became {float(loss)} at epoch {self.epoch + 1}, step {batch + 1}: the "
                            "learning rate is probably too large; training stopped and the weights from the end "
                            "of the last good epoch are kept")


def fit(model, train_ds, val_ds, task, config, callbacks=(), steps=1):
    """compile + fit `model` on tf.data pipelines; returns the history dict.

    train_ds is endless (see workshop/data/pipeline.py): `steps` batches make an epoch.
    """
    metric = keras_accuracy(task)
    model.compile(optimizer=keras_optimizer(config.optimizer, config.learning_rate), loss=keras_loss(task),
                  metrics=[metric] if metric is not None else [],
                  steps_per_execution=steps_per_call(config, steps), jit_compile=config.jit_compile)
    guard = StopOnNonFinite()
    # verbose=2 (one line per epoch) when not on a terminal, where the bar cannot animate
    verbose = 0 if not config.verbose else (1 if sys.stdout.isatty() else 2)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, steps_per_epoch=steps,
                        shuffle=False, verbose=verbose,  # the pipeline already shuffles, by seed
                        callbacks=[guard, *callbacks])
    seconds = time.perf_counter() - start
    if guard.message:
        raise NonFiniteLoss(guard.message)
    return {**{k: [float(v) for v in vals] for k, vals in history.history.items()}, "_seconds": seconds}
