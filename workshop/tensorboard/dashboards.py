"""The dashboards beyond the training curves, for every level (`fit` included).

`Dashboards` is a Keras callback that takes the view, the data and the run's settings in its
constructor instead of relying on `self.model`, so `fit` and the custom loops use it alike.
It writes what keras.callbacks.TensorBoard does not, with `tf.summary` under `writer.as_default()`:

    when         dashboard    folder       tag
    train begin  Text         train        model_summary, config (the settings the model uses)
    every epoch  Images       validation   predictions/confusion_matrix (heat map), predictions/mistakes
    every epoch  Text         validation   confusion_matrix_table
    every epoch  Images       train        filters/conv_0 (when the model has a conv layer)
    every epoch  Histograms   train        weights/dense_0/kernel, ... (the custom levels: at the keras
                                           level Keras's callback writes them, histogram_freq=1)
    after        Scalars      <run>        test/loss, test/accuracy, run/wall_seconds (`write_results`)
    after        HParams      <run>        the hyperparameters the model uses (hparams.py)
    after        Projector    <run>        last hidden layer of up to 1000 test images (projector.py)

The pictures are drawn with matplotlib (pictures.py) and written with `tf.summary.image`, as
TensorBoard's image-summaries tutorial does. Drawing them takes a few hundred milliseconds, an
epoch's worth of an MLP at MNIST's size, so they are drawn after an epoch only while drawing has
cost at most PICTURE_BUDGET (2 %) of the training time so far, and always after the first and the last
epoch: at MNIST's size a CNN gets them about every epoch, a fast MLP every few. Their tags start with words that sort after
`epoch_...`, so Time Series opens on the loss and accuracy curves, not on pictures.
For a regression (task "regress") only the histograms and the test/loss, wall-time scalars.
"""

import json
import time

import numpy as np

from workshop.metrics import predicted_classes, true_classes
from workshop.tensorboard import pictures
from workshop.tensorboard.hparams import used_settings, write_hparams
from workshop.tf_env import keras, tf

MISTAKES_SHOWN = 24
PROJECTOR_POINTS = 1000
PICTURE_BUDGET = 0.02  # of the training time: the most the per-epoch pictures may cost


def _code_block(text: str) -> str:
    """Markdown's indented code block: the Text dashboard keeps the columns lined up."""
    return "\n".join("    " + line for line in text.splitlines())


class Dashboards(keras.callbacks.Callback):
    """Args: writers: the run's RunWriters (writers.py). view: the model's view (training/views.py).
    data: a Splits. task: "classify", "binary" or "regress". settings: the run's configuration,
    a flat dict. histograms: write the weights' histograms (False where Keras's callback does).
    texts: write the model summary and the config at the start (not when a run resumes)."""

    def __init__(self, writers, view, data, task, settings, histograms=True, texts=True):
        super().__init__()
        self.writers, self.view, self.data, self.task, self.settings = writers, view, data, task, settings
        self.classifies = task in ("classify", "binary")
        self.histograms, self.texts = histograms, texts
        self.trained = self.drawn = 0.0  # seconds of training, and of drawing pictures, so far

    def on_train_begin(self, logs=None):
        if not (self.classifies and self.texts):
            return
        config = json.dumps(used_settings(self.settings), indent=2, default=str)
        with self.writers.train.as_default():
            tf.summary.text("model_summary", _code_block(self.view.summary_text()), step=0,
                            description="the model's layers in the order they run, their output shapes and sizes")
            tf.summary.text("config", _code_block(config), step=0,
                            description="the settings of this run that its model uses")

    def on_epoch_begin(self, epoch, logs=None):
        self.began = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.trained += time.perf_counter() - getattr(self, "began", time.perf_counter())
        if self.histograms:
            with self.writers.train.as_default():
                for name, value in self._weights().items():
                    tf.summary.histogram(f"weights/{name}", value, step=epoch)
        last = epoch + 1 >= (self.params or {}).get("epochs", epoch + 1)
        if self.classifies and (self.drawn <= PICTURE_BUDGET * self.trained or last):
            tick = time.perf_counter()
            self._pictures(epoch)
            self.drawn += time.perf_counter() - tick
        self.writers.flush()

    def _weights(self) -> dict:
        return dict(zip(self.view.weight_names, self.view.get_weights()))

    def _pictures(self, epoch):
        kernel = self._weights().get("conv_0/kernel")
        if kernel is not None:
            with self.writers.train.as_default():
                tf.summary.image("filters/conv_0", pictures.filter_grid(kernel), step=epoch,
                                 description="the first conv layer's filters (input channel 0), each scaled")
        self._predictions(epoch)

    def _predictions(self, epoch):
        """The confusion matrix and the first misclassified images of the validation split."""
        y_pred = self.view.predict(self.data.x_val)
        y_true, y_class, names = true_classes(self.data.y_val), predicted_classes(self.task, y_pred), self.data.class_names
        counts = pictures.confusion_matrix(y_true, y_class, len(names))
        right = np.trace(counts) / max(counts.sum(), 1)
        with self.writers.validation.as_default():
            tf.summary.image("predictions/confusion_matrix",
                             pictures.confusion_figure(counts, names, f"epoch {epoch + 1}: {right:.1%} right"),
                             step=epoch, description="the validation split, counted: rows are the true class, "
                                                     "columns the predicted one; the diagonal is what went right")
            tf.summary.text("confusion_matrix_table", pictures.confusion_table(counts, names), step=epoch,
                            description="the confusion matrix's counts as a table")
            wrong = np.flatnonzero(y_class != y_true)[:MISTAKES_SHOWN]
            if len(wrong):
                sure = confidence(self.task, y_pred[wrong])
                captions = [f"{names[y_true[i]]}→{names[y_class[i]]} {p:.0%}" for i, p in zip(wrong, sure)]
                tf.summary.image("predictions/mistakes", pictures.digit_grid(self.data.x_val[wrong], captions),
                                 step=epoch, description=f"the first {MISTAKES_SHOWN} misclassified validation "
                                 "images: true→predicted, and how sure the model was of its answer")


class BatchLoss(keras.callbacks.Callback):
    """`--batch-summaries` at the custom levels: train/batch_loss after every step, at the step
    count, as keras.callbacks.TensorBoard(update_freq="batch") writes it at the keras level."""

    def __init__(self, writer):
        super().__init__()
        self.writer, self.steps = writer, 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        with self.writer.as_default():
            tf.summary.scalar("batch_loss", float(logs["loss"]), step=self.steps)


def confidence(task, y_pred) -> np.ndarray:
    """float (N,): the probability the model gave the class it chose (softmax or sigmoid of the logits)."""
    if task == "binary":
        return 1 / (1 + np.exp(-np.abs(y_pred[:, 0])))
    z = np.exp(y_pred - y_pred.max(axis=1, keepdims=True))
    return z.max(axis=1) / z.sum(axis=1)


def write_results(writers, settings, epochs, test, wall_seconds, view, data, y_pred):
    """After training: the test scores as scalars at step `epochs`, the HParams row and the Projector.

    writers: the run's RunWriters. settings: the run's flat configuration dict. test: {"loss",
    "accuracy"} of the test split (no accuracy for a regression). y_pred: the view's logits on
    data.x_test, already computed.
    """
    classifies = "accuracy" in test
    with writers.run.as_default():
        for key, value in test.items():
            tf.summary.scalar(f"test/{key}", value, step=epochs,
                              description=f"the test split's {key}, scored once after training (never used to choose)")
        tf.summary.scalar("run/wall_seconds", wall_seconds, step=epochs,
                          description="seconds from the start of training to its end")
        if classifies:
            write_hparams(settings, writers.run_dir.name)
    writers.flush()
    if classifies:
        _write_projector(writers.run_dir, settings["task"], view, data, y_pred[:PROJECTOR_POINTS])


def _write_projector(run_dir, task, view, data, y_pred):
    from workshop.tensorboard.projector import write_projector
    x = data.x_test[:len(y_pred)]
    try:
        features = view.features(x)
    except AttributeError:  # a model without a hidden layer to show (e.g. a raw logistic regression)
        return
    names = data.class_names
    write_projector(run_dir, features.reshape(len(x), -1), [names[i] for i in true_classes(data.y_test[:len(x)])],
                    [names[i] for i in predicted_classes(task, y_pred)], images=x)
