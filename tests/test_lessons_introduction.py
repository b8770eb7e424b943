"""The introduction's demos as data: fingerprints, the 8-vs-1 table, gradients, filters."""

import numpy as np
import pytest
from scipy import signal

from workshop.lessons import features, neurons
from workshop.lessons.context import Context


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


def test_perceptron_learns_or_not_xor():
    w, or_errors = neurons.perceptron_rule("or")
    _, xor_errors = neurons.perceptron_rule("xor")
    assert or_errors[-1] == 0 and xor_errors[-1] > 0
    assert w.shape == (3,) and w[0] <= 0 < w[1]  # bias first; the line keeps (0, 0) on the 0 side


def test_numpy_gradients_match_gradient_tape():
    rng = np.random.default_rng(1)
    x, y = rng.random((20, 5)), (rng.random((20, 1)) > 0.5).astype(np.float64)
    w, b = rng.normal(size=(5, 1)), np.zeros(1)
    loss_np, dw_np, db_np = neurons.logistic_gradients_numpy(x, y, w, b)
    loss_tf, dw_tf, db_tf = neurons.logistic_gradients_tape(x, y, w, b)
    np.testing.assert_allclose(loss_np, loss_tf, rtol=1e-10)
    np.testing.assert_allclose(dw_np, dw_tf, atol=1e-12)
    np.testing.assert_allclose(db_np, db_tf, atol=1e-12)


@pytest.mark.slow
def test_fingerprint_classifier_table(tmp_path):
    ctx = Context("introduction", quick=True, logdir=str(tmp_path))
    result = features.run(ctx)
    ctx.close()
    n = result["test_images"]
    for name in ("handmade", "learned"):
        t = result[name]
        assert t["true_positives"] + t["false_negatives"] + t["false_positives"] + t["true_negatives"] == n
        assert t["true_positives"] + t["false_negatives"] == result["test_eights"]
        assert 0 <= t["sensitivity"] <= 1 and 0 <= t["specificity"] <= 1
    assert result["handmade"]["sensitivity"] > 0.5 and result["handmade"]["specificity"] > 0.5
    assert result["handmade"]["accuracy"] > 0.75
    assert result["correlation_vs_convolution"] < 1e-5
