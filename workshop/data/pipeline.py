"""From arrays to a `tf.data` pipeline: the one input path every TensorFlow level shares.

cache -> shuffle(seed) -> batch -> repeat -> prefetch. The training pipeline is one
endless stream, epoch after epoch, each epoch reshuffled, read `steps_per_epoch`
batches at a time by every level (Keras's `fit` included). The order therefore depends
only on the seed, never on how often a loop restarts its iterator, which is what lets
the tests compare the levels' weights exactly.
"""

import math

import numpy as np


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True, seed: int = 0,
                 repeat: bool = False):
    """A `tf.data.Dataset` of (x, y) batches; re-iterating it reshuffles (epoch after epoch).

    Args:
        x: float32 (N, ...) inputs; y: (N,) or (N, 1) targets.
        batch_size: examples per batch; the last batch may be smaller.
        shuffle: reshuffle every epoch with `seed` (train); keep order (val/test).
        repeat: endless (train: read ceil(N / batch_size) batches per epoch).
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)  # batch before repeat: no batch straddles two epochs
    if repeat:
        ds = ds.repeat()
    return ds.prefetch(tf.data.AUTOTUNE)


def train_val_datasets(data, batch_size: int, seed: int):
    """(train_ds, val_ds, steps) for a Splits: the endless training stream, shuffled by `seed`
    and read `steps` batches per epoch, and the validation split in order, in large batches."""
    train_ds = make_dataset(data.x_train, data.y_train, batch_size, shuffle=True, seed=seed, repeat=True)
    val_ds = make_dataset(data.x_val, data.y_val, max(batch_size, 256), shuffle=False)
    return train_ds, val_ds, math.ceil(len(data.x_train) / batch_size)
