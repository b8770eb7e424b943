"""The demo: the CNN digit recognizer, trained with `fit` and with a GradientTape loop.

Both runs go to logs/demo/, so TensorBoard overlays their curves. The fit-trained
model is saved to models/digits-cnn.keras; its mistakes, its confusion matrix and its
predictions on sample PNGs (and on the user's own images) are drawn and printed.
"""

import numpy as np
import matplotlib.pyplot as plt

from workshop.data import load
from workshop.lessons.context import shown
from workshop.lessons.samples import write_samples

MODEL_FILE = "digits-cnn.keras"


def train_both(ctx) -> dict:
    from workshop.training.run import train
    epochs = 3 if ctx.quick else 10
    summaries = {}
    for api, how in (("keras", "compile + fit"), ("layers", "Keras layers + own GradientTape loop")):
        save = str(ctx.models_dir / MODEL_FILE) if api == "keras" else None
        s = train(ctx.train_config(model="cnn", api=api, epochs=epochs, save=save))
        summaries[api] = s
        ctx.say(f"  cnn --api {api:6} ({how}): test accuracy {s['test_accuracy']:.2%} "
                f"in {s['wall_seconds']:.1f} s  -> {shown(s['run_dir'])}")
    return summaries


def show_mistakes(ctx, x, y, y_pred, probs, limit=24):
    wrong = np.flatnonzero(y_pred != y)[:limit]
    cols = 8
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.6 + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(x[i, :, :, 0], cmap="gray")
        ax.set_title(f"{y[i]} → {y_pred[i]} ({probs[i].max():.0%})", fontsize=9, color="tab:red")
    fig.suptitle(f"{int((y_pred != y).sum())} of {len(y)} test digits wrong (true → predicted)")
    ctx.figure(fig, "mistakes")


def show_confusion(ctx, y, y_pred, classes=10):
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (y, y_pred), 1)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), v in np.ndenumerate(matrix):
        if v:
            ax.text(j, i, v, ha="center", va="center", fontsize=8, color="w" if v > matrix.max() / 2 else "k")
    ax.set(xticks=range(classes), yticks=range(classes), xlabel="predicted", ylabel="true",
           title="Confusion matrix, test split")
    ctx.figure(fig, "confusion_matrix")
    return matrix


def show_predictions(ctx, results, name):
    from PIL import Image
    fig, axes = plt.subplots(1, len(results), figsize=(1.5 * len(results), 2), squeeze=False)
    for ax, r in zip(axes[0], results):
        ax.axis("off")
        if "error" in r:
            ax.set_title("unreadable", fontsize=8)
            continue
        with Image.open(r["path"]) as image:
            ax.imshow(np.asarray(image.convert("L")), cmap="gray")
        ax.set_title(f"{r['label']} ({r['probability']:.0%})", fontsize=9)
    ctx.figure(fig, name)


def predict_files(ctx, model, meta, paths, name):
    from workshop.predict import predict_images
    results = predict_images(model, meta, paths)
    for r in results:
        answer = r.get("error") or f"{r['label']} ({r['probability']:.1%})"
        ctx.say(f"    {shown(r['path'])}: {answer}")
    show_predictions(ctx, results, name)
    return results


def run(ctx) -> dict:
    from workshop.predict import load_model, probabilities
    ctx.say("Training the CNN twice, same data and starting weights (experiment 'demo'):")
    summaries = train_both(ctx)
    model_path = ctx.models_dir / MODEL_FILE
    model, meta = load_model(model_path)
    splits = load("digits")
    probs = probabilities(meta, np.asarray(model(splits.x_test, training=False)))
    y_pred = probs.argmax(1)
    show_mistakes(ctx, splits.x_test, splits.y_test, y_pred, probs)
    show_confusion(ctx, splits.y_test, y_pred)
    ctx.say("Predictions on sample PNGs made from the test split:")
    samples = write_samples(splits.x_test, splits.y_test, ctx.run_dir / "samples", 8)
    results = {"samples": predict_files(ctx, model, meta, samples, "sample_predictions")}
    if ctx.images:
        ctx.say("Predictions on your images:")
        results["images"] = predict_files(ctx, model, meta, list(ctx.images), "your_predictions")
    ctx.say(f"Final test accuracy: fit {summaries['keras']['test_accuracy']:.2%}, "
            f"GradientTape loop {summaries['layers']['test_accuracy']:.2%}")
    ctx.say(f"Saved model: {shown(model_path)}  (try: workshop predict {shown(model_path)} "
            f"{shown(samples[0])})")
    ctx.say(f"Watch the curves overlay: workshop tensorboard --logdir {shown(ctx.run_dir.parent.parent)}")
    return {"summaries": summaries, "model": model_path, **results}
