"""Drawings and small NumPy tools for the presentation lesson (workshop/lessons/presentation.py).

    plot_activations, draw_node      the logistic function beside tanh and ReLU; one node
    layer_sizes, draw_network        a network's layers drawn from its kernel shapes
    pca_2d, kmeans, purity           digits in 2-D, clusters found without labels, and how pure they are
    draw_clusters_vs_classes         the same points coloured three ways

Every drawing hands its figure to `lesson.figure`, which saves it as a PNG in the lesson's
run folder and as a TensorBoard image.
"""

import numpy as np
import matplotlib.pyplot as plt

from workshop.algorithms.logistic_numpy import sigmoid  # the logistic neuron's own: 1 / (1 + e^-z)


def plot_activations(lesson):
    """logistic.png: the logistic function beside tanh and ReLU."""
    z = np.linspace(-6, 6, 200)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(z, sigmoid(z), label="logistic  1 / (1 + e^-z)", lw=2)
    ax.plot(z, np.tanh(z), label="tanh", ls="--")
    ax.plot(z, np.maximum(z, 0) / 6, label="ReLU max(0, z) (scaled 1/6)", ls=":")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set(xlabel="z = w . x + b (the weighted sum)", ylabel="activation", title="What a node does with its sum")
    ax.legend(fontsize=8)
    lesson.figure(fig, "logistic")


def draw_node(lesson):
    """node.png: one node with three inputs."""
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
    lesson.figure(fig, "node")


def layer_sizes(shapes) -> list[int]:
    """Dense kernel shapes [(inputs, nodes), ...] -> nodes per layer, the input layer first."""
    return [shapes[0][0]] + [shape[1] for shape in shapes]


def draw_network(lesson, sizes, name, title, max_drawn=10):
    """<name>.png: circles per layer (at most `max_drawn`, the rest summarised), every edge between neighbours."""
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
    lesson.figure(fig, name)


def pca_2d(x):
    """x (N, D) -> (N, 2): the projection on the two directions of largest variance (NumPy's SVD)."""
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


def draw_clusters_vs_classes(lesson, x, y, ids, y_pred):
    """clusters_vs_classes.png: x (N, D) projected on 2 principal components, three times:
    coloured by the labels y (N,), by the cluster ids (N,), by the predictions y_pred (N,)."""
    xy = pca_2d(x)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), layout="constrained")  # constrained: room for every title
    titles = ("the truth (labels)", f"k-means: {len(np.unique(ids))} clusters, no labels\n"
              f"(purity {purity(ids, y):.0%})", f"a trained classifier (mlp)\n(accuracy {np.mean(y_pred == y):.0%})")
    for ax, colours, title in zip(axes, (y, ids, y_pred), titles):
        ax.scatter(xy[:, 0], xy[:, 1], c=colours, cmap="tab10", s=9)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"Digits test split ({len(x)} images), projected on 2 principal components")
    lesson.figure(fig, "clusters_vs_classes")
