"""What the five `levels-<algorithm>` lessons share: a look at the data, the start weights,
the table of results and the weight comparison. The lessons themselves are
levels_perceptron.py, levels_linear.py, levels_logistic.py, levels_mlp.py and levels_cnn.py.

Each of them trains one algorithm at every level it is built at (workshop/algorithms/
__init__.py has the table), from the same start weights through the same batches, and
then reads the saved models back to show that the levels end with the same weights.
"""

import numpy as np
import pandas as pd

# summary keys (workshop/training/train.py) worth a column, in this order, where present
COLUMNS = ("epochs", "converged", "true_a", "a", "true_b", "b", "train_loss", "val_accuracy", "test_accuracy",
           "examples_per_second", "wall_seconds")


def describe(data) -> str:
    """One line per array of a Splits: its name, shape and dtype."""
    names = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
    return "\n".join(f"{name:8} {str(getattr(data, name).shape):18} {getattr(data, name).dtype}" for name in names)


def start_weights(config, data) -> list[np.ndarray]:
    """The numbers every level starts from: drawn in NumPy from config.seed, Keras order
    (workshop/algorithms/weights.py). config: a resolved TrainConfig."""
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.algorithms.weights import initial_weights
    return initial_weights(kernel_shapes(config.model, data.input_shape, data.classes, config.hidden), config.seed)


def largest_difference(weights, reference) -> float:
    """The largest absolute difference between two lists of arrays of the same shapes."""
    assert [np.shape(w) for w in weights] == [np.shape(r) for r in reference], "different shapes: different models"
    return max(float(np.max(np.abs(np.asarray(w) - np.asarray(r)))) for w, r in zip(weights, reference))


def results(summaries: dict) -> pd.DataFrame:
    """One row per level from {api: summary}: the columns of COLUMNS that the summaries have."""
    rows = {api: {k: s[k] for k in COLUMNS if s.get(k) is not None} for api, s in summaries.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "level"
    return table


def say_run(lesson, summary: dict) -> None:
    """One line for a level's run, as soon as it ends: its level, epochs, final numbers and time."""
    parts = [f"{summary['api']:6} {summary['epochs']} epochs"]
    for key, label in (("a", "a"), ("b", "b"), ("train_loss", "train loss"), ("val_accuracy", "validation accuracy"),
                       ("test_accuracy", "test accuracy")):
        if summary.get(key) is not None:
            parts.append(f"{label} {summary[key]:.4g}")
    lesson.say(", ".join(parts) + f" ({summary['wall_seconds']:.1f} s)")


def show(table: pd.DataFrame) -> str:
    """The table as text, the same in a notebook and a terminal: 5 significant digits, large numbers whole."""
    return table.to_string(float_format=lambda v: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.5g}")


def model_path(lesson, config, api) -> str:
    """Where a level's trained model is kept beside the lesson's figures: .npz for the numpy level
    and the perceptron (no Keras model to save), .keras for the others."""
    suffix = ".npz" if api == "numpy" or config.model == "perceptron" else ".keras"
    return str(lesson.run_dir / f"{config.model}-{api}{suffix}")


def saved_weights(summaries: dict) -> dict:
    """{api: weights in Keras order}, read back from each summary's saved model file, as any user of it
    would read it (`saved_view` gives a .keras and an .npz model one face; a perceptron has get_weights)."""
    from workshop import saving
    from workshop.training.levels import saved_view
    weights = {}
    for api, summary in summaries.items():
        model, meta = saving.load(summary["saved"])
        weights[api] = model.get_weights() if meta["task"] == "perceptron" else saved_view(model, meta).get_weights()
    return weights


def same_weights(lesson, weights: dict, reference: str, start, bound: float = 1e-5) -> dict:
    """Print how far training moved the reference level's weights from `start` and how far every other
    level ended from the reference; fail (AssertionError) if training moved nothing, or a level ended
    more than `bound` away. Returns {api: largest difference}."""
    moved = largest_difference(weights[reference], start)
    lesson.say(f"training moved the weights by up to {moved:.3f}")
    differences = {api: largest_difference(w, weights[reference]) for api, w in weights.items() if api != reference}
    for api, difference in differences.items():
        lesson.say(f"{api:6} vs {reference}: largest weight difference {difference:.1e}")
    assert moved > 1e-2, "training did not move the weights: the comparison would prove nothing"
    assert max(differences.values()) <= bound, f"a level parted from {reference}: {differences}"
    return differences
