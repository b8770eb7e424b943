"""Loss and accuracy of each task, written once per flavour: raw tf ops, and Keras.
(workshop/metrics.py has the same formulas in NumPy.)

Models output logits; the losses apply softmax / sigmoid themselves (numerically
stable, and the reason `from_logits=True` appears in the Keras versions).
    classify: y int (batch,), y_pred (batch, classes)  - softmax cross-entropy
    binary:   y float (batch, 1), y_pred (batch, 1)     - sigmoid cross-entropy
    regress:  y float (batch, 1), y_pred (batch, 1)     - mean squared error (no accuracy)
"""

from workshop.tf_env import keras, tf


def raw_loss(task):
    """loss_fn(y, y_pred) -> scalar mean loss over the batch, from tf ops only."""
    per_example = raw_per_example_loss(task)
    return lambda y, y_pred: tf.reduce_mean(per_example(y, y_pred))


def raw_per_example_loss(task):
    """loss_fn(y, y_pred) -> float32 (batch,): each example's loss, from tf ops only."""
    if task == "classify":
        return lambda y, y_pred: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(y, tf.int32),
                                                                               logits=y_pred)
    if task == "binary":
        return lambda y, y_pred: tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=y_pred),
                                                axis=-1)
    return lambda y, y_pred: tf.reduce_mean(tf.square(y_pred - y), axis=-1)


def raw_metrics(task):
    """metrics_fn(y, y_pred) -> {"accuracy": fraction right in the batch}, or {} for a regression."""
    if task == "classify":
        return lambda y, y_pred: {"accuracy": tf.reduce_mean(tf.cast(
            tf.equal(tf.argmax(y_pred, axis=1), tf.cast(y, tf.int64)), tf.float32))}
    if task == "binary":
        return lambda y, y_pred: {"accuracy": tf.reduce_mean(tf.cast(
            tf.equal(tf.cast(y_pred > 0, tf.float32), y), tf.float32))}
    return lambda y, y_pred: {}


def keras_loss(task, reduction="sum_over_batch_size"):
    """The Keras loss of `task`: loss_fn(y, y_pred) -> the mean over the batch, or with
    reduction=None each example's loss (what tf.nn.compute_average_loss takes)."""
    if task == "classify":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
    if task == "binary":
        return keras.losses.BinaryCrossentropy(from_logits=True, reduction=reduction)
    return keras.losses.MeanSquaredError(reduction=reduction)


def keras_metrics(task) -> list:
    """[accuracy] for a classifier, [] for a regression: what `compile(metrics=...)` gets."""
    if task == "classify":
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    if task == "binary":
        return [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)]  # logits: 0 is p = 0.5
    return []


def keras_optimizer(name, learning_rate):
    return keras.optimizers.Adam(learning_rate) if name == "adam" else keras.optimizers.SGD(learning_rate)
