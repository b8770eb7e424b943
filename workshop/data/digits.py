"""`digits`: scikit-learn's bundled 8x8 handwritten digits. Always offline, 1,797 images."""

import numpy as np

from workshop.data.catalog import SPLIT_SEED
from workshop.data.splits import Splits, three_way


def raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits in scikit-learn's order: x float32 (1797, 8, 8) in [0, 1], y int64 in 0..9."""
    from sklearn.datasets import load_digits as sk_load  # the data ships inside scikit-learn

    bunch = sk_load()
    return bunch.images.astype(np.float32) / 16.0, bunch.target.astype(np.int64)  # pixels count 0..16


def split_indices(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, val, test): sorted, disjoint indices into the 1,797 digits that cover them all.

    Test is DIGITS_TEST_FRACTION of each class; validation is VAL_FRACTION of each class of the
    rest, as `from_train_test` carves it for every dataset. digits60k augments each split of
    these alone, so its splits share no source digit either.
    """
    return three_way(y)


def load_digits() -> Splits:
    """Train/val/test of the 8x8 digits: x float32 (N, 8, 8, 1) in [0, 1], y int64 in 0..9."""
    x, y = raw_digits()
    train, val, test = split_indices(y)
    return Splits("digits", x[train][..., None], y[train], x[val][..., None], y[val], x[test][..., None], y[test],
                  10, tuple(str(d) for d in range(10)), version=f"sklearn-digits/split-{SPLIT_SEED}")

