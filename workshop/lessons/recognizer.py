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
    epochs = 3 if ctx.quick else 10
    summaries = {}
    for api, how in (("keras", "compile + fit"), ("layers", "Keras layers + own GradientTape loop")):
        save = str(ctx.models_dir / MODEL_FILE) if api == "keras" else None
        s = ctx.train(model="cnn", api=api, epochs=epochs, save=save)
        summaries[api] = s
        ctx.say(f"  cnn --api {api:6} ({how}): test accuracy {s['test_accuracy']:.2%} "
                f"in {s['wall_seconds']:.1f} s  -> {shown(s['run_dir'])}")
    return summaries


def show_mistakes(ctx, x, y, y_pred, probs, limit=24):
    """The misclassified test digits, captioned true -> predicted (the same grid TensorBoard shows)."""
    from workshop.tensorboard import pictures
    wrong = np.flatnonzero(y_pred != y)[:limit]
    if len(wrong) == 0:
        wrong = np.arange(1)  # a perfect model: show one right answer rather than an empty picture
    captions = [f"{y[i]}→{y_pred[i]} {probs[i].max():.0%}" for i in wrong]
    ctx.image(pictures.digit_grid(x[wrong], captions), "mistakes")
    ctx.say(f"  {int((y_pred != y).sum())} of {len(y)} test digits wrong")


def show_confusion(ctx, y, y_pred, classes=10):
    """The test split's confusion matrix (row = true, column = predicted)."""
    from workshop.tensorboard import pictures
    matrix = pictures.confusion_matrix(y, y_pred, classes)
    ctx.image(pictures.confusion_figure(matrix, [str(c) for c in range(classes)], "Confusion matrix, test split"),
              "confusion_matrix")
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
