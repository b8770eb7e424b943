"""`digits60k`: scikit-learn's 1,797 8x8 digits placed like MNIST's on a 28x28 canvas and
augmented to MNIST's counts: 54,000 train, 6,000 validation, 10,000 test. Offline, from a seed.

What it is for: measuring speed at MNIST's size and counts without a download, and workshops
without internet. What it is not: MNIST. Every image is one of 1,797 digits seen through a random
rotation, shear, scale, shift and stroke thickness, so accuracy on it is not MNIST accuracy: easier
in that a class has only ~130 training sources to learn, harder in that 8x8 sources have lost detail
MNIST keeps, and in that MNIST's digits are neither rotated nor shifted on purpose.

No leakage: the source digits are split first, exactly as `digits` splits them (digits.split_indices:
1,294 train, 144 validation, 359 test sources), and each split is generated from its own sources
alone, with its own random stream: changing the validation or test sources changes no training image.
(scikit-learn's set itself holds a few identical images under different indices; `digits` has them too.)

How an example is made (`augment`):
    1. each source, zero-padded, is upsampled 4x by cubic interpolation, once per source (`upsample`);
    2. the example draws a source (every source of its split equally often, so the classes are as
       balanced as the sources), a rotation, a shear, a scale of MNIST's 20-pixel box (a source's 8 rows
       become 20 pixels) and a small shift of its centre of mass from the canvas centre, where MNIST
       centres its digits; the shift is held back where the digit would touch the canvas's edge;
    3. each of the 28x28 pixels is read from the upsampled source through that affine map, bilinearly
       (`warp`), vectorised over chunks of examples;
    4. a random threshold on the smooth image sets the stroke thickness (about MNIST's, a little
       thinner) and sharpens the edges (`strokes`); intensities are rounded to k/255, as MNIST's
       bytes are, the brightest at 255.

The arrays are cached as uint8 in <data dir>/digits60k.npz (13 MB), written to a temporary file and
renamed into place. A cache that is missing, unreadable or not what this code writes (its version
string, every array's dtype and shape, labels 0..9, the content's sha256) is generated again: about
2.5 s of one core, and 0.5 s to write the file; reading it back takes about 0.5 s.
Deterministic: the same seed gives the same bytes on every machine with the same NumPy. Only +, -,
*, / and rounding touch the numbers (no BLAS, no sines from a maths library: see TAN_HALF_ROTATION),
and IEEE 754 fixes each of those to the last bit.
"""

import hashlib
import os
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

from workshop.data.catalog import DATASETS
from workshop.data.digits import raw_digits, split_indices
from workshop.data.splits import Splits

INFO = DATASETS["digits60k"]
VERSION = "digits60k-v2"  # change it whenever the bytes generated would change (v2: thinner strokes)
SEED = 60_000
SPLITS = ("train", "val", "test")
SIZES = (INFO.train, INFO.val, INFO.test)  # 54,000, 6,000, 10,000: MNIST's

CANVAS, BOX = 28, 20  # MNIST: a 20x20 box, centred by its centre of mass on a 28x28 canvas
ROTATION = 15.0  # degrees, either way; drawn as t = tan(angle / 2), uniform within ±tan(7.5°), which
TAN_HALF_ROTATION = 0.13165249758739583  # makes the angles all but uniform, cos and sin need no libm
SHEAR = 0.2  # x moves by up to 0.2 * y, either way
SCALE = (0.8, 1.1)  # of the box
# The shift in pixels, each axis, either way. MNIST has none, and each pixel of it makes a linear model's
# task harder: logistic regression on 6,000 examples scored 0.96 (8s vs 1s) and 0.93 (10 classes) on the
# validation split at 0, 0.93 and 0.87 at 1, 0.70 and 0.66 at 2.5 (MNIST: about 0.99 and 0.92).
SHIFT = 1.0
MARGIN = 1  # pixels kept clear at the canvas's edges
# Of the smooth image: a low threshold draws thick strokes, a high one thin. (0.3, 0.5) draws 86 ink pixels
# (above half intensity) a digit, MNIST's have 104 (mnist5k); v1's (0.15, 0.35) drew 116 and blobs. A CNN
# trained on digits60k alone (4 epochs of 128, one cycle, seeds 0-1) read mnist5k's real validation / test
# digits at 83.6 / 83.7 % with v1's strokes, 85.0 / 86.9 % with these (84.0 / 84.8 % at (0.22, 0.42)).
THRESHOLD = (0.3, 0.5)
EDGE = 0.45  # the threshold's ramp: from threshold to threshold + EDGE is the antialiased edge
UPSAMPLE, PAD = 4, 3  # source pixels: each becomes 4x4; 3 of zeros around the 8x8
CHUNK = 2048  # examples warped at a time (~100 MB of temporaries)


def upsample(images: np.ndarray) -> np.ndarray:
    """(n, 8, 8) in [0, 1] -> float32 (n, 56, 56): each zero-padded source, cubic-interpolated (Keys'
    kernel, as PIL's BICUBIC) at 4 points per source pixel. The outermost 2 rows and columns are 0, so
    `warp` can clamp any point off the source onto them and read black."""
    side = images.shape[1] + 2 * PAD
    centres = (np.arange(side * UPSAMPLE) + 0.5) / UPSAMPLE - 0.5  # in padded source pixels
    u = _cubic(centres[:, None] - np.arange(side)[None, :])  # u[i, k]: source pixel k's weight in row i
    padded = np.pad(images.astype(np.float64), ((0, 0), (PAD, PAD), (PAD, PAD)))
    # Sums in a fixed order, elementwise: the same bytes on every CPU (BLAS's order may differ).
    # Source pixel k reaches only the upsampled pixels within 2 source pixels of it: `near`.
    near = [slice(np.flatnonzero(u[:, k])[0], np.flatnonzero(u[:, k])[-1] + 1) for k in range(side)]
    rows = np.zeros((len(images), len(centres), side))
    for k in range(side):
        rows[:, near[k]] += u[None, near[k], k, None] * padded[:, None, k, :]
    out = np.zeros((len(images), len(centres), len(centres)))
    for k in range(side):
        out[:, :, near[k]] += rows[:, :, k, None] * u[None, None, near[k], k]
    out[:, :2], out[:, -2:], out[:, :, :2], out[:, :, -2:] = 0, 0, 0, 0
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _cubic(d: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel (a = -0.5) at distances d: 1 at 0, 0 at every other integer."""
    d = np.abs(d)
    near = (1.5 * d - 2.5) * d * d + 1
    far = ((-0.5 * d + 2.5) * d - 4) * d + 2
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def source_order(n_sources: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """int64 (n,): which source each of n examples is made from. Every source is used n // n_sources
    or one more times (so the classes keep the sources' balance), in random order."""
    rounds = [rng.permutation(n_sources) for _ in range(-(-n // n_sources))]
    return rng.permutation(np.concatenate(rounds)[:n]) if rounds else np.zeros(0, np.int64)


def augment(images: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n examples from the sources `images` (k, 8, 8) in [0, 1]: (uint8 (n, 28, 28), int64 (n,), the
    source of each). Reads nothing but `images` and `rng`."""
    source = source_order(len(images), n, rng)
    t = rng.uniform(-TAN_HALF_ROTATION, TAN_HALF_ROTATION, n)[:, None]  # tan(angle / 2)
    cos, sin = (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)  # +, -, *, / only: no libm's last bits
    scale = rng.uniform(*SCALE, n) * BOX / images.shape[1]  # canvas pixels per source pixel
    shear = rng.uniform(-SHEAR, SHEAR, n)
    shift = rng.uniform(-SHIFT, SHIFT, (2, n))
    threshold = rng.uniform(*THRESHOLD, n)

    # Forward: the source point (y, x) pixels from the source's centre of mass lands at the canvas
    # centre + shift + scale * rotate(y, x + shear * y). Where the corners of the ink's box land bounds
    # the shift: no digit is cut by the canvas's edge (MNIST's never are).
    centre, corners = ink(images)
    y, x = np.moveaxis(corners[source] - centre[source, None, :], -1, 0)  # (n, 4) each
    x = x + shear[:, None] * y
    land = scale[:, None] * np.stack([cos * y - sin * x, sin * y + cos * x])  # (2, n, 4) canvas pixels
    room = CANVAS / 2 - MARGIN
    shift = np.clip(shift, -room - land.min(axis=2), room - land.max(axis=2))

    # Inverse, per canvas pixel (r, c) counted from the canvas centre: undo the shift, the scale, the
    # rotation, the shear, and step from the centre of mass to the upsampled source's pixel (y, x).
    m = UPSAMPLE / scale
    cos, sin = cos[:, 0], sin[:, 0]
    yy, yx = m * cos, m * sin  # y = yy * r + yx * c + y0
    xy, xx = -m * sin - shear * yy, m * cos - shear * yx  # x = xy * r + xx * c + x0
    y0 = (centre[source, 0] + PAD + 0.5) * UPSAMPLE - 0.5 - yy * shift[0] - yx * shift[1]
    x0 = (centre[source, 1] + PAD + 0.5) * UPSAMPLE - 0.5 - xy * shift[0] - xx * shift[1]
    maps = np.stack([yy, yx, y0, xy, xx, x0]).astype(np.float32)

    used, tile = np.unique(source, return_inverse=True)  # upsample only the sources used
    tiles = upsample(images[used])
    out = np.empty((n, CANVAS, CANVAS), np.uint8)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        smooth = warp(tiles, tile[part], maps[:, part])
        out[part] = strokes(smooth, threshold[part].astype(np.float32))
    return out, source


def ink(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each source's centre of mass, float64 (k, 2), and the 4 corners of the box around its ink,
    (k, 4, 2), as (y, x) in source pixels (pixel i's centre is at i)."""
    images = images.astype(np.float64)  # sums of k/16: exact, in any order
    mass = images.sum(axis=(1, 2))
    at = np.arange(images.shape[1])
    centre = np.stack([(images.sum(axis=2) * at).sum(axis=1), (images.sum(axis=1) * at).sum(axis=1)], 1) / mass[:, None]
    rows, cols = images.any(axis=2), images.any(axis=1)
    top, left = rows.argmax(axis=1) - 0.5, cols.argmax(axis=1) - 0.5
    bottom, right = len(at) - 0.5 - rows[:, ::-1].argmax(axis=1), len(at) - 0.5 - cols[:, ::-1].argmax(axis=1)
    corners = np.stack([np.stack([top, left], 1), np.stack([top, right], 1),
                        np.stack([bottom, left], 1), np.stack([bottom, right], 1)], axis=1)
    return centre, corners


def warp(tiles: np.ndarray, tile: np.ndarray, maps: np.ndarray) -> np.ndarray:
    """float32 (n, 28, 28): canvas pixel (r, c) of example i is tiles[tile[i]] read bilinearly at
    y = maps[0, i] r + maps[1, i] c + maps[2, i], x = maps[3, i] r + maps[4, i] c + maps[5, i]."""
    n, side = len(tile), tiles.shape[1]
    r = np.arange(CANVAS, dtype=np.float32) - np.float32((CANVAS - 1) / 2)
    rows, cols = r[None, :, None], r[None, None, :]
    yy, yx, y0, xy, xx, x0 = (m[:, None, None] for m in maps)
    y = np.clip(yy * rows + yx * cols + y0, 0, side - 1.001)  # off the tile: its black border
    x = np.clip(xy * rows + xx * cols + x0, 0, side - 1.001)
    top, left = y.astype(np.int32), x.astype(np.int32)
    fy, fx = y - top, x - left
    flat = tiles.reshape(-1)
    i = (tile.reshape(n, 1, 1) * side + top) * side + left
    a, b, c, d = flat[i], flat[i + 1], flat[i + side], flat[i + side + 1]
    upper = a + (b - a) * fx
    return upper + (c + (d - c) * fx - upper) * fy


def strokes(smooth: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28): 0 below each example's threshold, 255 above threshold + EDGE, a ramp between;
    an example whose ramp stops short of 255 (a faint source under a high threshold: 74 of the 54,000
    training images) is brightened until it reaches it, as every MNIST digit does."""
    t = threshold[:, None, None]
    ramp = np.clip((smooth - t) / np.float32(EDGE), 0, 1)
    top = ramp.max(axis=(1, 2), keepdims=True)
    return np.rint(ramp / np.where(top > 0, top, 1) * 255).astype(np.uint8)


def generate(sizes=SIZES, seed: int = SEED, digits=None) -> dict[str, np.ndarray]:
    """The arrays of digits60k: x_<split> uint8 (n, 28, 28), y_<split> uint8 (n,), source_<split> int16
    (n,) (each example's source, an index into scikit-learn's 1,797), `version` and `sha256`.

    Args:
        sizes: examples in (train, val, test); smaller sizes for tests.
        seed: each split draws from its own stream, default_rng([seed, split number]).
        digits: (x (1797, 8, 8), y (1797,)), default scikit-learn's (`raw_digits`); tests pass
            altered copies to show that a split depends on its own sources only.
    """
    images, labels = raw_digits() if digits is None else digits
    arrays = {}
    for number, (split, pool, n) in enumerate(zip(SPLITS, split_indices(labels), sizes)):
        x, source = augment(images[pool], n, np.random.default_rng([seed, number]))
        arrays.update({f"x_{split}": x, f"y_{split}": labels[pool][source].astype(np.uint8),
                       f"source_{split}": pool[source].astype(np.int16)})
    arrays["version"] = np.array(version(sizes, seed))
    arrays["sha256"] = np.array(_digest(arrays))
    return arrays


def version(sizes=SIZES, seed: int = SEED) -> str:
    return f"{VERSION}/seed-{seed}/" + "-".join(map(str, sizes))


def _digest(arrays) -> str:
    sha = hashlib.sha256()
    for split in SPLITS:
        for kind in ("x", "y", "source"):
            sha.update(np.ascontiguousarray(arrays[f"{kind}_{split}"]))
    return sha.hexdigest()


class BadCache(Exception):
    """The cache is not what this code makes; the message says how."""


def check(arrays, sizes=SIZES, seed: int = SEED) -> None:
    """Raises BadCache unless `arrays` is what `generate(sizes, seed)` wrote: its version, every array's
    dtype and shape, labels 0..9, and the sha256 of the content (which rules out any other change)."""
    found = str(arrays.get("version", "no version"))
    if found != version(sizes, seed):
        raise BadCache(f"holds {found}, not {version(sizes, seed)}")
    for split, n in zip(SPLITS, sizes):
        for name, dtype, shape in ((f"x_{split}", np.uint8, (n, CANVAS, CANVAS)), (f"y_{split}", np.uint8, (n,)),
                                   (f"source_{split}", np.int16, (n,))):
            a = arrays.get(name)
            if a is None or a.dtype != dtype or a.shape != shape:
                held = "no such array" if a is None else f"{a.dtype} {a.shape}"
                raise BadCache(f"holds {name} as {held}, not {np.dtype(dtype)} {shape}")
        if n and arrays[f"y_{split}"].max() > 9:
            raise BadCache(f"has a label {arrays[f'y_{split}'].max()} in y_{split}; the classes are 0 to 9")
    if str(arrays.get("sha256")) != _digest(arrays):
        raise BadCache("holds other images than it was written with (their sha256 does not match)")


def read_cache(path: Path, sizes=SIZES) -> dict[str, np.ndarray]:
    """The cached arrays, checked; BadCache when missing or wrong."""
    if not path.exists():
        raise BadCache("is missing")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        if not arrays:
            raise ValueError("no arrays")
    except (OSError, ValueError, EOFError, AttributeError, zipfile.BadZipFile, zlib.error) as e:
        raise BadCache(f"is not a readable .npz ({type(e).__name__}: {e})") from None
    check(arrays, sizes)
    return arrays


def write_cache(path: Path, arrays) -> bool:
    """Write `arrays` to a temporary file beside `path`, then rename it over `path`: a reader sees the
    old cache or the new one, never half of one. False (and no file left) if the folder is not writable."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            # np.savez_compressed's format at zlib's fastest level: 0.4 s instead of 1.3, 13 MB instead of 12
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as npz:
                for name, array in arrays.items():
                    with npz.open(f"{name}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return True
    except OSError:  # a read-only data dir (a USB stick) or a full disk only means generating again next time
        return False
    finally:
        tmp.unlink(missing_ok=True)


def load_digits60k(data_dir: Path) -> Splits:
    """digits60k's splits: x float32 (n, 28, 28, 1) in [0, 1] (multiples of 1/255), y int64 in 0..9,
    as many as the catalog says; from the cache in `data_dir`, generated and cached when the cache is
    missing or fails `check`."""
    info = DATASETS["digits60k"]  # read now: tests shrink it
    sizes = (info.train, info.val, info.test)
    path = Path(data_dir) / info.cache
    try:
        arrays = read_cache(path, sizes)
    except BadCache as bad:
        print(f"{path} {bad}: generating digits60k ({sum(sizes):,} images, a few seconds)", file=sys.stderr, flush=True)
        arrays = generate(sizes)
        if not write_cache(path, arrays):
            print(f"{path} could not be written: digits60k will be generated again next time", file=sys.stderr)
    parts = {}
    for split in SPLITS:
        x = arrays[f"x_{split}"].astype(np.float32)
        x /= 255.0
        parts[f"x_{split}"], parts[f"y_{split}"] = x[..., None], arrays[f"y_{split}"].astype(np.int64)
    return Splits("digits60k", **parts, classes=10, class_names=tuple(str(d) for d in range(10)),
                  version=f"{arrays['version']}/{str(arrays['sha256'])[:12]}")
