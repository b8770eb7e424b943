"""The introduction's code as data: fingerprints, the 8-vs-1 table, gradients, filters, the perceptron,
the line (the notebook itself runs in tests/test_notebooks.py)."""

import numpy as np
import pytest
from scipy import signal

from workshop.lessons import features, neurons
from workshop.lessons.lesson import Lesson


def test_eight_edge_filters_are_rotations_of_the_top_edge():
    filters = features.edge_filters()
    assert filters.shape == (8, 3, 3)
    np.testing.assert_array_equal(filters[2], np.rot90(features.TOP_EDGE, -1))  # 90 degrees clockwise
    assert len({f.tobytes() for f in filters}) == 8


def test_correlation_is_convolution_with_the_filter_turned_180_degrees():
    image = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    assert features.correlation_vs_convolution(image, features.edge_filters()[1]) < 1e-5
    assert np.abs(signal.correlate2d(image, features.TOP_EDGE, "same")
                  - signal.convolve2d(image, features.TOP_EDGE, "same")).max() > 0.1  # unturned: different


def test_fingerprint_is_eight_4x4_max_pools():
    image = np.zeros((28, 28), np.float32)
    image[10, :] = 1  # a horizontal line
    fp = features.fingerprint(image, features.edge_filters())
    assert fp.shape == (8, 4, 4)


def test_perceptron_learns_or_not_xor(tmp_path, monkeypatch):
    model, or_errors = neurons.perceptron_rule("or")
    _, xor_errors = neurons.perceptron_rule("xor")
    assert or_errors[-1] == 0 and xor_errors[-1] > 0
    assert model.w.shape == (3,) and model.w[0] <= 0 < model.w[1]  # bias first; (0, 0) stays on the 0 side
    lesson = Lesson("introduction")
    gates = neurons.perceptrons(lesson)
    lesson.close()
    assert gates["or"] == {"last_epoch_mistakes": 0, "final_rows_right": 4}
    # xor: mistakes every epoch while learning, yet the final line gets some rows right (never all 4)
    assert gates["xor"]["last_epoch_mistakes"] > 0 and gates["xor"]["final_rows_right"] in (1, 2, 3)


def test_gradient_descent_finds_the_least_squares_line_not_the_true_one(tmp_path):
    lesson = Lesson("introduction")
    line = neurons.linear_regression(lesson, epochs=60)
    lesson.close()
    a_ls, b_ls = line["least_squares"]
    assert abs(line["batch_gd"][0] - a_ls) < 0.01 and abs(line["batch_gd"][1] - b_ls) < 0.01
    assert abs(b_ls - line["true"][1]) > 0.01  # 30 noisy points: their best line is not the true one


def test_gradient_figures_report_the_largest_difference_of_each_weight():
    rng = np.random.default_rng(0)
    hand = [rng.normal(size=s) for s in ((64, 16), (16,), (16, 10), (10,))]
    tape = [g.copy() for g in hand]
    tape[3][4] += 3e-7
    lesson = Lesson("introduction")
    dw = hand[0][:, :1].astype(np.float64)
    output = neurons.draw_gradients(lesson, dw, dw - 2e-8)
    hidden = neurons.draw_hidden_layer(lesson, hand, tape)
    lesson.close()
    assert output == pytest.approx(2e-8, rel=1e-3)
    assert list(hidden) == ["hidden kernel (64, 16)", "hidden bias (16,)", "output kernel (16, 10)", "output bias (10,)"]
    assert hidden["output bias (10,)"] == pytest.approx(3e-7, rel=1e-2) and hidden["hidden kernel (64, 16)"] == 0
    assert {p.stem for p in lesson.figures} == {"backprop_vs_gradienttape", "backprop_hidden_layer"}


@pytest.mark.slow
def test_fingerprint_classifier_table_and_learned_filters_beat_the_hand_made_ones():
    lesson = Lesson("introduction", quick=True)
    filters = features.edge_filters()
    x_train, y_train, x_test, y_test, source = features.images_8_vs_1()
    assert source == "mnist5k" and x_train.shape == (720, 28, 28) and x_test.shape == (200, 28, 28)
    assert y_train.sum() == 360 and y_test.sum() == 100  # real MNIST 8s and 1s, as many of each
    y_pred, avg8, avg1 = features.template_classifier(x_train, y_train, x_test, filters)
    handmade = features.confusion(y_test, y_pred)
    _, y_learned = features.learned_filters(lesson, x_train, y_train, x_test, epochs=10)  # the quick size
    learned = features.confusion(y_test, y_learned)
    lesson.close()
    assert avg8.shape == avg1.shape == (8, 4, 4)
    for t in (handmade, learned):
        assert t["true_positives"] + t["false_negatives"] + t["false_positives"] + t["true_negatives"] == len(y_test)
        assert t["true_positives"] + t["false_negatives"] == int(y_test.sum())
        assert 0 <= t["sensitivity"] <= 1 and 0 <= t["specificity"] <= 1
    # the table the lesson states (NumPy and SciPy alone: the same on every machine)
    assert [handmade[k] for k in ("true_positives", "false_negatives", "false_positives", "true_negatives")] == \
        [98, 2, 3, 97]
    assert learned["accuracy"] >= handmade["accuracy"]  # what the lesson says, at the size it runs (0.990)
