"""The lessons' figures, fit for a slide: sharp (150 dpi), titles apart, text that stands out,
and the curve the lesson talks about visible. (Every figure of every lesson is checked for its
dpi when the notebooks run, in tests/test_notebooks.py.)"""

import io
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import png_dpi
from matplotlib.colors import to_rgb

from workshop.lessons import experiments, nodes, overfitting
from workshop.lessons.lesson import Lesson


def drawn(draw, *args) -> dict:
    """{name: figure} of what `draw(lesson, *args)` hands to lesson.figure, laid out as saved."""
    figures = {}

    def figure(fig, name):
        fig.savefig(io.BytesIO(), format="png", dpi=Lesson.DPI, bbox_inches="tight")  # runs the layout
        figures[name] = fig
    draw(SimpleNamespace(figure=figure), *args)
    return figures


def test_a_lesson_saves_figures_and_pictures_at_150_dpi():
    lesson = Lesson("introduction")
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [1, 0])
    from workshop.tensorboard import pictures
    paths = [lesson.figure(fig, "line"),
             lesson.image(pictures.digit_grid(np.zeros((3, 8, 8, 1)), ["1→7 80%"] * 3, dpi=Lesson.DPI), "grid")]
    lesson.close()
    assert [png_dpi(path.read_bytes()) >= 150 for path in paths] == [True, True]


def test_clusters_figure_keeps_its_overall_title_off_the_panel_titles():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 8)), rng.integers(0, 10, 60)
    fig = drawn(nodes.draw_clusters_vs_classes, x, y, nodes.kmeans(x, 10), y)["clusters_vs_classes"]
    renderer = fig.canvas.get_renderer()
    (overall,) = [text.get_window_extent(renderer) for text in fig.texts if text.get_text() == fig.get_suptitle()]
    for ax in fig.axes:
        assert not overall.overlaps(ax.title.get_window_extent(renderer)), ax.get_title()


def contrast(a, b) -> float:
    """The WCAG contrast ratio of two sRGB colours: 1 (none) to 21 (black on white)."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_sweep_figure_writes_every_number_in_a_colour_that_stands_out_on_its_cell():
    table = pd.DataFrame([{"learning_rate": lr, "hidden": h, "val_accuracy": 0.80 + 0.02 * k}
                          for k, (lr, h) in enumerate([(lr, h) for lr in (0.02, 0.1, 0.3) for h in (16, 64, 128)])])
    ax = drawn(experiments.plot_sweep, table)["sweep"].axes[0]
    image = ax.images[0]
    for text in ax.texts:
        cell = image.cmap(image.norm(float(text.get_text())))
        assert contrast(to_rgb(text.get_color()), cell) >= 4.5, text.get_text()  # WCAG AA for normal text


def test_overfitting_figure_shows_the_validation_loss_turning_up():
    """The lesson says the validation loss falls, then turns up: the rise must fill a good part of an axis."""
    epochs = np.arange(40)
    val = np.where(epochs < 12, 1.8 - 0.105 * epochs, 0.54 + 0.004 * (epochs - 12))  # lowest at 12, up by 0.11
    train = 2.0 * np.exp(-epochs / 2)
    fig = drawn(lambda lesson: overfitting.plot_overfitting(lesson, list(zip(epochs, train)), list(zip(epochs, val)),
                                                            144))["overfitting"]
    rise = val[-1] - val.min()
    shown = [rise / np.diff(ax.get_ylim())[0] for ax in fig.axes if ax.get_yscale() == "linear"]
    assert max(shown) > 0.5  # on a log scale with the training loss it was a few percent of the axis


# ---- no text of any lesson figure sits on another ----

def drawn_texts(fig, monkeypatch) -> list:
    """[(text, its box in pixels)] of every text a draw of `fig` puts on the canvas: visible and not empty,
    tick labels only where a tick is drawn (matplotlib's renderer gives each text's window extent)."""
    from matplotlib.text import Text
    drawn, original = [], Text.draw

    def recording(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
    monkeypatch.setattr(Text, "draw", recording)
    fig.canvas.draw()
    monkeypatch.setattr(Text, "draw", original)
    renderer = fig.canvas.get_renderer()
    unique = {id(t): t for t in drawn}.values()
    return [(t, t.get_window_extent(renderer)) for t in unique]


def collisions(fig, monkeypatch) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than half a pixel each way."""
    texts = drawn_texts(fig, monkeypatch)
    found = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > 0.5 and height > 0.5:
                found.append((a.get_text(), b.get_text()))
    return found


def _checks():
    return [("OK", "python", "3.11.7"), ("WARN", "datasets", "mnist not downloaded: workshop datasets fetch mnist"),
            ("FAIL", "tensorboard", "did not answer on 127.0.0.1 within 30 s")]


def _gradients():
    rng = np.random.default_rng(0)
    hand = [rng.normal(size=s).astype(np.float32) for s in ((64, 16), (16,), (16, 10), (10,))]
    return hand, [g + 1e-8 for g in hand]


def _features():
    from workshop.lessons import features
    filters = features.edge_filters()
    rng = np.random.default_rng(0)
    table = {"true_positives": 32, "false_negatives": 3, "false_positives": 5, "true_negatives": 31,
             "sensitivity": 0.914, "specificity": 0.861, "accuracy": 0.887}
    return features, filters, rng.random((28, 28)).astype(np.float32), rng.random((8, 4, 4)), table


def _every_figure():
    """{(file, function): a call drawing it with made-up data of the right shapes}: every lesson figure."""
    from workshop.lessons import hierarchy, neurons, troubleshooting
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 8)), rng.integers(0, 10, 60)
    epochs = np.arange(40)
    val = np.where(epochs < 12, 1.8 - 0.105 * epochs, 0.54 + 0.004 * (epochs - 12))
    walk = {"a": list(np.linspace(0, 2.09, 20)), "b": list(np.linspace(0, -0.89, 20)), "loss": list(np.geomspace(2, 0.009, 20))}
    sweep = pd.DataFrame([{"learning_rate": lr, "hidden": h, "val_accuracy": 0.8 + 0.01 * k}
                          for k, (lr, h) in enumerate([(lr, h) for lr in (0.02, 0.1, 0.3) for h in (16, 64, 128)])])
    features, filters, image, average, table = _features()
    return {
        ("nodes", "plot_activations"): lambda lesson: nodes.plot_activations(lesson),
        ("nodes", "draw_node"): lambda lesson: nodes.draw_node(lesson),
        ("nodes", "draw_network"): lambda lesson: (nodes.draw_network(lesson, [64, 64, 10], "mlp", "mlp: 64 -> 64 -> 10"),
                                                    nodes.draw_network(lesson, [64, 64, 32, 16, 10], "deep_mlp",
                                                                       "deep_mlp: 64 -> 64 -> 32 -> 16 -> 10")),
        ("nodes", "draw_clusters_vs_classes"): lambda lesson: nodes.draw_clusters_vs_classes(
            lesson, x, y, nodes.kmeans(x, 10), y),
        ("neurons", "perceptrons"): lambda lesson: neurons.perceptrons(lesson),
        ("neurons", "draw_gradients"): lambda lesson: neurons.draw_gradients(lesson, *[g[0][:, :1] for g in _gradients()]),
        ("neurons", "draw_hidden_layer"): lambda lesson: neurons.draw_hidden_layer(lesson, *_gradients()),
        ("neurons", "plot_linear_regression"): lambda lesson: neurons.plot_linear_regression(
            lesson, walk, walk, (2.09, -0.92), (2.091, -0.894)),
        ("overfitting", "plot_overfitting"): lambda lesson: overfitting.plot_overfitting(
            lesson, list(zip(epochs, 2.0 * np.exp(-epochs / 2))), list(zip(epochs, val)), 144),
        ("experiments", "plot_sweep"): lambda lesson: experiments.plot_sweep(lesson, sweep),
        ("hierarchy", "draw_hierarchy"): lambda lesson: hierarchy.draw_hierarchy(lesson, hierarchy.hierarchy()),
        ("troubleshooting", "draw_checks"): lambda lesson: troubleshooting.draw_checks(lesson, _checks()),
        ("troubleshooting", "draw_loss_curves"): lambda lesson: troubleshooting.draw_loss_curves(
            lesson, {0.0001: [1.63] * 100, 0.5: list(np.geomspace(1.63, 0.009, 100)),
                     3.0: [1.63 * 10 ** k for k in range(27)] + [float("inf")] * 73}),
        ("features", "show_filters"): lambda lesson: features.show_filters(
            lesson, [("hand-made", filters), ("learned", filters * 0.3)], "learned_vs_handmade_filters",
            "Hand-made edge filters (top) and the filters optimization found (bottom)"),
        ("features", "show_fingerprints"): lambda lesson: features.show_fingerprints(lesson, image, filters, average, average),
        ("features", "show_table"): lambda lesson: features.show_table(
            lesson, {"hand-made filters + templates": table, "learned filters + dense": table}),
    }


def figure_functions() -> set[tuple[str, str]]:
    """(file, function) of every function in workshop/lessons/ that hands a figure to lesson.figure."""
    import ast
    from pathlib import Path
    found = set()
    for path in (Path(__file__).resolve().parent.parent / "workshop" / "lessons").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "figure"
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "lesson"
                    for call in ast.walk(node)):
                found.add((path.stem, node.name))
    return found


# the demo lesson's pictures (recognizer.py) are its own helper's; they are checked where the demo is
NOT_HERE = {("recognizer", "_draw_predictions")}


def test_every_lesson_figure_is_checked_for_colliding_text():
    assert figure_functions() - NOT_HERE == set(_every_figure())


@pytest.mark.parametrize("key", sorted(_every_figure()), ids="-".join)
def test_no_text_of_a_lesson_figure_sits_on_another(key, monkeypatch):
    figures = drawn(_every_figure()[key])
    assert figures
    for name, fig in figures.items():
        found = collisions(fig, monkeypatch)
        plt.close(fig)
        assert found == [], name


def test_the_collision_check_sees_a_collision(monkeypatch):
    fig, axes = plt.subplots(1, 2, figsize=(4, 2))
    for ax in axes:
        ax.set_title("a title far too long for its half of the figure")
    assert ("a title far too long for its half of the figure",) * 2 in collisions(fig, monkeypatch)
    plt.close(fig)
