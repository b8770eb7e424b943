"""Saved models: `train --save` -> `evaluate` gives the training's test accuracy at every
level, and `predict` reads real image files, refuses bad ones one line at a time, and
refuses models this package did not make."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run_cli

# (model, level, extra train args): every level saves; the cnn at its defaults is good enough to predict with
SAVED = {"numpy": ("mlp", "numpy", ["--epochs", "3"]), "raw": ("mlp", "raw", ["--epochs", "3"]),
         "layers": ("cnn", "layers", ["--epochs", "2"]), "keras": ("cnn", "keras", [])}


def _last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{level: (path, training summary)}, trained once for the whole module."""
    root = tmp_path_factory.mktemp("saved")
    env = {"WORKSHOP_LOGDIR": str(root / "logs"), "WORKSHOP_DATA_DIR": str(root / "datasets")}
    out = {}
    for level, (model, api, extra) in SAVED.items():
        path = root / f"{model}-{api}.{'npz' if api == 'numpy' else 'keras'}"
        r = run_cli("train", model, "--api", api, *extra, "--save", str(path), "--json", env=env)
        assert r.returncode == 0, r.stderr[-2000:]
        out[level] = (path, _last_json(r.stdout))
    return out


@pytest.mark.parametrize("level", list(SAVED))
def test_evaluate_reports_the_accuracy_training_reported(saved, level):
    path, summary = saved[level]
    r = run_cli("evaluate", str(path), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "accuracy" in r.stdout
    result = _last_json(r.stdout)
    assert result["dataset"] == "digits" and result["examples"] == 359
    assert result["test_accuracy"] == pytest.approx(summary["test_accuracy"], abs=1e-9)
    assert result["test_loss"] == pytest.approx(summary["test_loss"], abs=1e-4)


def test_evaluate_refuses_a_dataset_of_another_shape(saved, capsys):
    from workshop.cli import main
    assert main(["evaluate", str(saved["keras"][0]), "--dataset", "mnist"]) == 2
    assert "(8, 8, 1)" in capsys.readouterr().err


def _digit_images(folder, count=10):
    """PNGs of the first `count` digits test images at 64x64, one inverted PNG and one JPEG.
    Returns [(path, label)]."""
    from workshop.data import load
    splits = load("digits")
    images = []
    for i in range(count):
        pixels = np.uint8(np.round(splits.x_test[i, :, :, 0] * 255))
        big = Image.fromarray(pixels).resize((64, 64), Image.Resampling.BILINEAR if i % 2 else Image.Resampling.NEAREST)
        if i == 0:  # dark ink on white paper, as a scan would be
            big = Image.fromarray(255 - np.asarray(big))
        path = folder / f"digit{i}.{'jpg' if i == 1 else 'png'}"
        big.save(path, quality=90) if i == 1 else big.save(path)
        images.append((path, str(splits.y_test[i])))
    return images


def test_predict_reads_images_and_reports_bad_ones(saved, tmp_path):
    good = _digit_images(tmp_path)
    text = tmp_path / "x.png"
    text.write_text("this is not a picture\n")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good[2][0].read_bytes()[:200])
    bad = [text, empty, truncated]
    r = run_cli("predict", str(saved["keras"][0]), str(good[0][0]), *map(str, bad), *(str(p) for p, _ in good[1:]),
                "--json")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    error_lines = [line for line in r.stderr.splitlines() if line.startswith("workshop: error:")]
    assert len(error_lines) == 3
    for path, line in zip(bad, error_lines):
        assert str(path) in line
    predictions = {p["path"]: p for p in _last_json(r.stdout)["predictions"]}
    assert all("error" in predictions[str(p)] for p in bad)
    right = 0
    for path, label in good:
        p = predictions[str(path)]
        assert "error" not in p, p
        assert len(p["top"]) == 3 and p["top"][0][0] == p["label"]
        assert 0 < p["top"][2][1] <= p["top"][1][1] <= p["probability"] <= 1
        right += p["label"] == label
    assert right >= 8, predictions
    assert predictions[str(good[0][0])]["label"] == good[0][1]  # the inverted one was flipped back


def test_predict_in_process_is_one_call(saved, tmp_path):
    from workshop.predict import load_model, predict_images
    (path, label), = _digit_images(tmp_path, count=1)
    model, meta = load_model(saved["numpy"][0])  # the numpy level predicts too
    (result,) = predict_images(model, meta, [path])
    assert set(result) == {"path", "label", "probability", "top"}
    assert sum(p for _, p in result["top"]) <= 1 + 1e-9


def test_predict_refuses_a_foreign_keras_file(tmp_path):
    from workshop.tf_env import keras
    foreign = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]).save(foreign)
    r = run_cli("predict", str(foreign), str(foreign))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "not made by this workshop" in r.stderr


def test_predict_with_a_missing_model_says_so(tmp_path):
    r = run_cli("predict", str(tmp_path / "nowhere.keras"), str(tmp_path / "a.png"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "no such model file" in r.stderr
