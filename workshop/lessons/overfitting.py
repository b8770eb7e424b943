"""Introduction, part 3: train / validation / test, and overfitting made visible.

A too-big mlp (512 hidden nodes) learns 100 training digits by heart: the training
loss keeps falling while the validation loss, after a minimum, turns up. The curves
are read back from the run's own TensorBoard event files, as TensorBoard reads them.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from workshop.data import load
from workshop.tensorboard.run_table import load_events, series


def overfit(lesson, epochs) -> dict:
    """A 512-unit mlp on 100 training digits (Adam 0.01): its training and validation loss per epoch,
    read back from the run's TensorBoard files, and the epoch where the validation loss was lowest."""
    s = lesson.train(model="mlp", api="keras", hidden=(512,), max_examples=100, optimizer="adam",
                     learning_rate=0.01, epochs=epochs, group="overfitting")  # its TensorBoard: this run alone
    train_curve = series(load_events(Path(s["run_dir"]) / "train"), "epoch_loss")  # as TensorBoard reads them
    val_curve = series(load_events(Path(s["run_dir"]) / "validation"), "epoch_loss")
    best = plot_overfitting(lesson, train_curve, val_curve, len(load("digits").y_val))
    val = np.array([v for _, v in val_curve])
    return {"best_epoch": best, "best_val_loss": float(val[best]), "final_val_loss": float(val[-1]),
            "final_train_loss": train_curve[-1][1], "run_dir": s["run_dir"]}


def plot_overfitting(lesson, train_curve, val_curve, val_examples) -> int:
    """The figure `overfitting` from two [(epoch, loss), ...] curves; returns the best validation epoch.

    Left, both losses on one linear scale: training falls to zero, validation stays high. Right,
    the validation loss alone, its axis fitted to the part from its minimum on: a log scale or a
    shared axis would flatten the turn the lesson is about."""
    epochs, val = np.array([e for e, _ in val_curve]), np.array([v for _, v in val_curve])
    best = int(val.argmin())
    fig, (both, zoom) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    both.plot(*zip(*train_curve), label="training loss (100 examples)")
    both.plot(epochs, val, label=f"validation loss ({val_examples} examples)")
    low, high = val[best], val[best:].max()
    zoom.plot(epochs, val, color="tab:orange")
    for ax in (both, zoom):
        ax.axvline(epochs[best], color="grey", ls=":", label=f"lowest validation loss (epoch {epochs[best]})")
        ax.set(xlabel="epoch", ylabel="cross-entropy")
    pad = 0.15 * max(high - low, 0.05 * low)
    zoom.set_ylim(low - pad, high + 3 * pad)  # from the minimum on; the first epochs' losses are above the top
    both.set_title("Training loss falls to 0; validation loss does not")
    zoom.set_title(f"Validation loss, zoomed: it turns up\n{low:.3f} at epoch {epochs[best]}, {val[-1]:.3f} at the end")
    both.legend()
    fig.suptitle("Overfitting: 512 hidden nodes learn 100 digits by heart")
    lesson.figure(fig, "overfitting")
    return best
