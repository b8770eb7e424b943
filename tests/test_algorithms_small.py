"""The three small algorithms - linear regression, the logistic neuron, the perceptron -
checked level against level, against GradientTape, against their expected results,
and against a learning rate that blows the loss up.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import run_cli
from workshop.config import RunOptions, TrainConfig
from workshop.training.guards import TrainingDiverged
from workshop.training.prepare import prepare
from workshop.training.train import build_model, fit, train, view_of

QUIET = RunOptions(verbose=0)

TF_LEVELS = ("raw", "layers", "keras")
ALL_LEVELS = ("numpy", *TF_LEVELS)


def _trained_weights(model, api, task, **overrides):
    c = TrainConfig(model=model, api=api, **overrides).resolved()
    assert c.task == task
    data = prepare(c)
    m = build_model(c, data)
    view = view_of(m, api)
    fit(c, m, data, options=QUIET)
    return view.get_weights()


@pytest.mark.parametrize("model, task, overrides", [
    ("linear", "regress", dict(epochs=3, batch_size=8)),  # 30 points: 4 batches an epoch
    ("logistic", "binary", dict(epochs=2, batch_size=32, max_examples=100)),  # 4 batches an epoch
])
def test_all_levels_end_with_the_same_weights(model, task, overrides):
    """Same seed, same batches (one order, drawn in NumPy), plain SGD: numpy, raw, layers and
    keras take the very same steps."""
    weights = {api: _trained_weights(model, api, task, **overrides) for api in ALL_LEVELS}
    c = TrainConfig(model=model, **overrides).resolved()
    start = view_of(build_model(c, prepare(c)), "keras").get_weights()
    moved = max(np.abs(a - b).max() for a, b in zip(weights["raw"], start))
    assert moved > 1e-3, "training did not change the weights: the comparison would prove nothing"
    for api in ("numpy", "layers", "keras"):
        for w_raw, w in zip(weights["raw"], weights[api]):
            assert w_raw.shape == w.shape
            assert np.abs(w_raw - w).max() <= 1e-5, api


@pytest.mark.parametrize("model, task", [("linear", "regress"), ("logistic", "binary")])
def test_numpy_gradients_match_gradient_tape(model, task):
    from workshop.tf_env import tf
    from workshop.training.tasks import raw_loss

    c = TrainConfig(model=model, api="numpy").resolved()
    data = prepare(c)
    rng = np.random.default_rng(1)
    weights = [rng.normal(0, 0.3, w.shape).astype(np.float32) for w in view_of(build_model(c, data), "numpy")
               .get_weights()]  # random biases too, so a zero bias cannot hide a wrong bias gradient
    x, y = data.x_train[:16], data.y_train[:16]

    loss, grads = build_model(c, data, weights).gradients(x, y)
    raw = build_model(TrainConfig(model=model, api="raw").resolved(), data, weights)
    with tf.GradientTape() as tape:
        tape_loss = raw_loss(task)(tf.constant(y), raw(tf.constant(x)))
    tape_grads = tape.gradient(tape_loss, raw.params)

    assert abs(loss - float(tape_loss)) <= 1e-5
    for g, tg in zip(grads, tape_grads):
        assert g.shape == tuple(tg.shape)
        np.testing.assert_allclose(g, tg.numpy(), atol=1e-5)


@pytest.mark.parametrize("api", ALL_LEVELS)
def test_linear_recovers_a_and_b(api):
    s = train(TrainConfig(model="linear", api=api), QUIET)
    assert abs(s["a"] - s["true_a"]) <= 0.1 and abs(s["b"] - s["true_b"]) <= 0.1, s


@pytest.mark.parametrize("api", ["numpy", *(pytest.param(api, marks=pytest.mark.slow) for api in TF_LEVELS)])
def test_logistic_separates_8s_from_1s(api):
    """The defaults (80 epochs of SGD) reach 70 of 71 test digits; the TF levels take ~3 s each."""
    s = train(TrainConfig(model="logistic", api=api), QUIET)
    assert s["test_accuracy"] >= 0.98, s


@pytest.mark.parametrize("api", ("numpy", "raw"))
def test_perceptron_learns_or_and_but_not_xor(api):
    for gate in ("or", "and"):
        s = train(TrainConfig(model="perceptron", api=api, dataset=gate), QUIET)
        assert s["converged"] and s["errors_per_epoch"][-1] == 0 and s["test_accuracy"] == 1.0, s
    s = train(TrainConfig(model="perceptron", api=api, dataset="xor", epochs=20), QUIET)
    assert not s["converged"] and len(s["errors_per_epoch"]) == 20 and min(s["errors_per_epoch"]) > 0
    assert {"model", "api", "dataset", "epochs", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
            "test_loss", "test_accuracy", "examples_per_second", "wall_seconds", "run_dir"} <= set(s)


def test_perceptron_levels_agree_on_digits(tmp_path):
    """The numpy and tf rule make the same mistakes in the same epochs, and save the same weights."""
    from workshop import saving

    runs = {api: train(TrainConfig(model="perceptron", api=api, dataset="digits"),
                       RunOptions(verbose=0, save=str(tmp_path / f"{api}.npz"))) for api in ("numpy", "raw")}
    assert runs["numpy"]["errors_per_epoch"] == runs["raw"]["errors_per_epoch"]
    assert runs["numpy"]["converged"] and runs["numpy"]["test_accuracy"] >= 0.99
    w_numpy, w_raw = (saving.load(tmp_path / f"{api}.npz")[0].get_weights() for api in ("numpy", "raw"))
    for a, b in zip(w_numpy, w_raw):
        np.testing.assert_allclose(a, b, atol=1e-5)


def _good_model(api, path):
    """A model trained with the defaults and saved at `path`; returns its bytes."""
    train(TrainConfig(model="linear", api=api), RunOptions(verbose=0, save=str(path)))
    return path.read_bytes()


@pytest.mark.parametrize("api", ALL_LEVELS)
def test_exploding_loss_stops_and_never_replaces_a_good_model(api, tmp_path):
    path = tmp_path / ("linear.npz" if api == "numpy" else "linear.keras")
    good = _good_model(api, path)
    with pytest.raises(TrainingDiverged, match="learning rate") as failure:
        train(TrainConfig(model="linear", api=api, learning_rate=1e6), RunOptions(verbose=0, save=str(path)))
    assert "nothing was saved" in str(failure.value)
    assert path.read_bytes() == good  # the earlier model is untouched, byte for byte
    fresh = tmp_path / ("new.npz" if api == "numpy" else "new.keras")
    with pytest.raises(TrainingDiverged):
        train(TrainConfig(model="linear", api=api, learning_rate=1e6), RunOptions(verbose=0, save=str(fresh)))
    assert not fresh.exists() and not list(tmp_path.glob(".new-*"))  # no model, no half-written file


@pytest.mark.parametrize("api", ALL_LEVELS)
def test_a_network_that_stops_learning_says_so(api, tmp_path):
    """--lr 1e6 on the mlp: the ReLUs die and the loss stays finite, far above where it started."""
    path = tmp_path / ("mlp.npz" if api == "numpy" else "mlp.keras")
    with pytest.raises(TrainingDiverged, match=r"learning rate \(1e\+06\) is probably too large"):
        train(TrainConfig.tiny(model="mlp", api=api, learning_rate=1e6, epochs=3), RunOptions(verbose=0, save=str(path)))
    assert not path.exists()


def test_accuracy_stuck_at_chance_is_reported():
    from workshop.training.guards import StopOnDivergence
    guard = StopOnDivergence(learning_rate=0.1, chance=0.1)
    guard.set_model(SimpleNamespace(stop_training=False))
    guard.on_train_batch_end(0, {"loss": 2.3})
    for epoch in range(3):
        guard.on_epoch_end(epoch, {"loss": 2.3, "accuracy": 0.11})
    assert guard.model.stop_training and "no better than guessing (10%)" in guard.message
    learning = StopOnDivergence(learning_rate=0.1, chance=0.1)
    learning.set_model(SimpleNamespace(stop_training=False))
    learning.on_train_batch_end(0, {"loss": 2.3})
    for epoch in range(5):
        learning.on_epoch_end(epoch, {"loss": 1.0, "accuracy": 0.6})
    assert learning.message is None and not learning.model.stop_training


def test_diverged_run_is_one_line_on_the_command_line_and_keeps_the_good_model(tmp_path):
    path = tmp_path / "linear.keras"
    good = _good_model("raw", path)
    result = run_cli("train", "linear", "--api", "raw", "--lr", "1e6", "--save", str(path))
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("workshop: error:")]
    assert len(errors) == 1 and "loss" in errors[0] and "nothing was saved" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == good


@pytest.mark.parametrize("save, message", [
    ("model.npz", "saves to a .keras file"),  # the suffix of another level
    ("folder.keras", "is a folder"),
    ("a-file/sub/model.keras", "not a writable folder"),  # its parent can never be made
])
def test_a_bad_save_path_fails_before_training(save, message, tmp_path):
    from workshop.errors import WorkshopError
    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "a-file").write_text("a file, not a folder")
    logs = tmp_path / "logs"
    with pytest.raises(WorkshopError, match=message):
        train(TrainConfig(model="mlp", api="keras"), RunOptions(verbose=0, save=str(tmp_path / save), logdir=str(logs)))
    assert not logs.exists()  # it failed before any run folder was made


def test_an_unwritable_log_folder_is_one_line(tmp_path):
    from workshop.errors import WorkshopError
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WorkshopError, match="cannot write the logs under"):
        train(TrainConfig.tiny(model="mlp"), RunOptions(verbose=0, logdir=str(tmp_path / "file")))
