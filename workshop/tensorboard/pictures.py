"""The pictures the Images dashboard shows, drawn into NumPy arrays.

Every picture comes back as uint8 RGB (1, height, width, 3): one image in the batch shape
`summaries.image` (and `tf.summary.image`) takes. No TensorFlow here. Figures use matplotlib's object API on the
Agg canvas, not pyplot: no display is looked for and no global figure list can leak, so
it works on a server, in CI and inside a training loop alike. They are drawn at DPI for
TensorBoard; a lesson asks for its own (sharper) `dpi` when it saves one as a figure file.

The confusion matrix and the grid of mistakes are drawn every epoch, on a thread beside the
training that shares its cores: what changes each epoch (cells, counts, captions) is painted
with NumPy and written with Pillow, in matplotlib's font, 20-30 times faster than matplotlib's
own texts; matplotlib draws the confusion matrix's axes once.
"""

import functools

import numpy as np
from matplotlib import colormaps, font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

DPI = 72  # small PNGs: one of each per epoch must keep a 20-epoch run under a few MB
CAPTION_PT = 14  # the digit grid's captions


def _dark_on_white(x: np.ndarray) -> np.ndarray:
    """float ink in [0, 1] (ink high) -> uint8 gray levels, dark ink on white paper."""
    return np.round(255 * (1 - np.clip(x, 0, 1))).astype(np.uint8)


def _figure(width, height, dpi=DPI):
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)  # the Agg canvas: draws into memory
    return fig, fig.add_subplot()


def _to_array(fig) -> np.ndarray:
    """Render and take the pixels (no PNG round trip here: summaries.image encodes)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[None, :, :, :3].copy()  # RGB: no alpha, smaller PNGs


def confusion_matrix(y_true, y_pred_class, classes: int) -> np.ndarray:
    """counts int64 (classes, classes): row = true class, column = predicted class."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred_class, dtype=np.int64)), 1)
    return counts


def confusion_figure(counts: np.ndarray, class_names, title: str = "", dpi: float = DPI) -> np.ndarray:
    """The matrix as a heat map with the count in every cell, drawn at `dpi`; the diagonal is what went right.

    Drawn every epoch, beside training: matplotlib draws the frame (axes, ticks, labels) once per
    set of class names, and each call paints the cells and writes the counts and the title into a
    copy of it (a hundred matplotlib texts took 90 ms an epoch, Pillow's take 2)."""
    frame = _confusion_frame(tuple(map(str, class_names)), dpi)
    rows, cols = frame["rows"], frame["cols"]
    low, high = counts.min(), counts.max()
    shade = (colormaps["Blues"]((counts - low) / max(high - low, 1))[..., :3] * 255).round().astype(np.uint8)
    pixels = frame["pixels"].copy()
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            pixels[rows[i]:rows[i + 1], cols[j]:cols[j + 1]] = shade[i, j]
    inside = pixels[rows[0]:rows[-1], cols[0]:cols[-1]]
    drawn = frame["pixels"][rows[0]:rows[-1], cols[0]:cols[-1]]
    for edge in (np.s_[:2], np.s_[-2:], np.s_[:, :2], np.s_[:, -2:]):  # the frame's line, where it crosses the cells
        inside[edge] = np.minimum(inside[edge], drawn[edge])
    image = Image.fromarray(pixels)
    draw, font = ImageDraw.Draw(image), _font(7, dpi)
    for i, j in zip(*np.nonzero(counts)):
        draw.text(((cols[j] + cols[j + 1]) / 2, (rows[i] + rows[i + 1]) / 2), str(counts[i, j]), anchor="mm",
                  font=font, fill="white" if counts[i, j] > high / 2 else "black")
    if title:
        draw.text(frame["title_at"], title, anchor="md", font=_font(9, dpi), fill="black")
    return np.asarray(image)[None]


@functools.lru_cache(maxsize=8)
def _confusion_frame(class_names: tuple, dpi: float) -> dict:
    """The empty figure, drawn by matplotlib: {"pixels": uint8 (H, W, 3), "rows", "cols": the
    cells' edges in pixels, "title_at": (x, y) of the title's bottom centre}."""
    n = len(class_names)
    margin = 0.6 + 0.06 * max(len(name) for name in class_names)  # inches: "Ankle boot" needs more than "7"
    side = margin + 0.4 + 0.42 * max(n, 6)  # a 2x2 binary matrix still gets readable cells
    fig, ax = _figure(side, side, dpi)
    # fixed margins: the cells land where the painting expects them
    fig.subplots_adjust(left=margin / side, right=0.98, bottom=margin / side, top=1 - 0.35 / side)
    ax.imshow(np.zeros((n, n)), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), class_names, rotation=90 if margin > 0.8 else 0)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    pixels = _to_array(fig)[0]
    height = pixels.shape[0]
    edges = ax.transData.transform([(k - 0.5, k - 0.5) for k in range(n + 1)])  # display: y grows upwards
    cols, rows = np.round(edges[:, 0]).astype(int), np.round(height - edges[:, 1]).astype(int)
    top = height - ax.transAxes.transform((0.5, 1))[1]
    return {"pixels": pixels, "rows": rows, "cols": cols,
            "title_at": ((cols[0] + cols[-1]) / 2, top - 6 * dpi / 72)}  # matplotlib's title: 6 points above


@functools.lru_cache(maxsize=8)
def _font(points: float, dpi: float):
    """matplotlib's own font (DejaVu Sans) for Pillow, `points` high at `dpi`."""
    return ImageFont.truetype(font_manager.findfont(font_manager.FontProperties()), size=points * dpi / 72)


def confusion_table(counts: np.ndarray, class_names) -> str:
    """The same matrix as a Markdown table, for the Text dashboard (exact numbers, searchable)."""
    header = "| true \\ predicted | " + " | ".join(map(str, class_names)) + " |"
    rule = "|---" * (len(class_names) + 1) + "|"
    rows = [f"| **{name}** | " + " | ".join(str(c) for c in row) + " |" for name, row in zip(class_names, counts)]
    return "\n".join([header, rule, *rows])


def _tile(images: np.ndarray, columns: int, pad: int, fill: float) -> np.ndarray:
    """(N, H, W) -> one (rows*(H+pad), columns*(W+pad)) array: one axes draws fast, N axes do not."""
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    sheet = np.full((rows * (h + pad), columns * (w + pad)), fill, dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, columns)
        sheet[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[k]
    return sheet


def digit_grid(images: np.ndarray, captions, columns: int = 6, dpi: float = DPI) -> np.ndarray:
    """images float (N, H, W, 1) in [0, 1], ink high -> a grid with a caption above each image
    (such as "5→9 92%"), `columns` wide, drawn at `dpi`.

    TensorBoard shrinks a picture to fit its card (about 370 x 190 px), so the grid is drawn
    near that shape, in cells wider than high, the captions as large as a cell's width allows:
    their digits stay about 8 px high on the card (8-point captions on an 8-wide grid: 4.6 px).
    Drawn every epoch, beside training: NumPy lays out the images, Pillow writes the captions."""
    n, h, w = images.shape[:3]
    columns = min(columns, n)
    rows = -(-n // columns)
    inch = 0.48 / w  # inches per image pixel: each image 0.48 in wide, in a cell about 1 x 0.82 in
    gap, band, below = round(0.52 / inch), round(0.28 / inch), round(0.06 / inch)  # image pixels
    cell_w, cell_h = w + gap, band + h + below
    sheet = np.zeros((rows * cell_h, columns * cell_w), dtype=np.float32)
    for k in range(n):
        y, x = divmod(k, columns)
        y, x = y * cell_h + band, x * cell_w + gap // 2  # the image's top left corner
        sheet[y:y + h, x:x + w] = images[k, ..., 0]
    scale = inch * dpi  # picture pixels per image pixel
    ink = Image.fromarray(_dark_on_white(sheet))
    image = ink.resize((round(sheet.shape[1] * scale), round(sheet.shape[0] * scale)), Image.Resampling.NEAREST)
    image = image.convert("RGB")
    longest = max((len(c) for c in captions), default=1)
    font = _font(min(CAPTION_PT, 72 * cell_w * inch / (0.66 * longest)), dpi)  # long captions (fashion's classes) shrink
    draw = ImageDraw.Draw(image)
    for k, caption in enumerate(captions):
        r, c = divmod(k, columns)
        draw.text(((c * cell_w + gap // 2 + w / 2) * scale, (r * cell_h + band - 0.03 / inch) * scale), caption,
                  anchor="md", font=font, fill="black")
    return np.asarray(image)[None]


def filter_grid(kernel: np.ndarray, columns: int = 8, cell: int = 36) -> np.ndarray:
    """kernel (kh, kw, in_channels, filters) -> every filter's first input channel, each
    scaled to its own range (what matters is the pattern, not the size of the numbers), in
    gray, each filter about `cell` pixels wide with a gray gap, on a thin white margin."""
    filters = kernel[:, :, 0, :].transpose(2, 0, 1)  # (filters, kh, kw)
    low = filters.min(axis=(1, 2), keepdims=True)
    high = filters.max(axis=(1, 2), keepdims=True)
    sheet = _tile((filters - low) / np.maximum(high - low, 1e-8), columns, 1, 0.5)
    zoom = max(1, round(cell / (kernel.shape[1] + 1)))  # whole pixels: every weight one sharp square
    pixels = np.round(255 * sheet).astype(np.uint8).repeat(zoom, axis=0).repeat(zoom, axis=1)
    pixels = np.pad(pixels, 3, constant_values=255)
    return np.repeat(pixels[None, :, :, None], 3, axis=3)


def sprite(images: np.ndarray) -> np.ndarray:
    """images float (N, H, W, 1) in [0, 1] -> uint8 (S*H, S*W) square sheet, S = ceil(sqrt(N)),
    dark ink on white, row by row: the Projector's thumbnail for point k is cell k."""
    n, h, w = images.shape[:3]
    side = int(np.ceil(np.sqrt(n)))
    sheet = np.full((side * h, side * w), 255, dtype=np.uint8)
    for k in range(n):
        r, c = divmod(k, side)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = _dark_on_white(images[k][..., 0])
    return sheet
