"""The data each algorithm trains on, from a dataset's splits.

    classify (mlp, cnn): images as they are, int labels 0..9.
    binary (logistic):   only the 8s and the 1s, y = 1.0 for an 8 (float32 (N, 1)).
    regress (linear):    the `line` points, x and y float32 (N, 1).
"""

from dataclasses import dataclass, field

import numpy as np

from workshop import data as datasets

BINARY_POSITIVE, BINARY_NEGATIVE = 8, 1


@dataclass
class TaskData:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    input_shape: tuple
    classes: int  # outputs of the model: 10, or 1 for binary and regress
    class_names: tuple
    version: str
    extra: dict = field(default_factory=dict)


def _binary(x, y):
    keep = (y == BINARY_POSITIVE) | (y == BINARY_NEGATIVE)
    return x[keep], (y[keep] == BINARY_POSITIVE).astype(np.float32)[:, None]


def prepare(cfg, task) -> TaskData:
    splits = datasets.load(cfg.dataset, cfg.data_dir, seed=cfg.seed)
    parts = [splits.x_train, splits.y_train, splits.x_val, splits.y_val, splits.x_test, splits.y_test]
    classes, names = splits.classes, splits.class_names
    if task == "binary":
        parts = [a for pair in zip(parts[0::2], parts[1::2]) for a in _binary(*pair)]
        classes, names = 1, (names[BINARY_NEGATIVE], names[BINARY_POSITIVE])
    elif task == "regress":
        classes = 1
    if cfg.max_examples:
        parts[0], parts[1] = parts[0][:cfg.max_examples], parts[1][:cfg.max_examples]
    return TaskData(*parts, input_shape=splits.input_shape, classes=classes, class_names=names,
                    version=splits.version, extra=dict(splits.extra))


def numpy_metrics(task, y, y_pred):
    """(mean loss, accuracy or None) of logits y_pred against y, the same formulas as the loops."""
    if task == "classify":
        z = y_pred - y_pred.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean()), float((y_pred.argmax(1) == y).mean())
    if task == "binary":
        # sigmoid cross-entropy from logits, stable: max(z,0) - z*y + log(1 + e^-|z|)
        loss = np.maximum(y_pred, 0) - y_pred * y + np.log1p(np.exp(-np.abs(y_pred)))
        return float(loss.mean()), float(((y_pred > 0) == (y > 0.5)).mean())
    return float(np.mean((y_pred - y) ** 2)), None
