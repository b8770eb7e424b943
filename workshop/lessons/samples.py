"""Digit images as PNG files, for batch scoring and prediction demos.

Each image is scaled up 8x with nearest-neighbour so it can be looked at; scaling
it back down by block averaging (what workshop.predict does) gives the original pixels.
"""

from pathlib import Path

import numpy as np
from PIL import Image

SCALE = 8


def write_samples(x, y, folder, count, seed=0) -> list[Path]:
    """Write `count` images of x (N, H, W, 1) in [0, 1] as <folder>/<i>-label<y>.png; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    picks = np.random.default_rng(seed).choice(len(x), size=min(count, len(x)), replace=False)
    paths = []
    for i, k in enumerate(sorted(picks)):
        pixels = (np.clip(x[k, :, :, 0], 0, 1) * 255).astype(np.uint8)
        image = Image.fromarray(pixels, mode="L")
        image = image.resize((pixels.shape[1] * SCALE, pixels.shape[0] * SCALE), Image.Resampling.NEAREST)
        path = folder / f"{i:03d}-label{int(y[k])}.png"
        image.save(path)
        paths.append(path)
    return paths


def label_from_name(path) -> int | None:
    """The true label written into a sample's file name by write_samples, or None."""
    stem = Path(path).stem
    return int(stem.split("label")[-1]) if "label" in stem else None
