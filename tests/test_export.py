"""`workshop export`: the model on a phone. A float .tflite gives the saved model's outputs within
1e-5 and its test accuracy, from a .keras and from the numpy level's .npz; a quantized one stays
within 2 points of it in a smaller file; only LiteRT builtin ops; predict and evaluate run a
.tflite; a foreign or damaged file gets one line through the real CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, assert_one_line_error, run_cli
from workshop import export, litert, saving
from workshop.errors import WorkshopError

QUANTIZED_BOUND = 0.02  # test accuracy a quantized export may lose (or gain): 2 points, 7 of the 359 digits


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{name: (path, training summary)}: a CNN good enough for rounding to matter (about 90 % after 2 epochs,
    a few seconds) and a tiny numpy-level MLP, trained once for the module."""
    from workshop.config import RunOptions, TrainConfig
    from workshop.training.train import train
    root = tmp_path_factory.mktemp("export")
    configs = {"cnn.keras": TrainConfig.tiny(model="cnn", epochs=2, max_examples=None),
               "mlp.npz": TrainConfig.tiny(model="mlp", api="numpy")}
    return {name: (root / name, train(config, RunOptions(save=str(root / name), verbose=0, logdir=str(root / "logs"))))
            for name, config in configs.items()}


@pytest.fixture(scope="module")
def digits():
    from workshop.data import load
    return load("digits")


@pytest.mark.parametrize("name", ["cnn.keras", "mlp.npz"])
def test_float_export_gives_the_saved_models_outputs(saved, digits, name):
    path, summary = saved[name]
    r = export.export(path)
    assert r["path"] == str(path.with_suffix(".tflite"))
    assert r["max_abs_diff"] <= 1e-5  # absolute: the digits' outputs are small enough for float32 to keep it
    assert abs(r["exported_accuracy"] - r["source_accuracy"]) * r["examples"] <= 1  # at most one example apart
    assert r["custom_ops"] == [] and "FULLY_CONNECTED" in r["ops"]

    # checked again from outside: the file on disk, through the interpreter, against the saved model itself
    model, meta = saving.load(path)
    tflite, tflite_meta = litert.load(r["path"])
    assert tflite_meta["class_names"] == meta["class_names"] and tflite_meta["exported"]["from"] == name
    assert np.max(np.abs(tflite.forward(digits.x_test) - export.outputs(model, meta, digits.x_test))) <= 1e-5
    assert litert.ops(tflite.content)[1] == []  # no custom (Flex) ops in the file
    scored = export.evaluate(r["path"])  # what `workshop evaluate model.tflite` prints
    assert abs(scored["test_accuracy"] - summary["test_accuracy"]) * scored["examples"] <= 1


@pytest.mark.parametrize("quantize", ["dynamic", "int8"])
def test_quantized_export_keeps_the_accuracy_in_a_smaller_file(saved, quantize):
    path, summary = saved["cnn.keras"]
    r = export.export(path, quantize=quantize)
    assert r["path"] == str(path.with_name(f"cnn-{quantize}.tflite"))
    assert r["source_accuracy"] > 0.85  # a model that knows its digits, or the bound below says nothing
    assert abs(r["exported_accuracy"] - r["source_accuracy"]) <= QUANTIZED_BOUND
    assert r["bytes"] < 0.5 * r["float_bytes"]  # int8 weights: about a third of float32 here
    assert r["custom_ops"] == []
    tflite, _ = litert.load(r["path"])
    assert tflite.input["dtype"] == (np.int8 if quantize == "int8" else np.float32)  # full integer: int8 in and out


def test_saved_model_export_is_checked_the_same_way(saved):
    path, _ = saved["mlp.npz"]
    r = export.export(path, format="saved_model")
    assert r["max_abs_diff"] <= 1e-5 and r["exported_accuracy"] == r["source_accuracy"]
    meta = json.loads((path.with_name("mlp_saved_model") / "assets.extra" / saving.MARKER).read_text())
    assert meta["model"] == "mlp" and meta["exported"]["format"] == "saved_model"


def test_a_float_export_that_drifts_is_refused_and_not_written(saved, tmp_path, monkeypatch):
    forward = litert.LiteRTModel.forward
    monkeypatch.setattr(litert.LiteRTModel, "forward", lambda self, x: forward(self, x) + 1e-3)
    out = tmp_path / "drift.tflite"
    with pytest.raises(WorkshopError, match="differ .* by up to 1.0e-03 .*rounding allows .*nothing was written"):
        export.export(saved["mlp.npz"][0], out=out)
    assert not out.exists()


def test_a_model_that_needs_tensorflow_ops_is_refused():
    from workshop.tf_env import keras, tf

    class Determinant(keras.layers.Layer):  # no LiteRT builtin computes a determinant: it would need Flex
        def call(self, x):
            return tf.linalg.det(tf.reshape(x, (-1, 8, 8)))

    model = keras.Sequential([keras.Input((8, 8, 1)), Determinant()])
    with pytest.raises(WorkshopError, match="builtin ops only .*MatrixDeterminant"):
        litert.convert(model)


def test_predict_runs_a_tflite_without_tensorflow(saved, digits, tmp_path):
    from workshop.predict import predict_images
    r = export.export(saved["cnn.keras"][0])
    images = []
    for i in range(5):
        images.append(tmp_path / f"digit{i}.png")
        Image.fromarray(np.uint8(np.round(digits.x_test[i, :, :, 0] * 255))).resize((64, 64)).save(images[-1])
    code = ("import json, sys; from workshop.cli import main; status = main(sys.argv[1:]); "
            "print(json.dumps({'status': status, 'tensorflow': 'tensorflow' in sys.modules}))")
    run = subprocess.run([sys.executable, "-c", code, "predict", r["path"], *map(str, images), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    *_, predictions, process = run.stdout.strip().splitlines()
    assert json.loads(process) == {"status": 0, "tensorflow": False}, run.stderr[-2000:]
    got = json.loads(predictions)["predictions"]
    want = predict_images(*saving.load(saved["cnn.keras"][0]), images)  # the .keras it was exported from
    assert [p["label"] for p in got] == [p["label"] for p in want]
    assert np.allclose([p["probability"] for p in got], [p["probability"] for p in want], atol=1e-5)


def _foreign_keras(path):
    from workshop.tf_env import keras
    keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]).save(path)


def _damaged(path, source):
    content = bytearray(source.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one flipped byte among the weights: the verifier alone would load it
    path.write_bytes(bytes(content))


@pytest.mark.parametrize("case, words", [
    ("foreign .keras", "not made by this workshop"),
    ("damaged .tflite", "is damaged"),
    ("foreign .tflite", "workshop export` (no sealed"),
    ("text .tflite", "not a LiteRT model"),
    ("missing model", "no such model file"),
    ("unknown --quantize", "invalid choice: 'fp16'"),
])
def test_bad_input_gets_one_line(saved, tmp_path, case, words):
    float_tflite = saved["cnn.keras"][0].with_suffix(".tflite")
    if not float_tflite.exists():
        export.export(saved["cnn.keras"][0])
    image = tmp_path / "digit.png"
    Image.fromarray(np.uint8(np.eye(8) * 255)).save(image)
    bad = tmp_path / ("model.keras" if case == "foreign .keras" else "model.tflite")
    if case == "foreign .keras":
        _foreign_keras(bad)
        args = ["export", str(bad)]
    elif case == "damaged .tflite":
        _damaged(bad, float_tflite)
        args = ["predict", str(bad), str(image)]
    elif case == "foreign .tflite":
        from workshop.tf_env import keras
        bad.write_bytes(litert.convert(keras.saving.load_model(saved["cnn.keras"][0])))  # no workshop.json
        args = ["evaluate", str(bad)]
    elif case == "text .tflite":
        bad.write_text("a model, honestly\n")
        args = ["predict", str(bad), str(image)]
    elif case == "missing model":
        args = ["export", str(tmp_path / "nowhere.keras")]
    else:
        args = ["export", str(saved["cnn.keras"][0]), "--quantize", "fp16"]
    line = assert_one_line_error(run_cli(*args), exit_code=2 if case.startswith("unknown") else 1)
    assert words in line
