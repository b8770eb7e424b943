"""The confusion matrix of the validation split, every epoch, as a picture and as a table.

`ConfusionMatrix` is a Keras callback that works on its own, in `fit` as in the custom
loops: it asks a view (anything with `predict(x) -> logits`) for predictions instead of
using `self.model`, so it serves every level. It writes into `<run>/validation`:
    Images: `predictions/confusion_matrix` (heat map)    Text: `confusion_matrix_table` (Markdown)
(The image's tag sorts after the loss and accuracy charts: see dashboards.py.)
"""

import numpy as np

from workshop.metrics import predicted_classes, true_classes
from workshop.tensorboard import pictures, summaries
from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras


class ValPredictions:
    """The view's logits on x, computed at most once per epoch, so the confusion matrix
    and the grid of mistakes share one pass over the validation split."""

    def __init__(self, view, x):
        self.view, self.x = view, x
        self._epoch, self._y_pred = None, None

    def at(self, epoch: int) -> np.ndarray:
        if self._epoch != epoch:
            self._epoch, self._y_pred = epoch, self.view.predict(self.x)
        return self._y_pred


class ConfusionMatrix(keras.callbacks.Callback):
    """Args: run_dir: the run's folder. view: any level's view. data: x_val, y_val and
    class_names (a Splits). task: "classify" or "binary". predictions: a ValPredictions to
    share with other callbacks (default: its own). writers: a Writers to share."""

    def __init__(self, run_dir, view, data, task="classify", predictions=None, writers=None):
        super().__init__()
        self.data, self.task = data, task
        self.predictions = predictions or ValPredictions(view, data.x_val)
        self.writers = writers or Writers(run_dir)
        self._owns_writers = writers is None

    def on_epoch_end(self, epoch, logs=None):
        y_pred = predicted_classes(self.task, self.predictions.at(epoch))  # now: the next epoch changes the model
        names = self.data.class_names
        counts = pictures.confusion_matrix(true_classes(self.data.y_val), y_pred, len(names))
        accuracy = np.trace(counts) / max(counts.sum(), 1)

        def draw_and_write():  # on the writers' thread, while the next epoch trains
            image = pictures.confusion_figure(counts, names, f"epoch {epoch + 1}: {accuracy:.1%} right")
            self.writers.write("validation", epoch, [
                summaries.image("predictions/confusion_matrix", image,
                                "the validation split, counted: rows are the true class, columns the "
                                "predicted one; the diagonal is what went right"),
                summaries.text("confusion_matrix_table", pictures.confusion_table(counts, names),
                               "the confusion matrix's counts as a table")])
        self.writers.later(draw_and_write)

    def on_train_end(self, logs=None):
        if self._owns_writers:
            self.writers.close()
