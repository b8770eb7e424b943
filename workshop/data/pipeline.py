"""From arrays to a `tf.data` pipeline: the one input path every TensorFlow level shares.

The order of the training examples is drawn once, in NumPy, from the seed: one permutation
per epoch (`epoch_orders`). The numpy level walks those orders itself; the TensorFlow
levels read them through `make_dataset`, which gathers each batch from the arrays in that
order (and prefetches the next while a step runs). So every level, `fit` included, sees the
same batches in the same order, which is what lets the tests compare their weights exactly.

The custom loops read the training batches as one stream, epoch after epoch, and so does
`fit` when its compiled calls of n batches divide an epoch (every epoch on the digits is one
call). Otherwise it reads one pass of its dataset per epoch (`epoch_passes`), because such a
call stops early only where its dataset ends.
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


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, orders: np.ndarray | None = None,
                 epoch_passes: bool = False):
    """A `tf.data.Dataset` of (x, y) batches.

    Args:
        x: float32 (N, ...) inputs; y: (N,) or (N, 1) targets.
        batch_size: examples per batch; the last batch of an epoch may be smaller.
        orders: None: one pass in order (validation, test). (epochs, N) indices (epoch_orders):
            epoch after epoch in those orders, batches never straddling two epochs (training).
        epoch_passes: with orders, each pass over the dataset (each `iter`) is the next epoch
            only, like `shuffle(reshuffle_each_iteration=True)` but in the seed's orders: what
            `fit` needs to see where an epoch ends. Otherwise one stream of every epoch.
    """
    import tensorflow as tf

    if orders is None:
        return _fixed(tf.data.Dataset.from_tensor_slices((x, y)).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE))
    x_all, y_all, orders = tf.constant(x), tf.constant(y), tf.constant(orders)
    if epoch_passes:
        passes = tf.Variable(0, dtype=tf.int64, trainable=False)  # passes begun so far

        def next_order(_):
            order = tf.gather(orders, passes)
            with tf.control_dependencies([order]):  # read this pass's epoch, then count the pass
                counted = passes.assign_add(1)
            with tf.control_dependencies([counted]):
                return tf.identity(order)

        ds = tf.data.Dataset.from_tensors(0).map(next_order)
    else:
        ds = tf.data.Dataset.from_tensor_slices(orders)
    ds = ds.flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
    ds = ds.map(lambda batch: (tf.gather(x_all, batch), tf.gather(y_all, batch)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if epoch_passes:
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


def train_val_datasets(data, config, first_epoch: int = 0, calls_of: int | None = None):
    """(train_ds, val_ds, steps) for a Splits and a TrainConfig: the training batches of
    epochs first_epoch .. config.epochs - 1 in the seed's orders (a resumed run starts
    later, on the very batches it would have seen), `steps` of them per epoch, and the
    validation split in order, in large batches.

    calls_of: for `fit`, its batches per compiled call. A call stops early only where its
    dataset ends, so unless that number divides an epoch's steps, each epoch is a pass of its
    own (epoch_passes: opened anew every epoch, 10 ms of making its functions); else one stream
    for the whole run, as the custom loops read it (every digits epoch is one call)."""
    steps = steps_per_epoch(len(data.x_train), config.batch_size)
    orders = epoch_orders(len(data.x_train), config.epochs, config.seed)[first_epoch:]
    epoch_passes = calls_of is not None and steps % calls_of != 0
    train_ds = make_dataset(data.x_train, data.y_train, config.batch_size, orders, epoch_passes)
    val_ds = make_dataset(data.x_val, data.y_val, max(config.batch_size, 256))
    return train_ds, val_ds, steps


def steps_per_epoch(examples: int, batch_size: int) -> int:
    """Batches in an epoch, the last one possibly smaller."""
    return math.ceil(examples / batch_size)
