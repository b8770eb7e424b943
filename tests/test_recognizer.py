"""The demo's digit recognizer, trained once for this module by the demo lesson's own cells (full size):
it reads real MNIST digits it never trained on, and digits drawn and typed as a learner would make
them, saved as the files a learner would save."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run_cli
from workshop.lessons import literate
from workshop.lessons.samples import SAMPLES_DIR, drawn_and_typed, sample

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo lesson's namespace after its code cells ran up to the one that saves the recognizer
    (data, model, fit, save: about 35 s of CPU on 2 cores); `model_path` is the saved recognizer."""
    root = tmp_path_factory.mktemp("demo")
    cells = [c.source for c in literate.read("demo").cells if c.cell_type == "code"]
    last = next(i for i, source in enumerate(cells) if "recognizer.save(" in source)
    namespace = {"__name__": "__main__"}
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"WORKSHOP_QUICK": "0", "WORKSHOP_LOGDIR": root / "logs",
                            "WORKSHOP_MODELS_DIR": root / "models", "WORKSHOP_DATA_DIR": root / "datasets"}.items():
            env.setenv(name, str(value))
        for source in cells[:last + 1]:
            exec(compile(source, str(literate.source("demo")), "exec"), namespace)
    namespace["lesson"].close()
    assert namespace["model_path"] == root / "models" / "digit-recognizer.keras"
    return namespace


def test_it_reads_97_percent_of_real_digits_it_never_trained_on(demo):
    r = run_cli("evaluate", str(demo["model_path"]), "--dataset", "mnist5k", "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["dataset"] == "mnist5k" and result["examples"] == 1000
    assert result["test_accuracy"] >= 0.97, result  # measured 98.0 %
    assert result["test_accuracy"] == pytest.approx(demo["test_accuracy"], abs=1e-6)  # what the lesson said


def _save(image: Image.Image, path, kind):
    """`image` (L) as a learner's file: an 8-bit PNG, a JPEG, a 16-bit PNG, or the ink on a transparent
    background (RGBA, the strokes in the alpha channel). Returns the path."""
    if kind == "jpeg":
        path = path.with_suffix(".jpg")
        image.save(path, quality=85)
    elif kind == "png16":
        Image.fromarray(np.asarray(image, dtype=np.uint16) * 257).save(path)  # 0..65535
        assert Image.open(path).mode.startswith("I;16")
    elif kind == "transparent":
        pixels = np.asarray(image)
        dark = np.median(np.concatenate([pixels[0], pixels[-1]])) > 127  # dark ink on a light page
        rgba = np.zeros((*pixels.shape, 4), np.uint8)
        rgba[..., :3] = 0 if dark else 255
        rgba[..., 3] = 255 - pixels if dark else pixels
        Image.fromarray(rgba, "RGBA").save(path)
    else:
        image.save(path)
    return path


def test_it_reads_90_percent_of_digits_drawn_and_typed_at_any_size_place_and_stroke(demo, tmp_path):
    from workshop.predict import load_model, predict_images
    model, meta = load_model(demo["model_path"])
    made = drawn_and_typed(200, seed=0)
    kinds = ("png", "jpeg", "png16", "transparent")
    paths = [_save(image, tmp_path / f"{i:03d}.png", kinds[i // 20 % 4]) for i, (image, _, _) in enumerate(made)]
    results = predict_images(model, meta, paths)
    right = np.array([r.get("label") == str(label) for r, (_, label, _) in zip(results, made)])
    wrong = [f"{label}->{r.get('label')} {how}" for r, (_, label, how), ok in zip(results, made, right) if not ok]
    assert right.mean() >= 0.90, wrong  # measured 93.5 % (before: 30.5 %, the 8x8 model, the whole canvas shrunk)
    drawn = np.array(["drawn" in how for _, _, how in made])
    assert right[drawn].mean() >= 0.90 and right[~drawn].mean() >= 0.85, wrong
    same = [_save(image, tmp_path / f"same-{i:02d}-{kind}.png", kind) for i, (image, _, _) in enumerate(made[:20])
            for kind in kinds]  # the first 20 digits in every kind of file: read alike
    labels = np.array([r["label"] for r in predict_images(model, meta, same)]).reshape(20, 4)
    assert (labels[:, 2:] == labels[:, :1]).all()  # 16-bit and transparent PNGs: the very input of the 8-bit one
    assert (labels[:, 1] == labels[:, 0]).mean() >= 0.9  # JPEG: nearly, its compression aside


def test_the_sample_files_are_drawn_digits_it_reads(demo, tmp_path):
    files = sorted(SAMPLES_DIR.glob("*.png"))
    assert [p.name for p in files] == [f"{d}.png" for d in range(10)]
    for digit, path in enumerate(files):  # the files are what samples.py draws (python -m workshop.lessons.samples)
        np.testing.assert_array_equal(np.asarray(Image.open(path).convert("L")), np.asarray(sample(digit)))
    r = run_cli("predict", str(demo["model_path"]), *map(str, files), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    labels = [p["label"] for p in json.loads(r.stdout.strip().splitlines()[-1])["predictions"]]
    assert sum(label == str(d) for d, label in enumerate(labels)) >= 9, labels
