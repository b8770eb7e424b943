"""`digits`: scikit-learn's bundled 8x8 handwritten digits. Always offline, 1,797 images."""

import numpy as np

from workshop.data.catalog import DIGITS_TEST_FRACTION, SPLIT_SEED
from workshop.data.splits import Splits, from_train_test, stratified_split


def load_digits() -> Splits:
    """Train/val/test of the 8x8 digits: x float32 (N, 8, 8, 1) in [0, 1], y int64 in 0..9."""
    from sklearn.datasets import load_digits as sk_load  # the data ships inside scikit-learn

    bunch = sk_load()
    x = bunch.images.astype(np.float32) / 16.0  # pixel values are counts 0..16
    y = bunch.target.astype(np.int64)
    rest, test = stratified_split(y, DIGITS_TEST_FRACTION, seed=SPLIT_SEED + 1)
    return from_train_test("digits", x[rest], y[rest], x[test], y[test], 10,
                           tuple(str(d) for d in range(10)), version=f"sklearn-digits/split-{SPLIT_SEED}")


def upscale(images, size=28):
    """(N, h, w) float32 images -> (N, size, size), bilinear: the 8x8 digits at MNIST's size,
    for what needs MNIST's shapes offline (the features lesson, `workshop bench --dataset digits28`)."""
    from PIL import Image
    return np.stack([np.asarray(Image.fromarray(im, mode="F").resize((size, size), Image.BILINEAR))
                     for im in images]).astype(np.float32)
