"""Introduction, part 1: how a single neuron learns.

The perceptron rule (OR is learned, XOR cannot be), a logistic neuron's gradients
by hand in NumPy beside tf.GradientTape's, linear regression the deep-learning way
(a and b walking to their true values), and SGD vs batch gradient descent.
"""

import matplotlib.pyplot as plt
import numpy as np

from workshop.algorithms.perceptron_numpy import Perceptron
from workshop.data import load, truth_table
from workshop.training.prepare import BINARY_NEGATIVE, BINARY_POSITIVE

GATES = ("or", "xor")


def perceptron_rule(gate, learning_rate=0.1, epochs=25):
    """The package's perceptron (workshop/algorithms/perceptron_numpy.py) on a truth table,
    started at zero weights so the run is exact. Returns (w (3,): bias first, errors per epoch)."""
    table = truth_table(gate)
    model = Perceptron([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    errors = [model.train_epoch(table.x_train, table.y_train, learning_rate) for _ in range(epochs)]
    return model.w, errors


def perceptrons(ctx):
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    results = {}
    for ax, name in zip(axes[:2], GATES):
        table = truth_table(name)
        w, errors = perceptron_rule(name)
        results[name] = errors[-1]
        ax.scatter(*table.x_train.T, c=table.y_train, cmap="coolwarm", s=150, edgecolors="k")
        xs = np.linspace(-0.5, 1.5, 2)
        if abs(w[2]) > 1e-6:  # the line w0 + w1*x1 + w2*x2 = 0
            ax.plot(xs, -(w[0] + w[1] * xs) / w[2], "k--")
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title=f"{name.upper()}: {errors[-1]} errors after "
               f"{len(errors)} epochs", xlabel="x1", ylabel="x2")
        axes[2].plot(errors, label=name.upper(), marker=".")
    axes[2].set(title="errors per epoch", xlabel="epoch", ylabel="misclassified")
    axes[2].legend()
    ctx.figure(fig, "perceptron")
    ctx.say(f"  perceptron rule: OR ends with {results['or']} errors, XOR with {results['xor']} "
            "(no straight line separates XOR)")
    for name in GATES:  # the same perceptron through `workshop train`, logged like any run
        s = ctx.train(model="perceptron", api="numpy", dataset=name)
        ctx.say(f"  workshop train perceptron --dataset {name}: train accuracy {s.get('train_accuracy')}")
    return results


def logistic_gradients_numpy(x, y, w, b):
    """Mean binary cross-entropy of sigmoid(x @ w + b) and its gradients, by the chain rule.

    x (N, D), y (N, 1), w (D, 1), b (1,). dL/dz = (p - y) / N, then dL/dw = x^T dL/dz.
    """
    z = x @ w + b
    p = 1 / (1 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dz = (p - y) / len(x)
    return loss, x.T @ dz, dz.sum(axis=0)


def logistic_gradients_tape(x, y, w, b):
    from workshop.tf_env import tf
    w, b = tf.Variable(w), tf.Variable(b)
    with tf.GradientTape() as tape:
        z = tf.constant(x) @ w + b
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(y), logits=z))
    dw, db = tape.gradient(loss, [w, b])
    return float(loss), dw.numpy(), db.numpy()


def backprop_check(ctx):
    splits = load("digits")
    keep = np.isin(splits.y_train, (BINARY_POSITIVE, BINARY_NEGATIVE))
    x = splits.x_train[keep].reshape(keep.sum(), -1).astype(np.float64)
    y = (splits.y_train[keep] == BINARY_POSITIVE).astype(np.float64)[:, None]
    rng = np.random.default_rng(0)
    w, b = rng.normal(0, 0.1, (x.shape[1], 1)), np.zeros(1)
    loss_np, dw_np, db_np = logistic_gradients_numpy(x, y, w, b)
    loss_tf, dw_tf, db_tf = logistic_gradients_tape(x, y, w, b)
    diff = float(max(np.abs(dw_np - dw_tf).max(), np.abs(db_np - db_tf).max()))
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.scatter(dw_np.ravel(), dw_tf.ravel(), s=10)
    lim = np.abs(dw_np).max() * 1.1
    ax.plot([-lim, lim], [-lim, lim], "k:", lw=1)
    ax.set(xlabel="dL/dw by hand (NumPy)", ylabel="dL/dw by tf.GradientTape",
           title=f"64 gradients, largest difference {diff:.1e}")
    ctx.figure(fig, "backprop_vs_gradienttape")
    ctx.say(f"  logistic neuron, 8s vs 1s: loss {loss_np:.6f} (NumPy) vs {loss_tf:.6f} (GradientTape), "
            f"gradients differ by at most {diff:.1e}")
    return {"loss_numpy": float(loss_np), "loss_tape": loss_tf, "max_gradient_difference": diff}


def descend_line(x, y, batch_size, learning_rate, epochs, seed=0):
    """Gradient descent on y = a*x + b (MSE); returns a, b and train loss after each epoch."""
    rng = np.random.default_rng(seed)
    a = b = 0.0
    history = {"a": [], "b": [], "loss": []}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch_size):
            xb, yb = x[order[i:i + batch_size]], y[order[i:i + batch_size]]
            error = a * xb + b - yb
            a, b = a - learning_rate * 2 * np.mean(error * xb), b - learning_rate * 2 * np.mean(error)
        history["a"].append(a)
        history["b"].append(b)
        history["loss"].append(float(np.mean((a * x + b - y) ** 2)))
    return history


def linear_regression(ctx):
    splits = load("line")
    x, y = splits.x_train.ravel().astype(np.float64), splits.y_train.ravel().astype(np.float64)
    true_a, true_b = splits.extra["a"], splits.extra["b"]
    epochs = 20 if ctx.quick else 60
    batch = descend_line(x, y, len(x), 0.5, epochs)
    sgd = descend_line(x, y, 1, 0.05, epochs)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for key, colour, truth in (("a", "tab:blue", true_a), ("b", "tab:orange", true_b)):
        axes[0].plot(batch[key], color=colour, label=f"{key} (batch GD)")
        axes[0].plot(sgd[key], color=colour, ls=":", label=f"{key} (SGD, batch 1)")
        axes[0].axhline(truth, color=colour, lw=0.6, ls="--")
    axes[0].set(title="a and b walk to their true values (dashed)", xlabel="epoch")
    axes[0].legend(fontsize=8)
    axes[1].semilogy(batch["loss"], label="batch GD (all 30 points per step)")
    axes[1].semilogy(sgd["loss"], label="SGD (1 point per step, 30 steps per epoch)")
    axes[1].set(title="training loss (MSE)", xlabel="epoch")
    axes[1].legend(fontsize=8)
    ctx.figure(fig, "linear_regression")
    runs = {}
    for batch_size, name in ((1, "sgd"), (len(x), "batch")):  # the package's linear model, into TensorBoard
        s = ctx.train(model="linear", api="keras", batch_size=batch_size, epochs=epochs,
                      learning_rate=0.05 if batch_size == 1 else 0.5)
        runs[name] = {"a": s["a"], "b": s["b"], "loss": s["train_loss"]}
        ctx.say(f"  linear, batch_size {batch_size:2}: a = {s['a']:.3f} b = {s['b']:.3f} "
                f"(true {true_a:.3f}, {true_b:.3f})")
    return {"true_a": true_a, "true_b": true_b, **runs}


def run(ctx) -> dict:
    ctx.say("The perceptron rule:")
    results = {"perceptron": perceptrons(ctx)}
    ctx.say("Backpropagation by hand vs tf.GradientTape:")
    results["backprop"] = backprop_check(ctx)
    ctx.say("Linear regression the deep-learning way; SGD vs batch gradient descent:")
    results["linear"] = linear_regression(ctx)
    return results
