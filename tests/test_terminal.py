"""What a learner's terminal shows: no TensorFlow start-up chatter (a real error still shows),
and one progress line per epoch at every level, with fit's metrics in fit's order."""

import io
import os
import re

import numpy as np
import pytest

from conftest import run_cli
from workshop.config import RunOptions, TrainConfig
from workshop.training.progress import ProgressLines
from workshop.training.train import train

CHATTER = re.compile(r"^(I\d{4} |WARNING: All log messages before absl|To enable the following instructions)"
                     r"|cuInit|oneDNN|cuda", re.MULTILINE)


@pytest.mark.parametrize("api", ["numpy", "keras"])
def test_training_prints_no_start_up_chatter(api, tmp_path):
    r = run_cli("train", "mlp", "--api", api, "--epochs", "1", env={"TF_CPP_MIN_LOG_LEVEL": ""})
    assert r.returncode == 0, r.stderr[-2000:]
    assert not CHATTER.search(r.stderr), r.stderr
    assert r.stderr.strip() == "", r.stderr
    assert r.stdout.startswith("Epoch 1/1 - ")


def test_a_real_tensorflow_error_still_reaches_the_screen(capfd):
    from workshop import tf_env
    from workshop.quiet import filtered_stderr
    with filtered_stderr(drop=tf_env._chatter):  # what happens to TensorFlow's C++ lines while it starts
        os.write(2, b"I0000 00:00:1795329166.587345 11945 port.cc:153] oneDNN custom operations are on.\n")
        os.write(2, b"E0000 00:00:1795329166.587345 11945 op_kernel.cc:1] Could not load libfoo.so: no such file\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    err = capfd.readouterr().err
    assert err == "E0000 00:00:1795329166.587345 11945 op_kernel.cc:1] Could not load libfoo.so: no such file\n"


def progress_lines(text):
    return [line for line in text.splitlines() if line.startswith("Epoch ")]


def metric_names(line):
    return re.findall(r"(\w+): [-\d.e+]+", line)


def test_every_level_prints_one_line_per_epoch_as_fit_does(capsys):
    seen = {}
    for api in ("numpy", "raw", "layers", "keras"):
        train(TrainConfig.tiny(model="mlp", api=api, epochs=3), RunOptions(verbose=1))
        out = capsys.readouterr().out
        lines = progress_lines(out)
        assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"], out
        assert all(re.fullmatch(r"Epoch \d/3 - \d+s - \d+(ms|us)/step( - \w+: [-\d.e+]+)+", line) for line in lines), out
        seen[api] = [metric_names(line) for line in lines]
    assert seen["keras"][0] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(names == seen["keras"] for names in seen.values()), seen


def test_a_long_run_prints_about_twenty_lines():
    class Stream(io.StringIO):
        def isatty(self):
            return False

    stream = Stream()
    progress = ProgressLines(100, stream=stream)
    progress.set_params({"steps": 3})
    for epoch in range(100):
        progress.on_epoch_begin(epoch)
        progress.on_train_batch_end(2, {"loss": 1.0})
        progress.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 2.0})
    numbers = [int(line.split()[1].split("/")[0]) for line in stream.getvalue().splitlines()]
    assert numbers == [1, *range(5, 101, 5)]


def test_suggested_commands_work_where_they_are_pasted(monkeypatch, tmp_path):
    import sys
    from pathlib import Path

    from workshop import hints
    from workshop.agenda import format_agenda
    script = Path(sys.executable).parent / "workshop"
    if not script.exists():
        pytest.skip("no console script beside this Python (not installed with pip)")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the environment not activated: `workshop` is not found
    monkeypatch.chdir(script.parent.parent.parent)  # the project folder, where the README's commands run
    assert hints.command("run demo") == f"{os.path.relpath(script)} run demo"  # .venv/bin/workshop run demo
    assert f"{os.path.relpath(script)} run demo" in format_agenda()
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}/usr/bin:/bin")  # activated
    assert hints.command("run demo") == "workshop run demo"
    assert "  workshop run demo " in format_agenda()


def test_train_with_tensorboard_serves_its_experiment_and_says_one_true_thing(tmp_path):
    r = run_cli("train", "linear", "--api", "numpy", "--epochs", "1", "--experiment", "mine", "--tensorboard",
                "--logdir", str(tmp_path / "logs"))
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [line for line in r.stdout.strip().splitlines() if not line.startswith("note: port")]  # 6006 taken
    first, last = lines[0], lines[-1]
    assert re.fullmatch(rf"TensorBoard at http://127\.0\.0\.1:\d+/#scalars&tagFilter=\S+ shows {re.escape(str(tmp_path))}/logs/mine/ "
                        r"\(this run appears after its first epoch\)", first), first
    assert "stops" not in first and "keeps" not in first  # what happens at the end is said at the end
    assert last.startswith("TensorBoard stopped with the training") and "--logdir" in last and "/logs/mine" in last


def test_models_fitted_in_a_row_raise_no_retracing_warning_but_a_retracing_loop_still_does():
    """A sweep fits model after model: Keras's functions, and the views' predictions, trace once per
    model, which TensorFlow's retracing warning must not call excessive. A function retraced in a
    loop (a learner's mistake) is still told."""
    import logging
    from workshop.tf_env import keras, tf
    from workshop.training.views import KerasView
    warnings = []
    handler = logging.Handler()
    handler.emit = lambda record: warnings.append(record.getMessage())
    tf.get_logger().addHandler(handler)
    try:
        x, y = np.zeros((64, 8), np.float32), np.zeros(64, np.int64)
        for units in range(2, 9):
            model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(units), keras.layers.Dense(3)])
            model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          metrics=["accuracy"])
            model.fit(x, y, batch_size=32, epochs=1, validation_data=(x[:16], y[:16]), verbose=0)
            model.evaluate(x, y, verbose=0)
            model.predict(x, verbose=0)
            KerasView(model).predict(x)
        assert not [w for w in warnings if "retracing" in w], warnings

        square = tf.function(lambda v: v * v)
        for n in range(1, 8):  # a new shape every call: a new trace every call
            square(tf.zeros(n))
        assert [w for w in warnings if "retracing" in w], "a retracing loop goes unwarned"
    finally:
        tf.get_logger().removeHandler(handler)
