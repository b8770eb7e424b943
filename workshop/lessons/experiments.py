"""ML studio demos, done locally: a sweep, a comparison table, a model registry, batch scoring.

| here | what a hosted ML studio calls it |
|---|---|
| logs/studio/ | an experiment |
| one train() call, one folder under it | a run (or job) |
| the loop over learning rates x widths | a sweep (hyperparameter tuning job) |
| models/<name>-v<N>.keras + .json | a model registry entry, versioned |
| score_folder() | a batch endpoint / batch inference job |
"""

import itertools
import json
import shutil
import time
from pathlib import Path

import pandas as pd

from workshop.data import load
from workshop.lessons.samples import label_from_name, write_samples

MODEL_NAME = "digits-mlp"


def sweep(ctx) -> pd.DataFrame:
    """Train the mlp on every (learning_rate, hidden) of the grid; one row per run."""
    rates = (0.05, 0.2) if ctx.quick else (0.02, 0.1, 0.3)
    widths = (16, 64) if ctx.quick else (16, 64, 128)
    rows = []
    for learning_rate, width in itertools.product(rates, widths):
        saved = ctx.run_dir / "sweep" / f"lr{learning_rate}-h{width}.keras"
        s = ctx.train(model="mlp", api="keras", learning_rate=learning_rate, hidden=(width,),
                      epochs=4 if ctx.quick else 15, save=str(saved))
        rows.append({"learning_rate": learning_rate, "hidden": width, "epochs": s["epochs"],
                     "train_accuracy": s["train_accuracy"], "val_accuracy": s["val_accuracy"],
                     "val_loss": s["val_loss"], "test_accuracy": s["test_accuracy"],
                     "seconds": round(s["wall_seconds"], 2), "run_dir": s["run_dir"], "model_file": str(saved)})
        ctx.say(f"  run lr={learning_rate:<5} hidden={width:<4} val accuracy {s['val_accuracy']:.3f}")
    return pd.DataFrame(rows).sort_values("val_accuracy", ascending=False, ignore_index=True)


def register(ctx, best: pd.Series) -> Path:
    """Copy the best run's model into the registry as the next version, with its metadata JSON."""
    registry = ctx.models_dir
    registry.mkdir(parents=True, exist_ok=True)
    version = 1 + len(list(registry.glob(f"{MODEL_NAME}-v*.keras")))
    target = registry / f"{MODEL_NAME}-v{version}.keras"
    shutil.copyfile(best["model_file"], target)
    meta = {"name": MODEL_NAME, "version": version, "file": target.name, "dataset": "digits",
            "data_version": load("digits").version, "registered": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "selected_by": "val_accuracy (the test split plays no part in choosing)",
            "hyperparameters": {"model": "mlp", "api": "keras", "learning_rate": float(best["learning_rate"]),
                                "hidden": [int(best["hidden"])], "epochs": int(best["epochs"])},
            "metrics": {k: float(best[k]) for k in ("train_accuracy", "val_accuracy", "val_loss", "test_accuracy")},
            "run_dir": best["run_dir"]}
    target.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    return target


def score_folder(model_path: Path, folder: Path, out_csv: Path) -> pd.DataFrame:
    """Batch scoring: every PNG in `folder` through the registered model -> a CSV, one row per image."""
    from workshop.predict import load_model, predict_images
    model, meta = load_model(model_path)
    results = predict_images(model, meta, sorted(folder.glob("*.png")))
    table = pd.DataFrame([{"file": Path(r["path"]).name, "predicted": r.get("label"),
                           "probability": r.get("probability"), "true": label_from_name(r["path"]),
                           "error": r.get("error", "")} for r in results])
    table.to_csv(out_csv, index=False)
    return table


def run(ctx) -> dict:
    ctx.say("A sweep over learning rate x hidden width (experiment 'studio'):")
    table = sweep(ctx)
    csv = ctx.run_dir / "sweep.csv"
    table.to_csv(csv, index=False)
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        ctx.say(table.drop(columns=["run_dir", "model_file"]).to_string(index=False, float_format="%.3f"))
    ctx.say(f"  table saved: {csv}")
    plot_sweep(ctx, table)
    registered = register(ctx, table.iloc[0])
    ctx.say(f"Registered the best run (by validation accuracy): {registered} (+ {registered.with_suffix('.json').name})")
    splits = load("digits")
    folder = ctx.run_dir / "batch-input"
    write_samples(splits.x_test, splits.y_test, folder, 12 if ctx.quick else 40)
    scores = score_folder(registered, folder, ctx.run_dir / "batch-scores.csv")
    right = int((scores["predicted"].astype(str) == scores["true"].astype(str)).sum())
    ctx.say(f"Batch scoring: {len(scores)} images in {folder} -> {ctx.run_dir / 'batch-scores.csv'} "
            f"({right} of {len(scores)} right)")
    return {"sweep": table, "registered": registered, "scores": scores}


def plot_sweep(ctx, table):
    import matplotlib.pyplot as plt
    import numpy as np
    pivot = table.pivot(index="learning_rate", columns="hidden", values="val_accuracy")
    fig, ax = plt.subplots(figsize=(5, 3.6))
    image = ax.imshow(pivot.values, cmap="viridis")
    for (i, j), v in np.ndenumerate(pivot.values):
        ax.text(j, i, f"{v:.3f}", ha="center", va="center", color="w")
    ax.set(xticks=range(len(pivot.columns)), xticklabels=pivot.columns, yticks=range(len(pivot.index)),
           yticklabels=pivot.index, xlabel="hidden width", ylabel="learning rate", title="Sweep: validation accuracy")
    fig.colorbar(image)
    ctx.figure(fig, "sweep")
