"""The numpy level's training loop: the model computes its own gradients, we update by hand.

Serves every numpy model (`params`, `forward`, `gradients`). No TensorFlow does any
math here; TensorFlow only writes the TensorBoard logs through the callbacks.
Siblings: raw_loop.py, layers_loop.py, keras_fit.py.
"""

import numpy as np

from workshop.training.common import EpochMeans, check_finite, run_epochs, steps_in
from workshop.training.views import NumpyView


class Adam:
    """Keras's Adam formulas in NumPy (see raw_optimizers.py for the same in tf ops)."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon
        self.t, self.m, self.v = 0, None, None

    def apply(self, grads, params):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2 ** self.t) / (1 - self.beta_1 ** self.t)
        for g, p, m, v in zip(grads, params, self.m, self.v):
            m += (g - m) * (1 - self.beta_1)
            v += (g * g - v) * (1 - self.beta_2)
            p -= alpha * m / (np.sqrt(v) + self.epsilon)


class SGD:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def apply(self, grads, params):
        for g, p in zip(grads, params):
            p -= self.learning_rate * g  # in place: the model's arrays are updated


def accuracy_count(task, y, y_pred):
    if task == "classify":
        return float((y_pred.argmax(axis=1) == y).sum())
    if task == "binary":
        return float(((y_pred > 0).astype(np.float32) == y).sum())
    return None


def fit(model, data, task, config, callbacks=()):
    """Train `model` in place on data = (x_train, y_train, x_val, y_val) NumPy arrays.

    Each epoch visits the training set in a new order drawn from config.seed.
    """
    x_train, y_train, x_val, y_val = data
    view = NumpyView(model)
    optimizer = Adam(config.learning_rate) if config.optimizer == "adam" else SGD(config.learning_rate)
    rng = np.random.default_rng(config.seed)
    has_accuracy = task != "regress"

    def train_epoch(epoch, bar, good_weights, callbacks):
        means = EpochMeans()
        order = rng.permutation(len(x_train))
        for step, start in enumerate(range(0, len(order), config.batch_size)):
            idx = order[start:start + config.batch_size]
            x, y = x_train[idx], y_train[idx]
            y_pred = model.forward(x)  # before the update: the same moment `fit` measures accuracy
            loss, grads = model.gradients(x, y)
            check_finite(loss, view, good_weights, epoch, step)
            optimizer.apply(grads, model.params)
            means.add(len(idx), loss, accuracy_count(task, y, y_pred))
            bar.update(step + 1, values=[("loss", loss)])
            for cb in callbacks:
                cb.on_train_batch_end(step, {"loss": loss})
        return means.logs(with_accuracy=has_accuracy)

    def evaluate_val():
        means = EpochMeans()
        loss, _ = model.gradients(x_val, y_val)
        means.add(len(x_val), loss, accuracy_count(task, y_val, model.forward(x_val)))
        return means.logs("val_", with_accuracy=has_accuracy)

    steps = steps_in(len(x_train), config.batch_size)
    return run_epochs(config, view, callbacks, steps, train_epoch, evaluate_val, config.learning_rate)
