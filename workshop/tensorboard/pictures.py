"""The pictures the Images dashboard shows, drawn with matplotlib into NumPy arrays.

Every picture comes back as uint8 RGB (1, height, width, 3): one image in the batch shape
`tf.summary.image` takes. No TensorFlow here. Figures use matplotlib's object API on the
Agg canvas, not pyplot: no display is looked for and no global figure list can leak, so
it works on a server, in CI and inside a training loop alike. They are drawn at DPI for
TensorBoard; a lesson asks for its own (sharper) `dpi` when it saves one as a figure file.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 72  # small PNGs: one of each per epoch must keep a 20-epoch run under a few MB
CAPTION_PT = 14  # the digit grid's captions


def _figure(width, height, dpi=DPI):
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)  # the Agg canvas: draws into memory
    return fig, fig.add_subplot()


def _to_array(fig) -> np.ndarray:
    """Render and take the pixels (no PNG round trip here: tf.summary.image encodes)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[None, :, :, :3].copy()  # RGB: no alpha, smaller PNGs


def confusion_matrix(y_true, y_pred_class, classes: int) -> np.ndarray:
    """counts int64 (classes, classes): row = true class, column = predicted class."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred_class, dtype=np.int64)), 1)
    return counts


def confusion_figure(counts: np.ndarray, class_names, title: str = "", dpi: float = DPI) -> np.ndarray:
    """The matrix as a heat map with the count in every cell, drawn at `dpi`; the diagonal is what went right."""
    n = len(class_names)
    margin = 0.6 + 0.06 * max(len(str(name)) for name in class_names)  # inches: "Ankle boot" needs more than "7"
    side = margin + 0.4 + 0.42 * max(n, 6)  # a 2x2 binary matrix still gets readable cells
    fig, ax = _figure(side, side, dpi)
    # fixed margins: tight_layout would draw everything twice, every epoch
    fig.subplots_adjust(left=margin / side, right=0.98, bottom=margin / side, top=1 - 0.35 / side)
    ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(n), class_names, rotation=90 if margin > 0.8 else 0)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=9)
    dark = counts.max() / 2 if counts.size else 0
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if counts[i, j] > dark else "black")
    return _to_array(fig)


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
    their digits stay about 8 px high on the card (8-point captions on an 8-wide grid: 4.6 px)."""
    n, h, w = images.shape[:3]
    columns = min(columns, n)
    rows = -(-n // columns)
    inch = 0.48 / w  # inches per image pixel: each image 0.48 in wide, in a cell about 1 x 0.82 in
    gap, band, below = round(0.52 / inch), round(0.28 / inch), round(0.06 / inch)  # image pixels
    cell_w, cell_h = w + gap, band + h + below
    sheet = np.zeros((rows * cell_h, columns * cell_w), dtype=np.float32)  # one image: one imshow draws fast
    for k in range(n):
        y, x = divmod(k, columns)
        y, x = y * cell_h + band, x * cell_w + gap // 2  # the image's top left corner
        sheet[y:y + h, x:x + w] = images[k, ..., 0]
    fig, ax = _figure(sheet.shape[1] * inch, sheet.shape[0] * inch, dpi)
    fig.subplots_adjust(0, 0, 1, 1)
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    longest = max((len(c) for c in captions), default=1)
    size = min(CAPTION_PT, 72 * cell_w * inch / (0.66 * longest))  # long captions (fashion's classes) shrink
    for k, caption in enumerate(captions):
        r, c = divmod(k, columns)
        ax.text(c * cell_w + gap // 2 + w / 2 - 0.5, r * cell_h + band - 0.5 - 0.03 / inch, caption,
                ha="center", va="bottom", fontsize=size)
    ax.axis("off")
    return _to_array(fig)


def filter_grid(kernel: np.ndarray, columns: int = 8) -> np.ndarray:
    """kernel (kh, kw, in_channels, filters) -> every filter's first input channel, each
    scaled to its own range (what matters is the pattern, not the size of the numbers)."""
    filters = kernel[:, :, 0, :].transpose(2, 0, 1)  # (filters, kh, kw)
    low = filters.min(axis=(1, 2), keepdims=True)
    high = filters.max(axis=(1, 2), keepdims=True)
    sheet = _tile((filters - low) / np.maximum(high - low, 1e-8), columns, 1, 0.5)
    fig, ax = _figure(0.5 * columns, 0.5 * sheet.shape[0] / (kernel.shape[0] + 1) + 0.1)
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    ax.imshow(sheet, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.axis("off")
    return _to_array(fig)


def sprite(images: np.ndarray) -> np.ndarray:
    """images float (N, H, W, 1) in [0, 1] -> uint8 (S*H, S*W) square sheet, S = ceil(sqrt(N)),
    dark ink on white, row by row: the Projector's thumbnail for point k is cell k."""
    n, h, w = images.shape[:3]
    side = int(np.ceil(np.sqrt(n)))
    sheet = np.full((side * h, side * w), 255, dtype=np.uint8)
    for k in range(n):
        r, c = divmod(k, side)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = (255 * (1 - np.clip(images[k][..., 0], 0, 1))).astype(np.uint8)
    return sheet
