"""`export(path, ...)`: a saved model -> a file a phone (or TensorFlow Serving) runs, with the proof
that nothing changed underneath, measured in the same call.

    models/x.keras or .npz (saving.py)
    -> the keras-level Sequential holding its weights (keras_model: a .npz's arrays move into it)
    -> .tflite bytes (litert.py: float32, dynamic or int8), builtin ops only
    -> run by the LiteRT interpreter on the test split, against the saved model's own outputs
    -> written next to the model (models/x.tflite, x-dynamic.tflite, x-int8.tflite) only if the
       check passes: a float export must give the same outputs to float32 rounding, at most
       TOLERANCE (times the largest output, where that is over 1).

A quantized model rounds on purpose, so it is judged by what rounding costs: the change in test
accuracy, and what it buys, the change in file size against the float .tflite. `--format
saved_model` writes a SavedModel folder (models/x_saved_model/, workshop.json in assets.extra/,
where TensorFlow Serving keeps extra files), checked the same way.
"""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from workshop import litert, metrics, saving
from workshop.errors import UsageError, WorkshopError
from workshop.training.prepare import prepare_for

FORMATS = ("litert", "saved_model")
# The largest |exported - saved| output a float export may show, per unit of the outputs' size (at least 1):
# float32 keeps about 7 digits, so its rounding grows with the numbers. On the 8x8 digits LiteRT and Keras
# differ by about 4e-6; on a 28x28 CNN with logits up to 20, by about 2e-5, each of them as far from the
# float64 answer: a plain 1e-5 would refuse a right export there. A wrong one differs by far more.
TOLERANCE = 1e-5
REPRESENTATIVE = 256  # training examples the int8 converter measures activation ranges on


def keras_model(model, meta):
    """The keras.Model of a model loaded by saving.load: itself for a .keras; for a .npz, the
    keras-level Sequential of its algorithm holding its arrays. The perceptron has no keras level:
    its weights [kernel (d, 1), bias (1,)] make the logistic neuron's Dense(1), whose output
    z = w . x + b says 1 where z > 0, which is the perceptron's step."""
    import importlib

    from workshop.config import TrainConfig
    from workshop.tf_env import keras
    if isinstance(model, keras.Model):
        return model
    algorithm = "logistic" if meta["model"] == "perceptron" else meta["model"]
    module = importlib.import_module(f"workshop.algorithms.{algorithm}_keras")
    weights = model.get_weights() if meta["model"] == "perceptron" else model.params
    config = TrainConfig(model=algorithm, api="keras", hidden=tuple(meta.get("hidden") or (64,)))
    return module.create(config, tuple(meta["input_shape"]), meta["classes"], weights)


def outputs(model, meta, x) -> np.ndarray:
    """The saved model's own outputs float32 (N, outputs): logits, a regression's y_pred, the perceptron's z."""
    if meta["model"] == "perceptron":
        from workshop.algorithms.perceptron_numpy import with_bias_input
        return (with_bias_input(x) @ model.w)[:, None]
    from workshop.training.levels import saved_view
    return saved_view(model, meta).predict(x)


def score(meta, y, y_pred) -> dict:
    """{"loss", "accuracy"} of outputs y_pred against y (accuracy None for a regression). The perceptron
    is scored as training scores it: accuracy of z > 0, and its "loss" is the error rate."""
    if meta["task"] == "perceptron":
        right = float(np.mean((y_pred[:, 0] > 0) == (np.reshape(y, -1) > 0.5)))
        return {"loss": 1 - right, "accuracy": right}
    result = metrics.evaluate(meta["task"], y, y_pred)
    return {"loss": result["loss"], "accuracy": result.get("accuracy")}


def default_out(path, format: str, quantize: str) -> Path:
    """Next to the model: x.keras -> x.tflite, x-dynamic.tflite, x-int8.tflite, or the folder x_saved_model/."""
    path = Path(path)
    if format == "saved_model":
        return path.with_name(f"{path.stem}_saved_model")
    return path.with_name(path.stem + ("" if quantize == "none" else f"-{quantize}") + ".tflite")


def export(path, format: str = "litert", quantize: str = "none", out=None, data_dir=None) -> dict:
    """Export the model saved at `path` and check it on its dataset's test split.

    Returns {source, path, format, quantize, model, api, dataset, examples, bytes, source_bytes,
    float_bytes (the float .tflite, for a quantized one), ops, custom_ops, max_abs_diff, allowed_diff
    (None when quantized), source_accuracy, exported_accuracy, source_loss, exported_loss, export_seconds, check_seconds}.
    Raises WorkshopError (nothing written) for a model this package did not save, an export that
    needs non-builtin ops, or a float export whose outputs differ by more than float32 rounding allows.
    """
    if format not in FORMATS:
        raise UsageError(f"unknown --format {format!r}; choose one of: {', '.join(FORMATS)}")
    if quantize not in litert.QUANTIZE:
        raise UsageError(f"unknown --quantize {quantize!r}; choose one of: {', '.join(litert.QUANTIZE)}")
    if format == "saved_model" and quantize != "none":
        raise UsageError("--quantize is for --format litert: a SavedModel keeps float32 weights")
    path = Path(path)
    out = Path(out) if out else default_out(path, format, quantize)
    _check_out(out, format)
    model, meta = saving.load(path)  # a foreign file is refused before Keras reads a byte of it
    data = prepare_for(meta, data_dir=data_dir)
    expected = outputs(model, meta, data.x_test)
    meta = {**meta, "exported": {"from": path.name, "format": format, "quantize": quantize}}
    network = keras_model(model, meta)  # for a .npz, TensorFlow starts here: not part of the export's time
    written = (_saved_model if format == "saved_model" else _litert)(network, meta, data, expected, quantize, out)
    return {"source": str(path), "path": str(out), "format": format, "quantize": quantize, "model": meta["model"],
            "api": meta["api"], "dataset": meta["dataset"], "examples": len(data.y_test),
            "source_bytes": path.stat().st_size, **written}


def _litert(network, meta, data, expected, quantize, out) -> dict:
    """Convert, check, then write the .tflite; what export() reports about it."""
    tick = time.perf_counter()
    content = litert.with_metadata(litert.convert(network, quantize, data.x_train[:REPRESENTATIVE]), meta)
    float_bytes = len(litert.with_metadata(litert.convert(network), meta)) if quantize != "none" else None
    export_seconds, tick = time.perf_counter() - tick, time.perf_counter()
    ops, custom = litert.ops(content)
    if custom:  # the converter was told builtins only: this would be a converter fault, never shipped
        raise WorkshopError(f"the exported model uses ops a phone's LiteRT runtime lacks ({', '.join(custom)}); "
                            "nothing was written")
    report = _check(meta, data, expected, litert.LiteRTModel(content).forward(data.x_test), quantize)
    saving._write_atomically(out, ".tflite", "LiteRT", lambda tmp: tmp.write_bytes(content), flag="--out")
    return {"bytes": len(content), "float_bytes": float_bytes, "ops": ops, "custom_ops": custom, **report,
            "export_seconds": export_seconds, "check_seconds": time.perf_counter() - tick}


def _saved_model(network, meta, data, expected, quantize, out) -> dict:
    """Write the SavedModel in a temporary folder, reload and check it, then move it into place."""
    tick = time.perf_counter()
    saving.remove_stale_temporaries(_made(out.parent), f".{out.name}-")  # an export killed mid-write left it
    folder = tempfile.mkdtemp(prefix=f".{out.name}-{os.getpid()}-", dir=out.parent)
    try:
        with litert.quiet_stderr(drop=lambda line: True):  # TensorFlow's notes while it traces and writes
            network.export(folder, format="tf_saved_model", verbose=False)
        extra = Path(folder) / "assets.extra"
        extra.mkdir(exist_ok=True)
        (extra / saving.MARKER).write_text(json.dumps(meta, indent=1))
        export_seconds, tick = time.perf_counter() - tick, time.perf_counter()
        report = _check(meta, data, expected, _saved_model_outputs(folder, data.x_test), quantize)
        _replace(Path(folder), out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"bytes": _folder_size(out), "float_bytes": None, "ops": [], "custom_ops": [], **report,
            "export_seconds": export_seconds, "check_seconds": time.perf_counter() - tick}


def evaluate(path, dataset=None, data_dir=None) -> dict:
    """`workshop evaluate` for a .tflite: its test loss and accuracy through the LiteRT interpreter,
    as evaluate.py returns them for a .keras: {path, model, api, dataset, examples, test_loss, test_accuracy}."""
    model, meta = litert.load(path)
    data = prepare_for(meta, dataset, data_dir)
    result = score(meta, data.y_test, model.forward(data.x_test))
    return {"path": str(path), "model": meta["model"], "api": meta["api"], "dataset": dataset or meta["dataset"],
            "examples": len(data.y_test), "test_loss": result["loss"], "test_accuracy": result["accuracy"]}


def _check(meta, data, expected, got, quantize) -> dict:
    """The proof: how far the exported outputs are from the saved model's, and both test scores.
    A float export further than `allowed` (TOLERANCE, scaled by the largest output over 1) is refused."""
    diff = float(np.max(np.abs(got - expected))) if len(expected) else 0.0
    allowed = TOLERANCE * max(1.0, float(np.max(np.abs(expected))) if len(expected) else 1.0)
    if quantize == "none" and not diff <= allowed:  # `not <=` also catches NaN
        raise WorkshopError(f"the exported model's outputs differ from the saved model's by up to {diff:.1e} on the "
                            f"{meta['dataset']} test split (float32 rounding allows {allowed:.1e}), so nothing was "
                            "written; this is a converter fault: report it with the model")
    before, after = score(meta, data.y_test, expected), score(meta, data.y_test, got)
    return {"max_abs_diff": diff, "allowed_diff": allowed if quantize == "none" else None,
            "source_accuracy": before["accuracy"], "exported_accuracy": after["accuracy"],
            "source_loss": before["loss"], "exported_loss": after["loss"]}


def _saved_model_outputs(folder, x) -> np.ndarray:
    from workshop.tf_env import tf
    loaded = tf.saved_model.load(folder)  # held while serving: its functions only reference its variables
    return np.concatenate([np.asarray(loaded.serve(tf.constant(x[i:i + 512])), np.float32)  # Keras's one endpoint
                           for i in range(0, len(x), 512)])


def _check_out(out: Path, format: str):
    if format == "litert" and out.suffix != ".tflite":
        raise UsageError(f"--out {out}: a LiteRT model is a .tflite file; name it e.g. {out.with_suffix('.tflite')}")
    if format == "litert" and out.is_dir():
        raise UsageError(f"--out {out} is a folder; a LiteRT model is a file, e.g. {out / 'model.tflite'}")
    if format == "saved_model" and out.exists() and not (out / "saved_model.pb").is_file():
        raise UsageError(f"--out {out} already exists and is not a SavedModel; choose a new folder name")


def _made(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        reason = (e.strerror or str(e)).lower()
        raise WorkshopError(f"cannot write to {folder}: {reason}; choose another --out") from None
    return folder


def _replace(folder: Path, out: Path):
    """Put the finished SavedModel `folder` at `out`, an older export there moved aside first."""
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(folder, out)
    shutil.rmtree(old, ignore_errors=True)


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
