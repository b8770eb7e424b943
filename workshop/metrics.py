"""Loss and accuracy from logits, in NumPy: how the workshop scores predictions outside a
training graph (the numpy level, the test split, the dashboards). No TensorFlow here.

The models output logits; these formulas apply softmax / sigmoid themselves, exactly as
the training losses do (workshop/training/tasks.py has the same in tf ops and Keras):
    classify: y int (N,), y_pred (N, classes)        softmax cross-entropy; argmax is the class
    binary:   y float (N, 1) in {0, 1}, y_pred (N, 1)  sigmoid cross-entropy; logit > 0 is class 1
    regress:  y float (N, 1), y_pred (N, 1)          mean squared error; no accuracy
"""

import numpy as np


def predicted_classes(task: str, y_pred: np.ndarray) -> np.ndarray:
    """Logits -> int64 class ids (N,): the largest logit (classify), or logit > 0 (binary)."""
    return (y_pred[:, 0] > 0).astype(np.int64) if task == "binary" else y_pred.argmax(axis=1)


def true_classes(y: np.ndarray) -> np.ndarray:
    """int labels (N,) or binary float (N, 1) -> int64 (N,)."""
    return np.asarray(y).reshape(len(y)).astype(np.int64)


def loss(task: str, y: np.ndarray, y_pred: np.ndarray) -> float:
    """The mean loss of logits y_pred against y, computed so that nothing overflows."""
    if task == "classify":
        z = y_pred - y_pred.max(axis=1, keepdims=True)  # shifted by the row max: exp() cannot overflow
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y)), true_classes(y)].mean())
    if task == "binary":  # sigmoid cross-entropy from logits: max(z, 0) - z y + log(1 + e^-|z|)
        return float(np.mean(np.maximum(y_pred, 0) - y_pred * y + np.log1p(np.exp(-np.abs(y_pred)))))
    return float(np.mean((y_pred - y) ** 2))


def batch_metrics(task: str, y: np.ndarray, y_pred: np.ndarray) -> dict:
    """{"accuracy": fraction right} for a classifier, {} for a regression."""
    if task == "regress":
        return {}
    return {"accuracy": float(np.mean(predicted_classes(task, y_pred) == true_classes(y)))}


def evaluate(task: str, y: np.ndarray, y_pred: np.ndarray) -> dict:
    """{"loss": ..., "accuracy": ...} (no accuracy for a regression) of logits y_pred against y."""
    return {"loss": loss(task, y, y_pred), **batch_metrics(task, y, y_pred)}


class RunningMeans:
    """Example-weighted means of per-batch values over an epoch, as Keras's metrics keep them:
    add(batch size, {"loss": 0.3, "accuracy": 0.9}) per batch, then means() for the epoch."""

    def __init__(self):
        self.n, self.sums = 0, {}

    def add(self, size, values: dict):
        self.n += int(size)
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + float(value) * int(size)

    def means(self, prefix: str = "") -> dict:
        return {prefix + key: total / max(self.n, 1) for key, total in self.sums.items()}
