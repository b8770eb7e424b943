"""Introduction, part 2: hand-made features vs learned ones, on real 28x28 MNIST 8s and 1s.

As fast.ai's first lesson does it: a 3x3 "top edge" filter and its seven 45-degree rotations
slide over 28x28 digit images; 7x7 max pooling turns each filtered image into a 4x4 grid, and
the eight grids together are the image's fingerprint (8 x 4 x 4 = 128 numbers). The average
fingerprints of the training 8s and 1s become templates; a test image is called an 8 when it
correlates better with the 8 template. Then the same network shape with random filters,
improved by optimization, and its learned filters beside ours.

The digits are mnist5k's (real MNIST, offline): 720 training 8s and 1s (360 of each) and 200 test
ones (100 of each). Measured: the templates find 98 of the 100 test 8s and call 3 of the 100 1s
an 8 (TP 98, FN 2, FP 3, TN 97: sensitivity 0.98, specificity 0.97, accuracy 0.975); the learned
filters reach 0.990 after 10 epochs (TP 99, FN 1, FP 1, TN 99) and after 20, and only 0.965 after 3
(tests/test_lessons_introduction.py holds the table and the order).
"""

import numpy as np
import matplotlib.pyplot as plt
from scipy import signal

from workshop.data import load
from workshop.training.prepare import BINARY_NEGATIVE, BINARY_POSITIVE

TOP_EDGE = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=np.float32)  # bright above, dark below
SIZE, POOL = 28, 7
# the eight border cells of a 3x3 grid, clockwise: shifting values one step along it turns a filter by 45 degrees
RING = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]


def rotate45(kernel):
    out = kernel.copy()
    for (r0, c0), (r1, c1) in zip(RING, RING[1:] + RING[:1]):
        out[r1, c1] = kernel[r0, c0]
    return out


def edge_filters():
    """(8, 3, 3): the top-edge filter turned by 0, 45, ..., 315 degrees (straight and diagonal edges)."""
    filters = [TOP_EDGE]
    for _ in range(7):
        filters.append(rotate45(filters[-1]))
    return np.stack(filters)


def correlation_vs_convolution(image, kernel):
    """Largest |correlate(image, k) - convolve(image, k rotated 180°)|: zero, they are the same operation."""
    correlated = signal.correlate2d(image, kernel, mode="same")
    convolved = signal.convolve2d(image, np.rot90(kernel, 2), mode="same")
    return float(np.abs(correlated - convolved).max())


def images_8_vs_1(name="mnist5k"):
    """(x_train, y_train, x_test, y_test, source): real 28x28 MNIST images of 8s (y=1) and 1s (y=0),
    x float32 (N, 28, 28) in [0, 1], y int64; mnist5k's train split (720) and test split (200)."""
    splits = load(name)
    parts = []
    for x, y in ((splits.x_train, splits.y_train), (splits.x_test, splits.y_test)):
        keep = np.isin(y, (BINARY_POSITIVE, BINARY_NEGATIVE))
        parts += [x[keep, :, :, 0], (y[keep] == BINARY_POSITIVE).astype(np.int64)]
    return (*parts, name)


def fingerprint(image, filters):
    """image (28, 28) -> (8, 4, 4): each filter's response, 7x7 max-pooled."""
    maps = np.stack([signal.correlate2d(image, k, mode="same") for k in filters])
    return maps.reshape(len(filters), SIZE // POOL, POOL, SIZE // POOL, POOL).max(axis=(2, 4))


def confusion(y_true, y_pred) -> dict:
    """The 2x2 table with 8 as the positive class, and sensitivity / specificity."""
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    tn = int(np.sum((y_pred == 0) & (y_true == 0)))
    return {"true_positives": tp, "false_negatives": fn, "false_positives": fp, "true_negatives": tn,
            "sensitivity": tp / max(tp + fn, 1), "specificity": tn / max(tn + fp, 1),
            "accuracy": (tp + tn) / max(len(y_true), 1)}


def format_table(table: dict) -> str:
    t = table
    return "\n".join([
        "                 predicted 8   predicted 1",
        f"    actual 8     {t['true_positives']:>6} TP     {t['false_negatives']:>6} FN",
        f"    actual 1     {t['false_positives']:>6} FP     {t['true_negatives']:>6} TN",
        f"    sensitivity {t['sensitivity']:.3f} (8s found)   specificity {t['specificity']:.3f} (1s kept out)   "
        f"accuracy {t['accuracy']:.3f}"])


def template_classifier(x_train, y_train, x_test, filters):
    """Predict 1 (an 8) where a test fingerprint correlates better with the 8s' average than the 1s'."""
    train_fp = np.stack([fingerprint(im, filters).ravel() for im in x_train])
    test_fp = np.stack([fingerprint(im, filters).ravel() for im in x_test])
    avg8, avg1 = train_fp[y_train == 1].mean(0), train_fp[y_train == 0].mean(0)
    corr = lambda a, b: np.corrcoef(a, b)[0, 1]  # noqa: E731
    y_pred = np.array([int(corr(fp, avg8) > corr(fp, avg1)) for fp in test_fp])
    return y_pred, avg8.reshape(len(filters), 4, 4), avg1.reshape(len(filters), 4, 4)


def show_filters(lesson, rows, name, title):
    """rows: [(label, (8, 3, 3) filters)] -> one figure, one row per set."""
    fig, axes = plt.subplots(len(rows), 8, figsize=(10, 1.5 * len(rows) + 0.6), squeeze=False)
    for r, (label, filters) in enumerate(rows):
        for c, k in enumerate(filters):
            lim = np.abs(k).max() or 1
            axes[r, c].imshow(k, cmap="bwr", vmin=-lim, vmax=lim)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle(title)
    return lesson.figure(fig, name)


def show_fingerprints(lesson, image, filters, avg8, avg1):
    maps = [signal.correlate2d(image, k, mode="same") for k in filters]
    fig, axes = plt.subplots(4, 8, figsize=(12, 6.4))
    rows = (maps, fingerprint(image, filters), avg8, avg1)
    labels = ("filtered 28x28", "7x7 max-pooled", "average 8", "average 1")
    for r, (row, label) in enumerate(zip(rows, labels)):
        for c in range(8):
            axes[r, c].imshow(row[c], cmap="gray")
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle("One test 8 through the 8 edge filters, its 4x4 fingerprints, and the class averages")
    lesson.figure(fig, "fingerprints")


def show_table(lesson, tables):
    fig, axes = plt.subplots(1, len(tables), figsize=(4.2 * len(tables), 3.6), squeeze=False)
    for ax, (title, t) in zip(axes[0], tables.items()):
        grid = np.array([[t["true_positives"], t["false_negatives"]], [t["false_positives"], t["true_negatives"]]])
        ax.imshow(grid, cmap="Blues")
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, f"{['TP', 'FN', 'FP', 'TN'][2 * i + j]}\n{v}", ha="center", va="center", fontsize=12)
        ax.set(xticks=[0, 1], xticklabels=["predicted 8", "predicted 1"], yticks=[0, 1],
               yticklabels=["actual 8", "actual 1"],
               title=f"{title}\nsensitivity {t['sensitivity']:.2f}  specificity {t['specificity']:.2f}")
    lesson.figure(fig, "confusion_8_vs_1")


def learned_filters(lesson, x_train, y_train, x_test, epochs):
    """The same shape of network - 8 3x3 filters, 7x7 max pooling, one output - with random
    filters, trained on 8 vs 1 with Keras's own TensorBoard callback (logs/<lesson>/learned-filters-*).
    Returns ((8, 3, 3) learned filters, test predictions: 1 for an 8)."""
    from workshop.paths import logs_dir
    from workshop.tf_env import keras
    from workshop.training.rundir import new_run_dir
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((SIZE, SIZE, 1)),
        keras.layers.Conv2D(8, 3, padding="same", use_bias=False, name="filters"),
        keras.layers.MaxPooling2D(POOL),
        keras.layers.Flatten(),
        keras.layers.Dense(1, name="vote"),  # a logit: > 0 means "an 8"
    ])
    model.compile(keras.optimizers.Adam(0.01), keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    run_dir = new_run_dir(logs_dir(), lesson.name, "learned-filters-keras-8vs1")
    model.fit(x_train[..., None], y_train[:, None].astype(np.float32), epochs=epochs, batch_size=32,
              validation_split=0.1, verbose=0, callbacks=[keras.callbacks.TensorBoard(str(run_dir), write_graph=False)])
    kernel = model.get_layer("filters").get_weights()[0]  # (3, 3, 1, 8)
    y_pred = (np.asarray(model.predict(x_test[..., None], verbose=0)).ravel() > 0).astype(np.int64)
    return np.moveaxis(kernel[:, :, 0, :], -1, 0), y_pred
