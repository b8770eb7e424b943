"""The container every dataset comes back in, and the one way splits are carved."""

from dataclasses import dataclass, field

import numpy as np

from workshop.data.catalog import DIGITS_TEST_FRACTION, SPLIT_SEED, VAL_FRACTION


@dataclass(frozen=True)
class Splits:
    """Train / validation / test arrays of one dataset.

    Images: x float32 (N, H, W, 1) in [0, 1], y int64 (N,) class ids.
    `line`: x float32 (N, 1), y float32 (N, 1); `extra` holds the true a and b.
    The test split is for the final report only: never train or select on it.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: int
    class_names: tuple[str, ...] = ()
    version: str = ""  # identifies the exact data (file hash + split seed) for the model registry
    extra: dict = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def sizes(self) -> tuple[int, int, int]:
        return len(self.x_train), len(self.x_val), len(self.x_test)


def stratified_split(y: np.ndarray, fraction: float, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices (keep, take): `take` holds `fraction` of every class, chosen by `seed`.

    Both index arrays are sorted, disjoint and together cover range(len(y)).
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    counts = np.array([(y == c).sum() for c in classes])
    # round(N * fraction) in all, shared out by largest remainder so each class gets its share
    exact = counts * fraction
    n_take = np.floor(exact).astype(int)
    extra = int(round(len(y) * fraction)) - n_take.sum()
    n_take[np.argsort(-(exact - n_take), kind="stable")[:extra]] += 1
    take = [rng.permutation(np.flatnonzero(y == c))[:n] for c, n in zip(classes, n_take)]
    take = np.sort(np.concatenate(take))
    keep = np.setdiff1d(np.arange(len(y)), take)
    return keep, take


def three_way(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, val, test): sorted, disjoint indices that cover range(len(y)), for a dataset that comes as
    one pool (digits, mnist5k). Test is DIGITS_TEST_FRACTION of each class; validation is VAL_FRACTION
    of each class of the rest, as `from_train_test` carves it for every dataset."""
    rest, test = stratified_split(y, DIGITS_TEST_FRACTION, seed=SPLIT_SEED + 1)
    keep, val = stratified_split(y[rest], VAL_FRACTION)
    return rest[keep], rest[val], test


def from_train_test(name, x_train, y_train, x_test, y_test, classes, class_names=(), version="") -> Splits:
    """Carve the validation split (VAL_FRACTION of train, stratified) and scale uint8 images."""
    keep, val = stratified_split(y_train, VAL_FRACTION)

    def prep(x):
        x = np.asarray(x)
        if x.dtype == np.uint8:
            x = x.astype(np.float32) / 255.0
        return x.astype(np.float32)[..., None] if x.ndim == 3 else x.astype(np.float32)

    y_train = np.asarray(y_train, dtype=np.int64)
    return Splits(name, prep(x_train[keep]), y_train[keep], prep(x_train[val]), y_train[val],
                  prep(x_test), np.asarray(y_test, dtype=np.int64), classes, tuple(class_names), version)
