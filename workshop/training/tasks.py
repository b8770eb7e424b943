"""Loss and accuracy of each task, written once per flavour: raw tf ops, and Keras.
(workshop/metrics.py has the same formulas in NumPy.)

Models output logits; the losses apply softmax / sigmoid themselves (numerically
stable, and the reason `from_logits=True` appears in the Keras versions).
    classify: y int (batch,), y_pred (batch, classes)  - softmax cross-entropy
    binary:   y float (batch, 1), y_pred (batch, 1)     - sigmoid cross-entropy
    regress:  y float (batch, 1), y_pred (batch, 1)     - mean squared error (no accuracy)
"""

from workshop.tf_env import keras, tf
from workshop.training.distributed import share_of_batch


def raw_loss(task):
    """loss_fn(y, y_pred) -> scalar mean loss, from tf ops only. On several workers (`train --workers`)
    its gradient counts for this worker's share of the global batch (distributed.py)."""
    return share_of_batch(_raw_mean_loss(task))


def _raw_mean_loss(task):
    if task == "classify":
        return lambda y, y_pred: tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(y, tf.int32), logits=y_pred))
    if task == "binary":
        return lambda y, y_pred: tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=y_pred))
    return lambda y, y_pred: tf.reduce_mean(tf.square(y_pred - y))


def raw_metrics(task):
    """metrics_fn(y, y_pred) -> {"accuracy": fraction right in the batch}, or {} for a regression."""
    if task == "classify":
        return lambda y, y_pred: {"accuracy": tf.reduce_mean(tf.cast(
            tf.equal(tf.argmax(y_pred, axis=1), tf.cast(y, tf.int64)), tf.float32))}
    if task == "binary":
        return lambda y, y_pred: {"accuracy": tf.reduce_mean(tf.cast(
            tf.equal(tf.cast(y_pred > 0, tf.float32), y), tf.float32))}
    return lambda y, y_pred: {}


def keras_loss(task):
    """The Keras loss of `task`. On several workers (the layers level) its gradient counts for this
    worker's share of the global batch (distributed.py); alone, it is the Keras loss object."""
    return share_of_batch(_keras_mean_loss(task), keras_divides=True)


def _keras_mean_loss(task):
    if task == "classify":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if task == "binary":
        return keras.losses.BinaryCrossentropy(from_logits=True)
    return keras.losses.MeanSquaredError()


def keras_metrics(task) -> list:
    """[accuracy] for a classifier, [] for a regression: what `compile(metrics=...)` gets."""
    if task == "classify":
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    if task == "binary":
        return [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)]  # logits: 0 is p = 0.5
    return []


def keras_optimizer(name, learning_rate):
    return keras.optimizers.Adam(learning_rate) if name == "adam" else keras.optimizers.SGD(learning_rate)
