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


def run(ctx) -> dict:
    n_train, n_val, n_test = load("digits").sizes()
    ctx.say(f"  digits: {n_train} train (the model learns from these), {n_val} validation (we choose epochs, "
            f"sizes, rates by these), {n_test} test (looked at once, at the very end)")
    s = ctx.train(model="mlp", api="keras", hidden=(512,), max_examples=100, optimizer="adam",
                  learning_rate=0.01, epochs=40 if ctx.quick else 100)
    train_curve = series(load_events(Path(s["run_dir"]) / "train"), "epoch_loss")  # read back from TensorBoard's files
    val_curve = series(load_events(Path(s["run_dir"]) / "validation"), "epoch_loss")
    val = np.array([v for _, v in val_curve])
    best = int(val.argmin())
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(*zip(*train_curve), label="training loss (100 examples)")
    ax.plot(*zip(*val_curve), label=f"validation loss ({n_val} examples)")
    ax.axvline(best, color="grey", ls=":", label=f"best validation epoch ({best})")
    ax.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="Overfitting: 512 hidden nodes, 100 digits")
    ax.legend(fontsize=8)
    ctx.figure(fig, "overfitting")
    ctx.say(f"  validation loss: lowest {val[best]:.3f} at epoch {best}, {val[-1]:.3f} at the end "
            f"(training loss {train_curve[-1][1]:.4f}); run in {s['run_dir']}")
    return {"best_epoch": best, "best_val_loss": float(val[best]), "final_val_loss": float(val[-1]),
            "final_train_loss": train_curve[-1][1]}
