"""Digits in image files -> a saved model's prediction. TensorFlow is imported only by `load_model`.

    image file (PNG, JPEG, any size) -> grayscale -> light digit on dark background
    -> resized to the model's input (metadata `input_shape`, e.g. 8x8) -> [0, 1]
    -> logits -> probabilities (softmax; sigmoid for a binary model) -> top 3.

The datasets are light strokes on a dark background; a scan or a drawing is usually
the opposite, so an image whose border is mostly bright is inverted first. A transparent
background (a digit drawn on nothing: the alpha channel holds the strokes) is filled
with the shade the strokes stand out on. An image of one plain shade (blank, or 1x1)
holds no digit: it gets a warning, never a label.
`predict_images(model, meta, paths)` reads every image, runs the model once on the
batch of readable ones, and reports the unreadable ones as errors, not exceptions.
"""

import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from workshop.errors import WorkshopError

TOP_K = 3
PLAIN = 0.1  # an image whose darkest and brightest pixels differ by less than this holds no digit


class NoDigit(WorkshopError):
    """The image is readable but blank: there is nothing to predict."""


def load_model(path):
    """(model, meta) for a `.keras` (or `.npz`) saved by `workshop train --save`, or a `.tflite` written by
    `workshop export` (run by the LiteRT interpreter: litert.py); WorkshopError otherwise."""
    from workshop import litert, saving
    tflite = Path(path).suffix == ".tflite"
    model, meta = litert.load(path) if tflite else (None, saving.read_meta(path))  # a foreign .keras: refused unread
    if meta.get("task") not in ("classify", "binary"):
        raise WorkshopError(f"{path} is a {meta.get('model')} model ({meta.get('task')}); "
                            "predict needs an image classifier (mlp, cnn, logistic)")
    return (model, meta) if tflite else saving.load(path)


def grayscale(img: Image.Image) -> np.ndarray:
    """float32 (H, W) in [0, 1]. Transparent pixels take the shade the strokes stand out on:
    white under dark ink, black under light ink (the ink's shade is the opaque pixels' mean)."""
    if "A" not in img.getbands() and "transparency" not in img.info:
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0  # decodes it all: truncation shows here
    shade, alpha = np.moveaxis(np.asarray(img.convert("RGBA").convert("LA"), dtype=np.float32) / 255.0, -1, 0)
    ink = (shade * alpha).sum() / alpha.sum() if alpha.sum() > 0 else 0.0
    background = 1.0 if ink < 0.5 else 0.0
    return alpha * shade + (1 - alpha) * background


def _too_large(path, e) -> WorkshopError:
    found = re.search(r"\((\d+) pixels\)", str(e))  # PIL says "Image size (N pixels) exceeds limit of ..."
    pixels = f"{int(found[1]):,} pixels, " if found else ""
    return WorkshopError(f"{path}: the image is too large ({pixels}more than the {Image.MAX_IMAGE_PIXELS:,} "
                         "read safely); shrink it to a few hundred pixels a side")


def read_image(path, input_shape) -> np.ndarray:
    """float32 input_shape (H, W, 1) in [0, 1], light digit on dark; raises WorkshopError if unreadable,
    NoDigit if it is one plain shade."""
    h, w = input_shape[:2]
    path = Path(path)
    if path.is_dir():
        raise WorkshopError(f"{path} is a folder, not an image; give the images in it, e.g. {path / '*.png'}")
    if not path.is_file():
        raise WorkshopError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise WorkshopError(f"{path}: empty file, not an image")
    try:
        with warnings.catch_warnings():  # PIL only warns between its limit and twice it: refuse from the limit
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                gray = grayscale(img)
    except UnidentifiedImageError:
        raise WorkshopError(f"{path}: not an image (PNG or JPEG expected)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _too_large(path, e) from None
    except (OSError, ValueError) as e:  # truncated or corrupt
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WorkshopError(f"{path}: damaged image ({detail})") from None
    if gray.max() - gray.min() < PLAIN:
        raise NoDigit(f"{path}: no digit found: the image ({gray.shape[1]}x{gray.shape[0]} pixels) is one plain "
                      "shade; nothing to predict")
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.mean(border > 0.5) > 0.5:  # mostly bright border: a dark digit on a light page, so flip it
        gray = 1.0 - gray
    # BOX averages each block of pixels, which is how the 8x8 digits were made from 32x32 bitmaps
    small = np.asarray(Image.fromarray(gray, mode="F").resize((w, h), Image.Resampling.BOX), dtype=np.float32)
    lo, hi = small.min(), small.max()
    x = (small - lo) / (hi - lo) if hi > lo else np.zeros_like(small)  # strokes reach 1 as in the training data
    return x.reshape(h, w, 1)


def probabilities(meta, logits: np.ndarray) -> np.ndarray:
    """(batch, classes) probabilities from logits; a binary model's one logit becomes [p(neg), p(pos)]."""
    logits = np.asarray(logits, dtype=np.float64)
    if meta["task"] == "binary":
        p = 1.0 / (1.0 + np.exp(-logits[:, :1]))
        return np.concatenate([1.0 - p, p], axis=1)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _logits(model, x):
    if hasattr(model, "forward"):  # the numpy level
        return model.forward(x)
    return np.asarray(model(x, training=False))  # a direct call: far quicker than model.predict for a few images


def predict_images(model, meta, paths) -> list[dict]:
    """One result per path, in order: {path, label, probability, top: [[label, p], ...]},
    {path, warning} for an image with no digit, or {path, error} for a file that is not a readable image."""
    names = [str(n) for n in meta["class_names"]]
    results, good, batch = [], [], []
    for path in paths:
        try:
            batch.append(read_image(path, tuple(meta["input_shape"])))
            good.append(len(results))
            results.append({"path": str(path)})
        except NoDigit as e:
            results.append({"path": str(path), "warning": str(e)})
        except WorkshopError as e:
            results.append({"path": str(path), "error": str(e)})
    if batch:
        probs = probabilities(meta, _logits(model, np.stack(batch)))
        for i, p in zip(good, probs):
            order = np.argsort(-p)[:TOP_K]
            results[i].update(label=names[order[0]], probability=float(p[order[0]]),
                              top=[[names[k], float(p[k])] for k in order])
    return results
