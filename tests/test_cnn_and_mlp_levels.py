"""The CNN and the MLP at every level: the same numbers in, the same weights out.

(a) raw, layers and keras, started from the same weights on the same batches with
    plain SGD (dropout off), end with the same weights: each level computes exactly
    what the one above it hides. The same under the one-cycle schedule, SGD or Adam.
(b) the numpy MLP's hand-written backprop equals tf.GradientTape's gradients.
(c) quality floors with the default settings (slow: real training on digits).
"""

import numpy as np
import pytest

from workshop.config import RunOptions, TrainConfig
from workshop.training.prepare import prepare
from workshop.training.train import build_model, fit, train, view_of

TF_LEVELS = ("raw", "layers", "keras")


def _trained_weights(model, api, callbacks=(), optimizer="sgd", schedule="constant", writers=None, **options):
    """Weights after 2 epochs x 8 batches of 32 from one seed, SGD (or Adam), no dropout."""
    cfg = TrainConfig.tiny(model=model, api=api, optimizer=optimizer, schedule=schedule, dropout=0.0,
                           learning_rate=0.05 if optimizer == "sgd" else 0.01, max_examples=256).resolved()
    data = prepare(cfg)
    net = build_model(cfg, data)
    view = view_of(net, api)
    start = view.get_weights()
    history = fit(cfg, net, data, callbacks, RunOptions(verbose=0, **options), writers=writers)
    assert len(history["loss"]) == 2
    return start, view.get_weights(), history


@pytest.mark.parametrize("model, levels", [("cnn", TF_LEVELS), ("mlp", ("numpy", *TF_LEVELS))])
def test_levels_end_with_the_same_weights(model, levels):
    """Every level the model is built at, from the same weights through the same batches (one
    order, drawn in NumPy), ends where `fit` ends: numpy's backprop by hand included."""
    runs = {api: _trained_weights(model, api) for api in levels}
    start, reference, _ = runs["keras"]
    for a, b in zip(start, runs["raw"][0]):
        np.testing.assert_array_equal(a, b)  # the same initial weights at every level
    assert max(np.abs(a - b).max() for a, b in zip(start, reference)) > 1e-3  # training did move them
    for api in levels[:-1]:
        weights = runs[api][1]
        assert [w.shape for w in weights] == [w.shape for w in reference]
        diff = max(float(np.abs(a - b).max()) for a, b in zip(weights, reference))
        assert diff <= 1e-5, f"{model} {api} vs keras: max abs weight difference {diff}"


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_onecycle_schedule_is_the_same_at_every_tensorflow_level(optimizer):
    """The learning rate changes every step (schedules.py): raw's update by hand asks it for the
    same step as a Keras optimizer does, so every level still ends with `fit`'s weights."""
    runs = {api: _trained_weights("cnn", api, optimizer=optimizer, schedule="onecycle") for api in TF_LEVELS}
    constant = _trained_weights("cnn", "keras", optimizer=optimizer)[1]
    reference = runs["keras"][1]
    assert max(float(np.abs(a - b).max()) for a, b in zip(constant, reference)) > 1e-3  # the schedule changed them
    for api in ("raw", "layers"):
        diff = max(float(np.abs(a - b).max()) for a, b in zip(runs[api][1], reference))
        assert diff <= 1e-5, f"onecycle, {optimizer}: {api} vs keras: max abs weight difference {diff}"


def test_fits_steps_per_execution_is_the_same_math():
    """Batches per compiled call (1, or 3 + 3 + 2 of an 8-batch epoch) change `fit`'s speed only:
    the same weights, the same loss. Its last call of an epoch must stop at the epoch's end, not
    read on into the next epoch's batches."""
    _, one, one_history = _trained_weights("mlp", "keras", steps_per_execution=1)
    _, three, history = _trained_weights("mlp", "keras", steps_per_execution=3)
    assert max(float(np.abs(a - b).max()) for a, b in zip(one, three)) <= 1e-6
    np.testing.assert_allclose(history["loss"], one_history["loss"], rtol=1e-5)
    np.testing.assert_allclose(history["accuracy"], one_history["accuracy"], rtol=1e-6)


@pytest.mark.parametrize("api", ["raw", "layers"])
def test_writing_the_curves_and_the_graph_changes_nothing(api, tmp_path):
    """The custom loops write train_step's graph (traced once, for any batch size) and their curves:
    the same weights as without them, and the graph and the curves are in the event files."""
    from workshop.tensorboard.run_table import load_events
    from workshop.tensorboard.writers import RunWriters
    _, plain, _ = _trained_weights("mlp", api)
    writers = RunWriters(tmp_path)
    _, written, _ = _trained_weights("mlp", api, writers=writers)
    writers.close()
    assert max(float(np.abs(a - b).max()) for a, b in zip(plain, written)) == 0
    events = load_events(tmp_path / "train")
    assert events.Tags()["graph"] and "epoch_loss" in events.Tags()["tensors"]
    assert len(events.Tensors("epoch_loss")) == 2


def test_numpy_mlp_gradients_match_gradient_tape():
    from workshop.algorithms.mlp_numpy import MLP
    from workshop.algorithms.mlp_raw import MLP as RawMLP
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.algorithms.weights import initial_weights
    from workshop.tf_env import tf
    from workshop.training.tasks import raw_loss

    cfg = TrainConfig.tiny(model="mlp", api="numpy").resolved()
    data = prepare(cfg)
    x, y = data.x_train[:32], data.y_train[:32]
    weights = initial_weights(kernel_shapes("mlp", data.input_shape, data.classes, (16, 8)), seed=3)
    loss, grads = MLP(weights).gradients(x, y)
    raw = RawMLP(weights)
    with tf.GradientTape() as tape:
        tape_loss = raw_loss("classify")(y, raw(x))
    tape_grads = tape.gradient(tape_loss, raw.params)
    assert abs(loss - float(tape_loss)) <= 1e-5
    for g, t in zip(grads, tape_grads):
        np.testing.assert_allclose(g, t.numpy(), atol=1e-5, rtol=0)


QUALITY = [("mlp", api, 0.95) for api in ("numpy", *TF_LEVELS)] + [("cnn", api, 0.97) for api in TF_LEVELS]


@pytest.mark.slow
@pytest.mark.parametrize("model,api,floor", QUALITY)
def test_default_settings_reach_the_expected_accuracy(model, api, floor):
    summary = train(TrainConfig(model=model, api=api), RunOptions(verbose=0))
    assert summary["dataset"] == "digits"
    assert summary["test_accuracy"] >= floor, summary
