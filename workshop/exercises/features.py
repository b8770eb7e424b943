"""Exercise of the introduction lesson, part 2: sliding a filter over an image. Truth:
scipy.signal.correlate2d(image, kernel, mode="valid")."""

import numpy as np

from workshop.exercises.core import Exercise, Wrong, call, compare, shape_message


def correlate2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def check_correlate2d(fn) -> str:
    from scipy import signal  # imported here: `from workshop.exercises import check` stays light

    rng = np.random.default_rng()
    h, w = int(rng.integers(6, 12)), int(rng.integers(13, 18))  # not square: rows and columns differ
    cases = [(rng.normal(size=(h, w)), rng.normal(size=(3, 3))),
             (rng.normal(size=(h, w)), rng.normal(size=(2, 4))),  # not square either
             (rng.normal(size=(4, 5)), rng.normal(size=(4, 5))),  # kernel as large as the image: one value
             (rng.normal(size=(5, 7)), rng.normal(size=(1, 1)))]
    for image, kernel in cases:
        want = signal.correlate2d(image, kernel, mode="valid")
        got = call(fn, image, kernel)
        shape = np.shape(got) if got is not None and np.ndim(got) == 2 else None
        kh, kw = kernel.shape
        if shape == (want.shape[0] - 1, want.shape[1] - 1):
            raise Wrong(shape_message(shape, want.shape, "the output") + ": one row and column short, "
                        "the last window starts at H - kh: range(H - kh + 1)")
        if shape in ((image.shape[0] + kh - 1, image.shape[1] + kw - 1), image.shape) and shape != want.shape:
            raise Wrong(shape_message(shape, want.shape, "the output") + ": 'valid' keeps only the positions "
                        "where the whole kernel fits inside the image, (H - kh + 1, W - kw + 1)")
        compare(got, want, "the output", mistakes=[
            ("you flipped the kernel: that is convolution; cross-correlation slides the kernel as it is",
             signal.correlate2d(image, kernel[::-1, ::-1], mode="valid")),
        ])
    return ("right on 4 image/kernel pairs, including a non-square kernel, a kernel as large as "
            "the image and a 1x1 kernel")


EXERCISES = {
    "correlate2d": Exercise(
        "introduction", "the 'valid' cross-correlation of a 2-D image with a 2-D kernel",
        correlate2d, "The output has (H - kh + 1, W - kw + 1) positions; at (i, j), multiply the kernel by "
        "the window image[i:i + kh, j:j + kw] entry by entry and sum.", check_correlate2d),
}
