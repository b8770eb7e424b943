"""Introduction, part 1: how a single neuron learns - the code the lesson calls.

The perceptron rule on truth tables, the figures of the gradients by hand beside
tf.GradientTape's (the lesson computes both in its own cells), and linear regression the
deep-learning way (SGD vs batch gradient descent). Every model here is the package's
own (workshop/algorithms/), trained by the package's own loops (workshop/training/).
"""

import matplotlib.pyplot as plt
import numpy as np

from workshop.algorithms.perceptron_numpy import Perceptron
from workshop.config import RunOptions, TrainConfig
from workshop.data import truth_table
from workshop.tf_env import keras

GATES = ("or", "xor")


def perceptron_rule(gate, learning_rate=0.1, epochs=25):
    """The package's perceptron (algorithms/perceptron_numpy.py) on a truth table, started at
    zero weights so the run is exact. Returns (model, mistakes made while learning, per epoch)."""
    table = truth_table(gate)
    model = Perceptron([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    errors = [model.train_epoch(table.x_train, table.y_train, learning_rate) for _ in range(epochs)]
    return model, errors


def perceptrons(lesson) -> dict:
    """Both gates: the line each one ends with, and the mistakes per epoch. Returns, per gate,
    the mistakes made during the last epoch and how many rows the *final* weights get right."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")  # constrained: titles kept apart
    results = {}
    for ax, gate in zip(axes[:2], GATES):
        table = truth_table(gate)
        model, errors = perceptron_rule(gate)
        right = int((model.predict(table.x_train) == table.y_train).sum())
        results[gate] = {"last_epoch_mistakes": errors[-1], "final_rows_right": right}
        ax.scatter(*table.x_train.T, c=table.y_train, cmap="coolwarm", s=150, edgecolors="k")
        w, xs = model.w, np.linspace(-0.5, 1.5, 2)
        if abs(w[2]) > 1e-6:  # the line w0 + w1*x1 + w2*x2 = 0
            ax.plot(xs, -(w[0] + w[1] * xs) / w[2], "k--")
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2",
               title=f"{gate.upper()}: the final line\ngets {right} of 4 rows right")
        axes[2].plot(errors, label=gate.upper(), marker=".")
    axes[2].set(title="mistakes made while learning,\nper epoch", xlabel="epoch", ylabel="mistakes")
    axes[2].legend()
    lesson.figure(fig, "perceptron")
    return results


def draw_gradients(lesson, by_hand, by_tape):
    """backprop_vs_gradienttape.png: the logistic neuron's dL/dw (64, 1) by hand against tf.GradientTape's,
    one point per weight; returns the largest difference."""
    by_hand, by_tape = np.ravel(by_hand), np.ravel(by_tape)
    diff = float(np.abs(by_hand - by_tape).max())
    fig, ax = plt.subplots(figsize=(4.5, 4.2), layout="constrained")
    ax.scatter(by_hand, by_tape, s=10)
    lim = np.abs(by_hand).max() * 1.1
    ax.plot([-lim, lim], [-lim, lim], "k:", lw=1)
    ax.set(xlabel="dL/dw by hand (NumPy)", ylabel="dL/dw by tf.GradientTape",
           title=f"{len(by_hand)} weights, largest difference {diff:.1e}")
    lesson.figure(fig, "backprop_vs_gradienttape")
    return diff


HIDDEN_NAMES = ("hidden kernel", "hidden bias", "output kernel", "output bias")


def draw_hidden_layer(lesson, by_hand, by_tape) -> dict:
    """backprop_hidden_layer.png: an MLP's gradients [hidden kernel, hidden bias, output kernel, output bias]
    by hand against tf.GradientTape's, one panel each; returns {name (shape): largest difference}."""
    by_tape = [np.asarray(t) for t in by_tape]
    names = [f"{name} {tuple(g.shape)}" for name, g in zip(HIDDEN_NAMES, by_hand)]
    diffs = {name: float(np.abs(g - t).max()) for name, g, t in zip(names, by_hand, by_tape)}
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained")  # the suptitle above the panel titles
    for ax, name, g, t in zip(axes, names, by_hand, by_tape):
        ax.scatter(g.ravel(), t.ravel(), s=6)
        ax.set(title=f"{name}\nlargest difference {diffs[name]:.0e}", xlabel="by hand")
    axes[0].set_ylabel("tf.GradientTape")
    fig.suptitle("Backpropagation through a hidden layer: every gradient, by hand vs GradientTape")
    lesson.figure(fig, "backprop_hidden_layer")
    return diffs


class WeightsEachEpoch(keras.callbacks.Callback):
    """Keeps self.model.get_weights() after every epoch (any level: the loops hand callbacks a model or a view)."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def descend_line(batch_size, learning_rate, epochs, seed=0) -> dict:
    """Linear regression at the numpy level (algorithms/linear_numpy.py through training/numpy_loop.py),
    with no guard (a learning rate that diverges runs on into inf and nan): a, b and the training loss
    after every epoch."""
    from workshop.training.prepare import prepare
    from workshop.training.train import build_model, fit
    config = TrainConfig(model="linear", api="numpy", batch_size=batch_size, learning_rate=learning_rate,
                         epochs=epochs, seed=seed).resolved()
    data = prepare(config)
    record = WeightsEachEpoch()
    history = fit(config, build_model(config, data), data, callbacks=[record], options=RunOptions(verbose=0))
    return {"a": [float(w[0].ravel()[0]) for w in record.weights], "b": [float(w[1].ravel()[0]) for w in record.weights],
            "loss": history["loss"]}


def least_squares(x, y) -> tuple[float, float]:
    """The a, b that minimise the mean squared error of *these* points, solved exactly."""
    a, b = np.polyfit(np.ravel(x).astype(np.float64), np.ravel(y).astype(np.float64), 1)
    return float(a), float(b)


def linear_regression(lesson, epochs) -> dict:
    """Batch GD vs SGD on the 30 `line` points: a and b walking, and the loss. Returns their endpoints,
    the true line and the least-squares line of the 30 points."""
    from workshop.data import load
    splits = load("line")
    batch = descend_line(len(splits.x_train), 0.5, epochs)
    sgd = descend_line(1, 0.05, epochs)
    fitted = least_squares(splits.x_train, splits.y_train)
    plot_linear_regression(lesson, batch, sgd, (splits.extra["a"], splits.extra["b"]), fitted)
    return {"true": (splits.extra["a"], splits.extra["b"]), "least_squares": fitted,
            "batch_gd": (batch["a"][-1], batch["b"][-1]), "sgd": (sgd["a"][-1], sgd["b"][-1])}


def plot_linear_regression(lesson, batch, sgd, true, fitted):
    """linear_regression.png: a and b after each epoch of batch GD and of SGD ({"a", "b", "loss"} lists),
    beside the true line's and the least-squares line's, and both training losses."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for key, colour, truth, best in (("a", "tab:blue", true[0], fitted[0]), ("b", "tab:orange", true[1], fitted[1])):
        axes[0].plot(batch[key], color=colour, label=f"{key} (batch GD)")
        axes[0].plot(sgd[key], color=colour, ls=":", label=f"{key} (SGD, batch 1)")
        axes[0].axhline(truth, color=colour, lw=0.6, ls="--")
        axes[0].axhline(best, color=colour, lw=0.6, ls="-.")
    axes[0].set(title="a and b: the true line (dashed),\nthe 30 points' best line (dash-dot)", xlabel="epoch")
    axes[0].legend(fontsize=8)
    axes[1].semilogy(batch["loss"], label="batch GD (all 30 points per step)")
    axes[1].semilogy(sgd["loss"], label="SGD (1 point per step, 30 steps per epoch)")
    axes[1].set(title="training loss (MSE)", xlabel="epoch")
    axes[1].legend(fontsize=8)
    lesson.figure(fig, "linear_regression")
