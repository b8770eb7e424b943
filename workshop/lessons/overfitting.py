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
                     learning_rate=0.01, epochs=epochs)
    train_curve = series(load_events(Path(s["run_dir"]) / "train"), "epoch_loss")  # as TensorBoard reads them
    val_curve = series(load_events(Path(s["run_dir"]) / "validation"), "epoch_loss")
    val = np.array([v for _, v in val_curve])
    best = int(val.argmin())
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(*zip(*train_curve), label="training loss (100 examples)")
    ax.plot(*zip(*val_curve), label=f"validation loss ({len(load('digits').y_val)} examples)")
    ax.axvline(best, color="grey", ls=":", label=f"best validation epoch ({best})")
    ax.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="Overfitting: 512 hidden nodes, 100 digits")
    ax.legend(fontsize=8)
    lesson.figure(fig, "overfitting")
    return {"best_epoch": best, "best_val_loss": float(val[best]), "final_val_loss": float(val[-1]),
            "final_train_loss": train_curve[-1][1], "run_dir": s["run_dir"]}
