"""From arrays to a `tf.data` pipeline: the one input path every TensorFlow level shares.

The order of the training examples is drawn once, in NumPy, from the seed: one permutation
per epoch (`epoch_orders`). The numpy level walks those orders itself; the TensorFlow
levels read them through `make_dataset`, whose every pass (`for x, y in train_ds`) is the
next epoch's batches in that order, as `shuffle()` would give a new order each pass, and
which prefetches the next batch while a step runs. So every level, `fit` included, sees the
same batches in the same order, which is what lets the tests compare their weights exactly.
"""

import math

import numpy as np


MAX_ORDERS_BYTES = 256 * 2**20  # every epoch's order, drawn in advance: 51,000 epochs of digits, 1,200 of MNIST's


def check_epoch_orders(n: int, epochs: int):
    """UsageError, before anything is drawn, if the orders of `epochs` epochs of n examples (4 bytes an
    example) would take more than MAX_ORDERS_BYTES: `--epochs 1000000000` grew memory until it ran out."""
    if epochs * n * 4 > MAX_ORDERS_BYTES:
        from workshop.errors import UsageError
        most = MAX_ORDERS_BYTES // (4 * max(n, 1))
        raise UsageError(f"--epochs {epochs} on {n:,} training examples: each epoch's order is drawn in advance "
                         f"(4 bytes an example), {epochs * n * 4 / 1e9:,.1f} GB for them all, where at most "
                         f"{MAX_ORDERS_BYTES // 2**20} MB is allowed; choose at most {most:,} epochs")


def epoch_orders(n: int, epochs: int, seed: int) -> np.ndarray:
    """int32 (epochs, n): the order in which each epoch visits the n training examples. UsageError
    for more than check_epoch_orders allows."""
    check_epoch_orders(n, epochs)
    rng = np.random.default_rng(seed)
    orders = np.empty((epochs, n), np.int32)  # filled in place: no list of arrays beside it
    for epoch in range(epochs):
        orders[epoch] = rng.permutation(n)
    return orders


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, orders: np.ndarray | None = None):
    """A `tf.data.Dataset` of (x, y) batches.

    Args:
        x: float32 (N, ...) inputs; y: (N,) or (N, 1) targets.
        batch_size: examples per batch; the last batch of an epoch may be smaller.
        orders: None: one pass in order (validation, test). (epochs, N) indices (epoch_orders):
            each pass over the dataset is the next epoch, in its order (training).
    """
    import tensorflow as tf

    if orders is None:
        return _fixed(tf.data.Dataset.from_tensor_slices((x, y)).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
    x_all, y_all, orders = tf.constant(x), tf.constant(y), tf.constant(orders)
    passes = tf.Variable(0, dtype=tf.int64, trainable=False)  # passes begun so far: the epoch to read next

    def next_order(_):
        order = tf.gather(orders, passes)
        with tf.control_dependencies([order]):  # read this pass's epoch, then count the pass
            counted = passes.assign_add(1)
        with tf.control_dependencies([counted]):
            return tf.identity(order)

    ds = tf.data.Dataset.from_tensors(0).map(next_order)
    ds = ds.flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
    ds = ds.map(lambda batch: (tf.gather(x_all, batch), tf.gather(y_all, batch)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.apply(tf.data.experimental.assert_cardinality(math.ceil(orders.shape[1] / batch_size)))
    return _fixed(ds.prefetch(tf.data.AUTOTUNE))


def _fixed(ds):
    """`ds` without tf.data's autotuning thread: TensorFlow's default parallelism and prefetching.

    Every pass that ends (`fit`'s epochs, each validation pass) deletes its iterator, and the
    deletion waits for that thread's current sleep, which grows the longer the iterator lives:
    at MNIST's size `fit` stalled 0-3.5 s at the start of every other epoch (digits60k CNN:
    epochs of 6.8-10.3 s, without it 6.6-7.2 s)."""
    import tensorflow as tf
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def train_val_datasets(data, config, first_epoch: int = 0):
    """(train_ds, val_ds) for a Splits and a TrainConfig. train_ds: each pass is the next epoch's
    training batches in the seed's order, from epoch first_epoch on (a resumed run reads the very
    batches it would have read); val_ds: the validation split in order, in large batches."""
    orders = epoch_orders(len(data.x_train), config.epochs, config.seed)[first_epoch:]
    train_ds = make_dataset(data.x_train, data.y_train, config.batch_size, orders)
    val_ds = make_dataset(data.x_val, data.y_val, max(config.batch_size, 256))
    return train_ds, val_ds


def steps_per_epoch(examples: int, batch_size: int) -> int:
    """Batches in an epoch, the last one possibly smaller."""
    return math.ceil(examples / batch_size)
