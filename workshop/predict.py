"""Digits in image files -> a saved model's prediction. TensorFlow is imported only by `load_model`.

    image file (PNG, JPEG, any size, 8 or 16 bits, transparent or not) -> grayscale in [0, 1]
    -> light ink on a dark background (a light page is inverted) -> cropped to the ink
    -> prepared as the model's training digits were (`prepare`) -> logits -> probabilities
    (softmax; sigmoid for a binary model) -> top 3.

`prepare` does to a photo or a drawing what MNIST did to its scans, so that a digit of any size,
anywhere on the canvas, drawn with any stroke, reaches the model looking like the digits it learned:
    28x28 models (MNIST, mnist5k, digits60k): the digit's longer side scaled to 20 pixels, keeping
        its aspect ratio, and placed on a 28x28 canvas with its centre of mass at the centre
        (row 14, column 14, as MNIST's digits measure);
    8x8 models (scikit-learn's `digits`, from UCI's optdigits): the digit's longer side scaled to
        32 pixels, its box centred on a 32x32 canvas, then each 4x4 block averaged into one pixel,
        as those 8x8 images were counted from 32x32 bitmaps.
Any other input size is treated as a scaled MNIST: a box of 20/28 of the side, centre of mass.

The datasets are light strokes on a dark background; a scan or a drawing is usually the opposite,
so an image whose border is mostly bright is inverted first, and the paper's own shade is taken
away. A transparent background (a digit drawn on nothing: the alpha channel holds the strokes) is
filled with the shade the strokes stand out on. An image of one plain shade (blank, or 1x1) holds
no digit: it gets a warning, never a label.
`predict_images(model, meta, paths)` reads every image, runs the model once on the batch of
readable ones, and reports the unreadable ones as errors, not exceptions.
"""

import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from workshop.errors import WorkshopError

TOP_K = 3
PLAIN = 0.1  # an image whose darkest and brightest pixels differ by less than this holds no digit
INK = 0.3  # of the strongest stroke: pixels above it are surely ink; their box is where the digit is
NOISE = 0.05  # of the strongest stroke: fainter pixels (paper grain, JPEG ringing) are background
HALO = 0.15  # the crop reaches this fraction of the ink's longer side beyond it, for the strokes' faint edges
# (box, canvas, centring, block) per input side: MNIST's 20-pixel box on 28x28, centred by mass;
# optdigits' 32x32 bitmaps, filled by the digit's box and counted in 4x4 blocks into 8x8
MNIST = (20, 28, "mass", 1)
OPTDIGITS = (32, 32, "box", 4)
MNIST_CENTRE = 14.0  # where MNIST's centres of mass lie: row and column 14.0 (pixel i at i), measured on mnist5k


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
    """float32 (H, W) in [0, 1]. 16-bit grayscale keeps its 65,536 levels (not clipped at 255); a photo
    is turned upright as its camera recorded (EXIF). Transparent pixels take the shade the strokes stand
    out on: white under dark ink, black under light ink (the ink's shade is the opaque pixels' mean)."""
    img = ImageOps.exif_transpose(img)
    if img.mode.startswith("I") or img.mode == "F":  # 16- or 32-bit levels: convert("L") would clip them
        levels = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or levels.max() > 255 else 255.0
        shade = np.clip(levels / top if img.mode != "F" else levels, 0, 1).astype(np.float32)
        if not isinstance(img.info.get("transparency"), int):
            return shade
        alpha = (np.asarray(img) != img.info["transparency"]).astype(np.float32)
    elif "A" not in img.getbands() and "transparency" not in img.info:
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0  # decodes it all: truncation shows here
    else:
        shade, alpha = np.moveaxis(np.asarray(img.convert("RGBA").convert("LA"), dtype=np.float32) / 255.0, -1, 0)
    ink = (shade * alpha).sum() / alpha.sum() if alpha.sum() > 0 else 0.0
    background = 1.0 if ink < 0.5 else 0.0
    return alpha * shade + (1 - alpha) * background


def _too_large(path, e) -> WorkshopError:
    found = re.search(r"\((\d+) pixels\)", str(e))  # PIL says "Image size (N pixels) exceeds limit of ..."
    pixels = f"{int(found[1]):,} pixels, " if found else ""
    return WorkshopError(f"{path}: the image is too large ({pixels}more than the {Image.MAX_IMAGE_PIXELS:,} "
                         "read safely); shrink it to a few hundred pixels a side")


def ink(gray: np.ndarray) -> np.ndarray | None:
    """float32 (H, W) in [0, 1] -> the strokes as light on dark, float32 (H, W) in [0, 1]: inverted when
    the border is mostly bright (dark ink on paper), the paper's shade (the border's median) taken away,
    scaled so the strongest stroke is 1, faint grain below NOISE set to 0. None when there is no ink."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.mean(border > 0.5) > 0.5:  # mostly bright border: a dark digit on a light page, so flip it
        gray, border = 1.0 - gray, 1.0 - border
    strokes = np.clip(gray - np.median(border), 0, None)
    top = strokes.max()
    if top < PLAIN:
        return None
    strokes = strokes / top
    strokes[strokes < NOISE] = 0
    return strokes.astype(np.float32)


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def crop(strokes: np.ndarray) -> np.ndarray:
    """The digit's bounding box in `strokes`: (h, w). MNIST boxed every pixel of ink, its antialiased edges
    included; so does this, but only near the ink proper (above INK), so a smudge far away, or a page lit
    unevenly, cannot stretch the box."""
    top, bottom, left, right = _box(strokes > INK)
    reach = int(np.ceil(HALO * max(bottom - top, right - left)))
    top, left = max(top - reach, 0), max(left - reach, 0)
    near = strokes[top:bottom + reach, left:right + reach]
    t, b, l, r = _box(near > 0)  # every pixel not cleared as background (NOISE)
    return near[t:b, l:r]


def convention(input_shape) -> tuple[int, int, str, int]:
    """(box, canvas, centring, block) for a model taking `input_shape`: MNIST's, or optdigits' for 8x8."""
    side = input_shape[0]
    if side == 8:
        return OPTDIGITS
    if side == 28:
        return MNIST
    return max(1, round(side * 20 / 28)), side, "mass", 1


def prepare(strokes: np.ndarray, input_shape) -> np.ndarray:
    """Light-on-dark strokes (H, W) in [0, 1], any size -> float32 `input_shape` (H, W, 1) in [0, 1],
    placed as the model's training digits were (see the module's docstring)."""
    box, canvas, centring, block = convention(input_shape)
    digit = crop(strokes)
    h, w = digit.shape
    scale = box / max(h, w)  # the longer side fills the box; the aspect ratio is kept
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    # BILINEAR in PIL widens its kernel when it shrinks, so each new pixel averages the ink it covers
    small = np.asarray(Image.fromarray(digit).resize(size, Image.Resampling.BILINEAR), dtype=np.float32)
    small = np.clip(small, 0, 1)
    if centring == "mass":  # MNIST moved each digit by whole pixels until its centre of mass sat at row, column 14
        total = small.sum()
        centre = ((small.sum(axis=1) * np.arange(size[1])).sum() / total,
                  (small.sum(axis=0) * np.arange(size[0])).sum() / total)
        middle = MNIST_CENTRE * canvas / 28  # 14 on MNIST's 28x28 canvas
        top, left = (int(np.floor(middle - c + 0.5)) for c in centre)
    else:  # the box in the middle
        top, left = (canvas - size[1]) // 2, (canvas - size[0]) // 2
    top, left = min(max(top, 0), canvas - size[1]), min(max(left, 0), canvas - size[0])  # never cut the digit off
    placed = np.zeros((canvas, canvas), np.float32)
    placed[top:top + size[1], left:left + size[0]] = small
    if block > 1:  # optdigits: the number of ink pixels in each 4x4 block
        placed = placed.reshape(canvas // block, block, canvas // block, block).mean(axis=(1, 3))
    if (placed.shape[0], placed.shape[1]) != tuple(input_shape[:2]):
        placed = np.asarray(Image.fromarray(placed).resize(tuple(input_shape[1::-1]),
                                                                     Image.Resampling.BILINEAR))
    top = placed.max()
    x = placed / top if top > 0 else placed  # strokes reach 1, as in the training data
    return np.clip(x, 0, 1).astype(np.float32).reshape(*input_shape[:2], 1)


def read_image(path, input_shape) -> np.ndarray:
    """float32 input_shape (H, W, 1) in [0, 1], light digit on dark, prepared as the training digits
    were; raises WorkshopError if unreadable, NoDigit if it is one plain shade."""
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
    strokes = ink(gray) if gray.max() - gray.min() >= PLAIN else None
    if strokes is None:
        raise NoDigit(f"{path}: no digit found: the image ({gray.shape[1]}x{gray.shape[0]} pixels) is one plain "
                      "shade; nothing to predict")
    return prepare(strokes, tuple(input_shape))


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
