"""Everything but the scalars and the graph, for every run at every level.

`RunDashboards` is a Keras callback that takes the view, the data and the run's settings
in its constructor instead of relying on `self.model`, so `fit` and the custom loops
(numpy, raw, layers) use it alike, and a weight has the same tag at every level.
`write_results` is called once after training with the test split's scores.

    when         dashboard    folder       tag
    train begin  Text         train        model_summary, config (the settings the model uses)
    every epoch  Histograms   train        weights/dense_0/kernel, weights/conv_0/kernel, ...
    every epoch  Images       validation   predictions/mistakes (misclassified digits, true->predicted)
    every epoch  Images       train        filters/conv_0 (when the model has a conv layer)
    after        Scalars      <run>        test/loss, test/accuracy, run/wall_seconds
    after        HParams      <run>        the hyperparameters the model uses (hparams.py)
    after        Projector    <run>        last hidden layer of up to 1000 test images

TensorBoard opens on Time Series, where charts are grouped by the tag's first part and the
groups sorted by name, the first two open. The image tags start with words that sort after
`epoch_...` ("predictions/", "filters/"), so the first charts a learner sees are the loss and
accuracy curves, not pictures. Every summary carries a `description`: TensorBoard shows it
beside the chart.

For a regression (task "regress") only the histograms and the test/loss, wall-time scalars.
The confusion matrix is its own callback (confusion.py); give both one ValPredictions.
"""

import json

import numpy as np

from workshop.metrics import predicted_classes, true_classes
from workshop.tensorboard import pictures, summaries
from workshop.tensorboard.confusion import ValPredictions
from workshop.tensorboard.hparams import used_settings, write_hparams
from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras

MISTAKES_SHOWN = 24
PROJECTOR_POINTS = 1000


def _code_block(text: str) -> str:
    """Markdown's indented code block: the Text dashboard keeps the columns lined up."""
    return "\n".join("    " + line for line in text.splitlines())


class RunDashboards(keras.callbacks.Callback):
    """Args: writers: the run's Writers (or its folder). view: the model's view (training/views.py).
    data: a Splits. task: "classify", "binary" or "regress". settings: the run's configuration,
    a flat dict. predictions: a ValPredictions shared with ConfusionMatrix (optional).
    texts: write the model summary and the config at the start (not when a run resumes)."""

    def __init__(self, writers, view, data, task, settings, predictions=None, texts=True):
        super().__init__()
        self.writers = writers if isinstance(writers, Writers) else Writers(writers)
        self.view, self.data, self.task, self.settings = view, data, task, settings
        self.classifies = task in ("classify", "binary")
        self.predictions = predictions or ValPredictions(view, data.x_val)
        self.texts = texts

    def on_train_begin(self, logs=None):
        if not (self.classifies and self.texts):
            return
        summary, config = self.view.summary_text(), json.dumps(used_settings(self.settings), indent=2, default=str)

        self.writers.later(lambda: self.writers.write("train", 0, [
            summaries.text("model_summary", _code_block(summary),
                           "the model's layers in the order they run, their output shapes and sizes"),
            summaries.text("config", _code_block(config), "the settings of this run that its model uses")]))

    def on_epoch_end(self, epoch, logs=None):
        # taken now, as copies (the next epoch changes the model); drawn and written on the writers' thread
        weights = dict(zip(self.view.weight_names, self.view.get_weights()))
        mistakes = self._mistakes(epoch) if self.classifies else None

        def draw_and_write():
            train = [summaries.histogram(f"weights/{name}", value,
                                         "how this layer's weights are spread, one curve per epoch")
                     for name, value in weights.items()]
            if self.classifies and "conv_0/kernel" in weights:
                train.append(summaries.image("filters/conv_0", pictures.filter_grid(weights["conv_0/kernel"]),
                                             "the first conv layer's filters (input channel 0), each scaled"))
            self.writers.write("train", epoch, train)
            if mistakes is not None:
                self.writers.write("validation", epoch, [summaries.image(
                    "predictions/mistakes", pictures.digit_grid(*mistakes),
                    f"the first {MISTAKES_SHOWN} misclassified validation images: "
                    "true→predicted, and how sure the model was of its answer")])
        self.writers.later(draw_and_write)

    def on_train_end(self, logs=None):
        self.writers.flush()  # every figure handed over, on disk: a reader may look right after `fit`

    def _mistakes(self, epoch):
        """(images, captions) of the first misclassified validation images, or None if there are none."""
        y_true = true_classes(self.data.y_val)
        y_pred = predicted_classes(self.task, self.predictions.at(epoch))
        wrong = np.flatnonzero(y_pred != y_true)[:MISTAKES_SHOWN]
        if not len(wrong):
            return None
        names = self.data.class_names
        sure = confidence(self.task, self.predictions.at(epoch)[wrong])
        return self.data.x_val[wrong], [f"{names[y_true[i]]}→{names[y_pred[i]]} {p:.0%}" for i, p in zip(wrong, sure)]


def confidence(task, y_pred) -> np.ndarray:
    """float (N,): the probability the model gave the class it chose (softmax or sigmoid of the logits)."""
    if task == "binary":
        return 1 / (1 + np.exp(-np.abs(y_pred[:, 0])))
    z = np.exp(y_pred - y_pred.max(axis=1, keepdims=True))
    return z.max(axis=1) / z.sum(axis=1)


def write_results(writers, settings, epochs, test, wall_seconds, view, data, y_pred):
    """After training: the test scores as scalars at step `epochs`, the HParams row and the Projector.

    settings: the run's flat configuration dict. test: {"loss", "accuracy"} of the test split
    (no accuracy for a regression). y_pred: the view's logits on data.x_test, already computed.
    """
    classifies = "accuracy" in test
    writers.write("", epochs, [
        *(summaries.scalar(f"test/{key}", value, f"the test split's {key}, scored once after training "
                                                 "(never used to choose)") for key, value in test.items()),
        summaries.scalar("run/wall_seconds", wall_seconds, "seconds from the start of training to its end")])
    if classifies:
        with writers[""].as_default():
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
