"""From arrays to a `tf.data` pipeline: the one input path every TensorFlow level shares.

The order of the training examples is drawn once, in NumPy, from the seed: one permutation
per epoch (`epoch_orders`). The numpy level walks those orders itself; the TensorFlow
levels read them through `make_dataset`, which gathers each batch from the arrays in that
order (and prefetches the next while a step runs). So every level, `fit` included, sees the
same batches in the same order, which is what lets the tests compare their weights exactly.
"""

import math

import numpy as np


def epoch_orders(n: int, epochs: int, seed: int) -> np.ndarray:
    """int64 (epochs, n): the order in which each epoch visits the n training examples."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(n) for _ in range(epochs)])


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, orders: np.ndarray | None = None):
    """A `tf.data.Dataset` of (x, y) batches.

    Args:
        x: float32 (N, ...) inputs; y: (N,) or (N, 1) targets.
        batch_size: examples per batch; the last batch of an epoch may be smaller.
        orders: None: one pass in order (validation, test). (epochs, N) indices (epoch_orders):
            epoch after epoch in those orders, batches never straddling two epochs (training).
    """
    import tensorflow as tf

    if orders is None:
        return tf.data.Dataset.from_tensor_slices((x, y)).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)
    x_all, y_all = tf.constant(x), tf.constant(y)
    ds = tf.data.Dataset.from_tensor_slices(orders).flat_map(
        lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
    ds = ds.map(lambda batch: (tf.gather(x_all, batch), tf.gather(y_all, batch)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def train_val_datasets(data, config, first_epoch: int = 0):
    """(train_ds, val_ds, steps) for a Splits and a TrainConfig: the training batches of
    epochs first_epoch .. config.epochs - 1 in the seed's orders (a resumed run starts
    later, on the very batches it would have seen), `steps` of them per epoch, and the
    validation split in order, in large batches."""
    orders = epoch_orders(len(data.x_train), config.epochs, config.seed)[first_epoch:]
    train_ds = make_dataset(data.x_train, data.y_train, config.batch_size, orders)
    val_ds = make_dataset(data.x_val, data.y_val, max(config.batch_size, 256))
    return train_ds, val_ds, math.ceil(len(data.x_train) / config.batch_size)
