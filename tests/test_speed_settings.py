"""The speed settings of the default paths (workshop bench measures what they give; here,
what they do): threads per op, opt-in bfloat16, and the first-step timing `train` reports."""

import json
from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import run_cli
from workshop.algorithms.shapes import forward_flops
from workshop.config import RunOptions, TrainConfig
from workshop.errors import UsageError
from workshop.training import speed


def test_small_steps_get_one_thread_and_large_ones_every_core():
    cnn, auto = TrainConfig(model="cnn").resolved(), RunOptions()
    assert speed.choose_threads(cnn, auto, (8, 8, 1), 10) == 1  # digits: ~0.12 GFLOP per step
    assert speed.choose_threads(cnn, auto, (28, 28, 1), 10) == 0  # MNIST-sized: ~0.9 GFLOP per step
    assert speed.choose_threads(TrainConfig(model="mlp").resolved(), auto, (28, 28, 1), 10) == 1
    assert speed.choose_threads(cnn, RunOptions(threads=2), (8, 8, 1), 10) == 2
    with pytest.raises(UsageError, match="--threads"):
        RunOptions(threads=-1).checked(cnn)


def test_defaults_follow_the_size_of_the_data():
    """MNIST-sized sets (54,000 28x28 images) get their own epochs, batch and learning rate where
    the 8x8 digits' would waste time; what the user sets always wins."""
    small, large = (TrainConfig(model="cnn", dataset=d).resolved() for d in ("digits", "digits60k"))
    assert (small.epochs, small.batch_size, small.learning_rate) == (15, 64, 0.005)
    assert large.epochs < small.epochs and large.batch_size > small.batch_size and large.optimizer == "adam"
    assert (small.schedule, large.schedule) == ("constant", "onecycle")
    mlp = TrainConfig(model="mlp", dataset="digits60k").resolved()
    assert (mlp.schedule, mlp.batch_size, mlp.learning_rate) == ("constant", 128, 0.4)  # 4x the batch, 4x the step
    assert TrainConfig(model="cnn", dataset="digits60k", schedule="constant").resolved().schedule == "constant"
    assert TrainConfig(model="cnn", dataset="mnist").resolved() == replace(large, dataset="mnist")
    assert TrainConfig(model="cnn", dataset="digits60k", batch_size=32).resolved().batch_size == 32
    assert TrainConfig(model="logistic", dataset="digits60k").resolved().learning_rate < \
        TrainConfig(model="logistic").resolved().learning_rate  # 784 inputs, not 64: a smaller step
    line = TrainConfig(model="linear").resolved()
    assert (line.epochs, line.batch_size) == (100, 30)


def test_onecycle_rises_to_the_learning_rate_then_falls_to_zero():
    from workshop.tf_env import keras
    from workshop.training.schedules import learning_rate
    config = TrainConfig(model="cnn", dataset="digits60k", schedule="onecycle", learning_rate=0.004).resolved()
    schedule = learning_rate(config, 54_000)
    steps = config.epochs * 422
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)  # Keras's own, with a warm-up
    rates = np.array([float(schedule(step)) for step in range(steps)])
    top = int(np.argmax(rates))
    assert rates[0] == 0 and abs(top - 0.2 * steps) <= 1 and rates[top] == pytest.approx(0.004, rel=1e-3)
    assert np.all(np.diff(rates[:top + 1]) > 0) and np.all(np.diff(rates[top:]) <= 0)  # up, then down
    assert rates[-1] < 1e-4 * 0.004 and rates[steps // 2] == pytest.approx(
        0.004 * 0.5 * (1 + np.cos(np.pi * 0.3 / 0.8)), rel=1e-3)
    assert learning_rate(TrainConfig(model="cnn").resolved(), 1000) == 0.005  # constant: the number itself
    with pytest.raises(UsageError, match="numpy level trains with a constant learning rate"):
        TrainConfig(model="mlp", api="numpy", schedule="onecycle").resolved()
    with pytest.raises(UsageError, match="unknown schedule 'cosine'"):
        TrainConfig(model="mlp", schedule="cosine").resolved()


def test_flop_counts_match_the_layers_by_hand():
    # conv 8x8x(3*3*1)x32 + conv 4x4x(3*3*32)x64 + dense (2*2*64)x10, 2 FLOPs per multiply-add
    assert forward_flops("cnn", (8, 8, 1), 10) == 2 * (8 * 8 * 9 * 32 + 4 * 4 * 9 * 32 * 64 + 2 * 2 * 64 * 10)
    # valid padding on 28x28: 26x26, pool 13x13, 11x11, pool 5x5 (Keras's MNIST convnet)
    assert forward_flops("cnn", (28, 28, 1), 10) == 2 * (26 * 26 * 9 * 32 + 11 * 11 * 9 * 32 * 64 + 5 * 5 * 64 * 10)
    assert forward_flops("mlp", (8, 8, 1), 10, (64,)) == 2 * (64 * 64 + 64 * 10)


def test_train_reports_its_thread_setting_and_time_to_first_step(tmp_path):
    r = run_cli("train", "mlp", "--epochs", "1", "--json", "--logdir", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["intra_op_threads"] == 1  # a fresh process: the rule took effect before any op
    assert 0 < summary["seconds_to_first_step"] < summary["wall_seconds"]


def _weights(api, precision):
    from workshop.training.prepare import prepare
    from workshop.training.train import build_model, fit, view_of
    cfg = TrainConfig.tiny(model="mlp", api=api, optimizer="sgd", learning_rate=0.05).resolved()
    options = RunOptions(verbose=0, precision=precision).checked(cfg)
    data = prepare(cfg)
    model = build_model(cfg, data, options=options)
    history = fit(cfg, model, data, options=options)
    return view_of(model, api).get_weights(), history, model


@pytest.mark.parametrize("api", ["layers", "keras"])
def test_bfloat16_is_the_same_training_to_about_three_digits(api):
    exact, _, _ = _weights(api, "float32")
    mixed, history, model = _weights(api, "mixed_bfloat16")
    assert all(w.dtype == np.float32 for w in mixed)  # the weights stay float32; the math runs in bfloat16
    assert model.layers[-1].compute_dtype == "bfloat16"
    diff = max(float(np.abs(a - b).max()) for a, b in zip(exact, mixed))
    assert 0 < diff < 0.02, diff
    assert np.isfinite(history["loss"]).all() and history["loss"][-1] < history["loss"][0]


def test_bfloat16_model_saves_as_float32_and_loads(tmp_path):
    from workshop.training.train import train
    from workshop import saving
    path = tmp_path / "mixed.keras"
    train(TrainConfig.tiny(model="mlp", api="keras"),
          RunOptions(precision="mixed_bfloat16", save=str(path), logdir=str(tmp_path / "logs"), verbose=0))
    model, meta = saving.load(path)
    assert all(layer.compute_dtype == "float32" for layer in model.layers)
    assert meta["model"] == "mlp"


def test_bfloat16_is_refused_where_no_keras_layer_casts():
    with pytest.raises(UsageError, match="layers and keras levels"):
        RunOptions(precision="mixed_bfloat16").checked(TrainConfig(model="mlp", api="raw").resolved())
    r = run_cli("train", "mlp", "--api", "numpy", "--precision", "mixed_bfloat16")
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith("workshop: error: --precision")
    assert "Traceback" not in r.stderr
