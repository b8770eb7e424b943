"""The studio lesson's machinery (lessons/studio.py tells the story, and runs the sweep itself with
Keras and TensorBoard's hparams API): the sweep's grid, saving and scoring its models, its table and
figure, a model registry, batch scoring, and one digit's yes/no counts.

| here | what a hosted ML studio calls it |
|---|---|
| logs/studio/sweep/, its runs and hp.hparams_config | an experiment |
| one fit() of the sweep, one folder under logs/studio/sweep/ | a run (or job) |
| the loop over learning rates x widths | a sweep (hyperparameter tuning job) |
| models/<name>-v<N>.keras + .json | a model registry entry, versioned |
| score_folder() | a batch endpoint / batch inference job |
"""

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workshop.data import load
from workshop.hints import shown
from workshop.lessons.samples import label_from_name, write_samples

MODEL_NAME = "digits-mlp"


def sweep_grid(lesson) -> tuple[tuple, tuple, int]:
    """(learning rates, hidden widths, epochs) of the lesson's sweep: 2 x 2 of 4 epochs quick, 3 x 3 of 15 full."""
    if lesson.quick:
        return (0.05, 0.2), (16, 64), 4
    return (0.02, 0.1, 0.3), (16, 64, 128), 15


def keep(model, path, hidden, splits) -> Path:
    """Save a sweep's keras.Sequential MLP as the package saves models (a .keras file with the metadata
    `workshop predict` and the registry read), so the chosen one can be registered without training it again."""
    from workshop import saving
    from workshop.config import TrainConfig
    from workshop.training.train import metadata
    config = TrainConfig(model="mlp", api="keras", hidden=(int(hidden),)).resolved()
    return saving.save_keras(model, Path(path), metadata(config, splits))


def scores(model, splits) -> dict:
    """The model's accuracy on the training, validation and test splits, and its validation loss."""
    found = {}
    for split in ("train", "val", "test"):
        result = model.evaluate(getattr(splits, f"x_{split}"), getattr(splits, f"y_{split}"), verbose=0,
                                return_dict=True)
        found[f"{split}_accuracy"] = float(result["accuracy"])
        if split == "val":
            found["val_loss"] = float(result["loss"])
    return found


def save_table(lesson, table: pd.DataFrame) -> Path:
    """Print the sweep table (without its paths) and write it all as <run_dir>/sweep.csv."""
    csv = lesson.run_dir / "sweep.csv"
    table.to_csv(csv, index=False)
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        lesson.say(table.drop(columns=["run_dir", "model_file"]).to_string(index=False, float_format="%.3f"))
    lesson.say(f"  table saved: {shown(csv)}")
    return csv


def plot_sweep(lesson, table):
    """The figure `sweep`: validation accuracy per learning rate (rows) x hidden width (columns)."""
    import matplotlib.pyplot as plt
    pivot = table.pivot(index="learning_rate", columns="hidden", values="val_accuracy")
    fig, ax = plt.subplots(figsize=(5, 3.6))
    image = ax.imshow(pivot.values, cmap="viridis")
    for (i, j), v in np.ndenumerate(pivot.values):  # black on the light cells, white on the dark ones
        ax.text(j, i, f"{v:.3f}", ha="center", va="center", color=text_color(image.cmap(image.norm(v))))
    ax.set(xticks=range(len(pivot.columns)), xticklabels=pivot.columns, yticks=range(len(pivot.index)),
           yticklabels=pivot.index, xlabel="hidden width", ylabel="learning rate", title="Sweep: validation accuracy")
    fig.colorbar(image)
    lesson.figure(fig, "sweep")


def luminance(rgb) -> float:
    """The relative luminance of an sRGB colour (components in [0, 1]), as WCAG defines it: 0 black, 1 white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_color(background) -> str:
    """"black" or "white", whichever stands out more on `background` (the larger WCAG contrast ratio)."""
    light = luminance(background)
    return "black" if (light + 0.05) / 0.05 > 1.05 / (light + 0.05) else "white"


def register(lesson, best: pd.Series) -> Path:
    """Copy the chosen run's model into the registry (lesson.models_dir) as the next version,
    <MODEL_NAME>-v<N>.keras, with its record <MODEL_NAME>-v<N>.json beside it; returns the .keras path."""
    registry = lesson.models_dir
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
    lesson.say(f"Registered: {shown(target)} (+ {target.with_suffix('.json').name}), "
               f"lr={best['learning_rate']} hidden={best['hidden']}, val accuracy {best['val_accuracy']:.3f}")
    return target


def write_batch_input(lesson) -> Path:
    """A few test digits as PNG files in <run_dir>/batch-input/ (12 quick, 40 full), the true
    label in each file name; returns the folder."""
    splits = load("digits")
    folder = lesson.run_dir / "batch-input"
    write_samples(splits.x_test, splits.y_test, folder, 12 if lesson.quick else 40)
    return folder


def score_folder(model_path: Path, folder: Path, out_csv: Path) -> pd.DataFrame:
    """Batch scoring: every PNG in `folder` through the registered model -> a CSV, one row per
    image (file, predicted, probability, true, error)."""
    from workshop.predict import load_model, predict_images
    model, meta = load_model(model_path)
    results = predict_images(model, meta, sorted(folder.glob("*.png")))
    table = pd.DataFrame([{"file": Path(r["path"]).name, "predicted": r.get("label"),
                           "probability": r.get("probability"), "true": label_from_name(r["path"]),
                           "error": r.get("error", "")} for r in results])
    table.to_csv(out_csv, index=False)
    right = int((table["predicted"].astype(str) == table["true"].astype(str)).sum())
    print(f"Batch scoring: {len(table)} images in {shown(folder)} -> {shown(out_csv)} ({right} of {len(table)} right)")
    return table


def yes_no_counts(model_path: Path, digit: int) -> np.ndarray:
    """The registered model asked "is it `digit`?" on the whole test split: int (2, 2) counts
    [[TP, FN], [FP, TN]] (rows: actually `digit`, actually not; columns: said yes, said no)."""
    from workshop.predict import load_model
    model, _ = load_model(model_path)
    splits = load("digits")
    said = np.asarray(model(splits.x_test, training=False)).argmax(axis=1) == digit
    actual = splits.y_test == digit
    counts = np.array([[np.sum(actual & said), np.sum(actual & ~said)],
                       [np.sum(~actual & said), np.sum(~actual & ~said)]])
    print(f"Is it the digit {digit}? The registered model on {len(actual)} test digits:")
    print(f"  {'':16}{'said yes':>9}{'said no':>9}")
    for row, name in zip(counts, (f"actually {digit}", f"actually not {digit}")):
        print(f"  {name:16}{row[0]:9d}{row[1]:9d}")
    return counts
