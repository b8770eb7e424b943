"""Digit images as files: test digits written out, and digits drawn and typed as a learner would.

`write_samples` writes dataset digits as PNGs (each scaled up 8x with nearest-neighbour, so it can
be looked at) for batch scoring and prediction demos. `draw_digit` draws a digit with a pen, as a
learner would in a paint program: strokes of any width, any size, anywhere on the canvas, slanted
and turned, dark on light or light on dark; `type_digit` types one in a font. `drawn_and_typed`
makes a varied set of both from a seed: the tests read it with the demo's recognizer, and the
demo lesson shows some of it (`workshop/samples/` holds ten of them as files to try
`workshop predict` on).
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SCALE = 8
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"  # workshop/samples/: ten drawn digits, 0.png ... 9.png


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


# -- digits drawn with a pen ---------------------------------------------------------------------

def _arc(cx, cy, rx, ry, start, end, n=24):
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down, as the image's y)."""
    t = np.radians(np.linspace(start, end, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


# Each digit as pen strokes (lists of (x, y) points) in a box 0.6 wide and 1 high, y downwards:
# the shapes a person draws, not a font's outlines.
STROKES = {
    0: [_arc(0.3, 0.5, 0.28, 0.48, -90, 270, 40)],
    1: [[(0.12, 0.25), (0.34, 0.0), (0.34, 1.0)]],
    2: [_arc(0.3, 0.28, 0.27, 0.27, 190, 380) + [(0.02, 1.0), (0.6, 1.0)]],
    3: [_arc(0.28, 0.25, 0.26, 0.25, 200, 450) + _arc(0.28, 0.73, 0.3, 0.27, 270, 520)],
    4: [[(0.42, 0.0), (0.0, 0.66), (0.6, 0.66)], [(0.42, 0.0), (0.42, 1.0)]],
    5: [[(0.55, 0.0), (0.08, 0.0), (0.04, 0.45)] + _arc(0.28, 0.69, 0.3, 0.3, 235, 495)[1:]],
    6: [[(0.5, 0.0), (0.22, 0.25), (0.05, 0.6)] + _arc(0.32, 0.72, 0.27, 0.27, 180, 540)],
    7: [[(0.0, 0.0), (0.6, 0.0), (0.22, 1.0)]],
    8: [_arc(0.3, 0.24, 0.22, 0.24, 90, 450) + _arc(0.3, 0.74, 0.28, 0.26, -90, 270)],
    9: [_arc(0.3, 0.27, 0.27, 0.27, 0, 360) + [(0.57, 0.27), (0.5, 1.0)]],
}


def draw_digit(digit: int, canvas=200, height=0.6, centre=(0.5, 0.5), stroke=0.1, angle=0.0, slant=0.0,
               dark_on_light=True, jitter=0.0, seed=0) -> Image.Image:
    """A grayscale (L) canvas x canvas image of `digit` drawn with a round pen.

    height: the digit's height, a fraction of the canvas; centre: where its middle lies (x, y fractions);
    stroke: the pen's width, a fraction of the digit's height (0.05 thin, 0.2 a marker); angle: turned
    by this many degrees, anticlockwise; slant: x moves by slant * (0.5 - y), leaning right when > 0;
    jitter: each stroke wobbles by up to this fraction of the height (an unsteady hand), from `seed`.
    """
    rng = np.random.default_rng(seed)
    h = height * canvas
    cos, sin = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    ink, paper = (0, 255) if dark_on_light else (255, 0)
    image = Image.new("L", (canvas, canvas), paper)
    pen = ImageDraw.Draw(image)
    width = max(1, round(stroke * h))
    for line in STROKES[digit]:
        p = np.array(line, dtype=np.float64)
        along = np.linspace(0, 1, len(p))[:, None]  # a slow wobble along the stroke, not a jagged one
        p += jitter * np.sin(2 * np.pi * (rng.uniform(0.5, 1.5, 2) * along + rng.uniform(0, 1, 2)))
        x, y = (p[:, 0] - 0.3 + slant * (0.5 - p[:, 1])) * h, (p[:, 1] - 0.5) * h  # from the digit's middle
        px, py = centre[0] * canvas + cos * x + sin * y, centre[1] * canvas - sin * x + cos * y
        points = list(zip(px, py))
        pen.line(points, fill=ink, width=width, joint="curve")
        for end in (points[0], points[-1]):  # round ends, as a pen leaves them
            pen.ellipse([end[0] - width / 2, end[1] - width / 2, end[0] + width / 2, end[1] + width / 2], fill=ink)
    return image


def fonts() -> list[Path]:
    """The TrueType fonts every installation has: matplotlib's DejaVu family and its STIX and Computer Modern."""
    import matplotlib
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
             "STIXGeneral.ttf", "cmr10.ttf")
    return [folder / name for name in names if (folder / name).is_file()]


def type_digit(digit: int, font=None, canvas=200, height=0.6, centre=(0.5, 0.5), angle=0.0, bold=0,
               dark_on_light=True) -> Image.Image:
    """A grayscale canvas x canvas image of `digit` typed in `font` (a TrueType path; None: Pillow's own),
    its glyph `height` of the canvas tall, its middle at `centre`, turned by `angle` degrees; bold: extra
    outline in pixels."""
    size = max(4, round(height * canvas / 0.72))  # a digit's glyph is about 0.72 of the font's size
    face = ImageFont.load_default(size) if font is None else ImageFont.truetype(str(font), size)
    ink, paper = (0, 255) if dark_on_light else (255, 0)
    glyph = Image.new("L", (canvas * 2, canvas * 2), paper)
    ImageDraw.Draw(glyph).text((canvas, canvas), str(digit), fill=ink, font=face, anchor="mm",
                               stroke_width=bold, stroke_fill=ink)
    glyph = glyph.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=paper)
    left, top = round(canvas - centre[0] * canvas), round(canvas - centre[1] * canvas)
    return glyph.crop((left, top, left + canvas, top + canvas))


def drawn_and_typed(count=200, seed=0) -> list[tuple[Image.Image, int, str]]:
    """`count` varied digits, every digit equally often: (image, label, how it was made). Half drawn
    (pen widths from thin to marker, sizes 20-85 % of the canvas, anywhere on it, turned up to 15
    degrees, slanted, an unsteady hand), half typed (each of `fonts()` and Pillow's own, plain and bold,
    turned up to 15 degrees); canvases of 48 to 400 pixels; both polarities."""
    rng = np.random.default_rng(seed)
    faces = [None, *fonts()]
    out = []
    for i in range(count):
        digit, typed = i % 10, (i // 10) % 2 == 1
        canvas = int(rng.choice([48, 64, 100, 200, 280, 400]))
        height = rng.uniform(0.2, 0.85)
        room = (1 - height) / 2 * 0.9  # the digit stays on the canvas
        centre = tuple(0.5 + rng.uniform(-room, room, 2))
        angle, dark = rng.uniform(-15, 15), bool(rng.random() < 0.7)
        if typed:
            face = faces[int(rng.integers(len(faces)))]
            bold = int(rng.integers(0, 3)) * max(1, round(height * canvas / 40))
            image = type_digit(digit, face, canvas, height, centre, angle, bold, dark)
            how = f"typed in {face.stem if face else 'Pillow'}{' bold' if bold else ''}"
        else:
            stroke = rng.uniform(0.04, 0.18)
            image = draw_digit(digit, canvas, height, centre, stroke, angle, slant=rng.uniform(-0.15, 0.35),
                               dark_on_light=dark, jitter=0.03, seed=int(rng.integers(1 << 31)))
            how = f"drawn, pen {stroke:.2f} of its height"
        out.append((image, digit, f"{how}, {canvas}px, {height:.0%} tall, turned {angle:+.0f}°, "
                                  f"{'dark on light' if dark else 'light on dark'}"))
    return out


# The ten files in workshop/samples/: each digit drawn once on a 200x200 canvas, dark on white, as in a
# paint program, at its own size, place, pen, slant and turn. `python -m workshop.lessons.samples` writes them.
SAMPLE_STYLES = {  # digit: (height, centre, stroke, angle, slant)
    0: (0.62, (0.45, 0.5), 0.10, 5, 0.1), 1: (0.7, (0.55, 0.45), 0.08, -4, 0.2),
    2: (0.5, (0.35, 0.6), 0.14, 0, 0.0), 3: (0.75, (0.5, 0.5), 0.06, 3, 0.15),
    4: (0.55, (0.6, 0.4), 0.12, -6, 0.25), 5: (0.66, (0.5, 0.55), 0.09, 8, 0.0),
    6: (0.45, (0.3, 0.35), 0.13, 0, 0.3), 7: (0.8, (0.5, 0.5), 0.07, -3, 0.1),
    8: (0.6, (0.62, 0.6), 0.11, 4, 0.2), 9: (0.7, (0.45, 0.45), 0.10, -8, 0.05),
}


def sample(digit: int) -> Image.Image:
    """The sample of `digit` that workshop/samples/<digit>.png holds."""
    height, centre, stroke, angle, slant = SAMPLE_STYLES[digit]
    return draw_digit(digit, 200, height, centre, stroke, angle, slant, dark_on_light=True, jitter=0.02, seed=digit)


def write_sample_files(folder=SAMPLES_DIR) -> list[Path]:
    """Write the ten samples as <folder>/<digit>.png; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{digit}.png" for digit in range(10)]
    for digit, path in enumerate(paths):
        sample(digit).save(path, optimize=True)
    return paths


if __name__ == "__main__":
    for written in write_sample_files():
        print(f"wrote {written}")
