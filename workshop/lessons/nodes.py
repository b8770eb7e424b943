"""Presentation demos: a node, layers, depth; clustering vs classification.

Figures: logistic.png (the activation), node.png (one node), mlp.png (the mlp's
layers, drawn from its kernel shapes), clusters_vs_classes.png (digits in 2-D PCA:
true labels, k-means clusters found without labels, a trained classifier's labels).
"""

import numpy as np
import matplotlib.pyplot as plt

from workshop.algorithms.shapes import kernel_shapes
from workshop.data import load


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def plot_activations(ctx):
    z = np.linspace(-6, 6, 200)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(z, logistic(z), label="logistic  1 / (1 + e^-z)", lw=2)
    ax.plot(z, np.tanh(z), label="tanh", ls="--")
    ax.plot(z, np.maximum(z, 0) / 6, label="ReLU max(0, z) (scaled 1/6)", ls=":")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set(xlabel="z = w . x + b (the weighted sum)", ylabel="activation", title="What a node does with its sum")
    ax.legend(fontsize=8)
    ctx.figure(fig, "logistic")


def draw_node(ctx):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.axis("off")
    for i, y in enumerate((0.8, 0.5, 0.2)):
        ax.annotate("", xy=(0.45, 0.5), xytext=(0.12, y), arrowprops=dict(arrowstyle="->"))
        ax.text(0.05, y, f"x{i + 1}", ha="center", va="center", fontsize=12)
        ax.text(0.28, (y + 0.5) / 2 + 0.04, f"w{i + 1}", fontsize=10, color="tab:blue")
    ax.add_patch(plt.Circle((0.5, 0.5), 0.08, fill=False, lw=2))
    ax.text(0.5, 0.5, "Σ + b", ha="center", va="center", fontsize=11)
    ax.annotate("", xy=(0.72, 0.5), xytext=(0.58, 0.5), arrowprops=dict(arrowstyle="->"))
    ax.text(0.8, 0.5, "σ(z)", ha="center", va="center", fontsize=12, bbox=dict(boxstyle="round", fc="w"))
    ax.annotate("", xy=(0.98, 0.5), xytext=(0.86, 0.5), arrowprops=dict(arrowstyle="->"))
    ax.set_title("A node: y = σ(w1·x1 + w2·x2 + w3·x3 + b)")
    ctx.figure(fig, "node")


def draw_network(ctx, sizes, name, title, max_drawn=10):
    """Circles per layer (at most `max_drawn`, the rest summarised), every edge between neighbours."""
    fig, ax = plt.subplots(figsize=(2 + 2 * len(sizes), 4.5))
    ax.axis("off")
    columns = []
    for i, n in enumerate(sizes):
        drawn = min(n, max_drawn)
        ys = np.linspace(0.9, 0.1, drawn) if drawn > 1 else np.array([0.5])
        columns.append([(i, y) for y in ys])
        label = ["input", *["hidden"] * (len(sizes) - 2), "output"][i]
        ax.text(i, 0.98, f"{label}\n{n} nodes", ha="center", va="bottom", fontsize=9)
        if drawn < n:
            ax.text(i, 0.03, f"(+{n - drawn} more)", ha="center", fontsize=8, color="grey")
    for left, right in zip(columns[:-1], columns[1:]):
        for (x0, y0) in left:
            for (x1, y1) in right:
                ax.plot([x0, x1], [y0, y1], color="tab:blue", lw=0.3, alpha=0.5)
    for column in columns:
        for (x, y) in column:
            ax.add_patch(plt.Circle((x, y), 0.025, color="tab:orange", zorder=3))
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(0, 1.1)
    ax.set_aspect("auto")
    ax.set_title(title)
    ctx.figure(fig, name)


def pca_2d(x):
    """x (N, D) -> (N, 2): the projection on the two directions of largest variance."""
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def kmeans(x, k, iterations=30, seed=0):
    """Cluster ids (N,) of x (N, D) into k groups: no labels used, only distances."""
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)]
    for _ in range(iterations):
        ids = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        centres = np.stack([x[ids == j].mean(0) if np.any(ids == j) else centres[j] for j in range(k)])
    return ids


def purity(ids, y):
    """Fraction of points whose cluster's most common true label is their own label."""
    return float(sum(np.bincount(y[ids == j]).max() for j in np.unique(ids)) / len(y))


def clusters_vs_classes(ctx):
    from workshop import saving
    splits = load("digits")
    x = splits.x_test.reshape(len(splits.x_test), -1)
    ids = kmeans(x, 10)
    path = ctx.run_dir / "mlp.keras"
    summary = ctx.train(model="mlp", api="keras", epochs=5 if ctx.quick else 20, save=str(path))
    model, _ = saving.load(path)
    y_pred = np.asarray(model.predict(splits.x_test, verbose=0)).argmax(1)
    xy = pca_2d(x)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
    for ax, colours, title in zip(axes, (splits.y_test, ids, y_pred), (
            "the truth (labels)", f"k-means: 10 clusters, no labels\n(purity {purity(ids, splits.y_test):.0%})",
            f"a trained classifier (mlp)\n(test accuracy {summary['test_accuracy']:.0%})")):
        ax.scatter(xy[:, 0], xy[:, 1], c=colours, cmap="tab10", s=9)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Digits test split, projected on 2 principal components")
    ctx.figure(fig, "clusters_vs_classes")
    return {"kmeans_purity": purity(ids, splits.y_test), "classifier_test_accuracy": summary["test_accuracy"]}


def run(ctx) -> dict:
    ctx.say("A node is a weighted sum passed through an activation:")
    plot_activations(ctx)
    draw_node(ctx)
    shallow = kernel_shapes("mlp", (8, 8, 1), 10, (64,))
    deep = kernel_shapes("mlp", (8, 8, 1), 10, (64, 32, 16))
    for shapes, name, what in ((shallow, "mlp", "the workshop's mlp"), (deep, "deep_mlp", "deep = stacked layers")):
        sizes = [shapes[0][0]] + [s[1] for s in shapes]
        ctx.say(f"{what}: kernels {shapes} -> layers of {sizes} nodes")
        draw_network(ctx, sizes, name, f"{what}: {' -> '.join(map(str, sizes))}")
    ctx.say("Clustering (no labels) vs classification (learned from labels) on the digits:")
    result = clusters_vs_classes(ctx)
    ctx.say(f"  k-means purity {result['kmeans_purity']:.1%}, classifier test accuracy "
            f"{result['classifier_test_accuracy']:.1%}")
    return result
