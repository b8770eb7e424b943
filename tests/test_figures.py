"""The lessons' figures, fit for a slide: sharp (150 dpi), titles apart, text that stands out,
and the curve the lesson talks about visible. (Every figure of every lesson is checked for its
dpi when the notebooks run, in tests/test_notebooks.py.)"""

import io
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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
