"""The demo lesson's machinery (lessons/demo.py tells the story): the CNN digit recognizer
trained at one level, and the pictures of what it got wrong and what it says about image files.

Both training runs go to logs/demo/, so TensorBoard overlays their curves; the `fit`-trained
model is saved to <models_dir>/digits-cnn.keras.
"""

import numpy as np
import matplotlib.pyplot as plt

from workshop.hints import shown

MODEL_FILE = "digits-cnn.keras"
HOW = {"keras": "compile + fit", "layers": "Keras layers + own GradientTape loop"}
MISTAKES_SHOWN = 24  # as many as TensorBoard's grid of mistakes shows


def train_cnn(lesson, api: str) -> dict:
    """Train the CNN on digits at level `api` ("keras" or "layers") for 3 epochs (quick) or its
    default (15: `workshop train cnn`'s settings), from the starting weights every level draws from the same seed; returns train()'s summary.
    The keras run is saved to <models_dir>/digits-cnn.keras."""
    save = str(lesson.models_dir / MODEL_FILE) if api == "keras" else None
    s = lesson.train(model="cnn", api=api, epochs=3 if lesson.quick else None, save=save, progress=True)
    lesson.say(f"  cnn --api {api:6} ({HOW[api]}): test accuracy {s['test_accuracy']:.2%} "
               f"in {s['wall_seconds']:.1f} s  -> {shown(s['run_dir'])}")
    return s


def show_mistakes(lesson, x, y, y_pred, probs, limit=MISTAKES_SHOWN):
    """The figure `mistakes`: the first `limit` misclassified test digits of x (N, H, W, 1),
    captioned true→predicted and the probability the model gave its answer."""
    from workshop.tensorboard import pictures
    wrong = np.flatnonzero(y_pred != y)
    picked = wrong[:limit] if len(wrong) else np.arange(1)  # a perfect model: one right answer, not an empty grid
    captions = [f"{y[i]}→{y_pred[i]} {probs[i].max():.0%}" for i in picked]
    lesson.image(pictures.digit_grid(x[picked], captions, dpi=lesson.DPI), "mistakes")
    more = f"; the grid shows the first {limit}" if len(wrong) > limit else ""
    lesson.say(f"  {len(wrong)} of {len(y)} test digits wrong{more}")


def show_confusion(lesson, y, y_pred, classes=10) -> np.ndarray:
    """The figure `confusion_matrix` of the test split (row = true, column = predicted); returns the counts."""
    from workshop.tensorboard import pictures
    matrix = pictures.confusion_matrix(y, y_pred, classes)
    lesson.image(pictures.confusion_figure(matrix, [str(c) for c in range(classes)], "Confusion matrix, test split",
                                           dpi=lesson.DPI), "confusion_matrix")
    return matrix


def predict_files(lesson, model, meta, paths, name) -> list[dict]:
    """Predict the image files `paths`, print one line each, draw them as the figure `name`;
    returns workshop.predict.predict_images's results."""
    from workshop.predict import predict_images
    results = predict_images(model, meta, paths)
    for r in results:
        answer = r.get("error") or f"{r['label']} ({r['probability']:.1%})"
        lesson.say(f"    {shown(r['path'])}: {answer}")
    _draw_predictions(lesson, results, name)
    return results


def _draw_predictions(lesson, results, name):
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
    lesson.figure(fig, name)
