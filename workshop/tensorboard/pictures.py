"""The pictures the Images dashboard shows, drawn with matplotlib into NumPy arrays.

Every picture comes back as uint8 RGB (1, height, width, 3): one image in the batch shape
`tf.summary.image` takes (TensorBoard's image-summaries tutorial draws its confusion matrix
the same way). No TensorFlow here. Figures use matplotlib's object API on the Agg canvas,
not pyplot: no display is looked for and no global figure list can leak, so it works on a
server, in CI and inside a training loop alike. They are drawn at DPI for TensorBoard; a
lesson asks for its own (sharper) `dpi` when it saves one as a figure file.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix as _counts

DPI = 72  # small PNGs: one of each per epoch must keep a 20-epoch run under a few MB
CAPTION_PT = 9  # the digit grid's captions


def _dark_on_white(x: np.ndarray) -> np.ndarray:
    """float ink in [0, 1] (ink high) -> uint8 gray levels, dark ink on white paper."""
    return np.round(255 * (1 - np.clip(x, 0, 1))).astype(np.uint8)


def _figure(width, height, dpi=DPI):
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)  # the Agg canvas: draws into memory
    return fig


def _to_array(fig) -> np.ndarray:
    """Render and take the pixels as uint8 RGB (1, H, W, 3)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[None, :, :, :3].copy()  # RGB: no alpha, smaller PNGs


def confusion_matrix(y_true, y_pred_class, classes: int) -> np.ndarray:
    """counts int64 (classes, classes): row = true class, column = predicted class (scikit-learn's)."""
    return _counts(np.asarray(y_true, dtype=np.int64), np.asarray(y_pred_class, dtype=np.int64),
                   labels=np.arange(classes)).astype(np.int64)


def confusion_figure(counts: np.ndarray, class_names, title: str = "", dpi: float = DPI) -> np.ndarray:
    """The matrix as a heat map with the count in every cell, drawn at `dpi`; the diagonal is what went right."""
    names = [str(name) for name in class_names]
    n = len(names)
    margin = 0.6 + 0.06 * max(len(name) for name in names)  # inches: "Ankle boot" needs more than "7"
    side = margin + 0.4 + 0.42 * max(n, 6)  # a 2x2 binary matrix still gets readable cells
    fig = _figure(side, side, dpi)
    fig.subplots_adjust(left=margin / side, right=0.98, bottom=margin / side, top=1 - 0.35 / side)
    ax = fig.add_subplot()
    ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(n), names, rotation=90 if margin > 0.8 else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    high = counts.max()
    for i, j in zip(*np.nonzero(counts)):
        ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                color="white" if counts[i, j] > high / 2 else "black")
    if title:
        ax.set_title(title, fontsize=9)
    return _to_array(fig)


def confusion_table(counts: np.ndarray, class_names) -> str:
    """The same matrix as a Markdown table, for the Text dashboard (exact numbers, searchable)."""
    header = "| true \\ predicted | " + " | ".join(map(str, class_names)) + " |"
    rule = "|---" * (len(class_names) + 1) + "|"
    rows = [f"| **{name}** | " + " | ".join(str(c) for c in row) + " |" for name, row in zip(class_names, counts)]
    return "\n".join([header, rule, *rows])


def _tile(images: np.ndarray, columns: int, gap: int, fill: float) -> np.ndarray:
    """(N, H, W) -> one (rows * (H + gap), columns * (W + gap)) sheet: one axes draws fast, N axes do not."""
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    sheet = np.full((rows * (h + gap), columns * (w + gap)), fill, dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, columns)
        sheet[r * (h + gap) + gap:r * (h + gap) + gap + h, c * (w + gap):c * (w + gap) + w] = images[k]
    return sheet


def digit_grid(images: np.ndarray, captions, columns: int = 6, dpi: float = DPI) -> np.ndarray:
    """images float (N, H, W, 1) in [0, 1], ink high -> a grid with a caption above each image
    (such as "5→9 92%"), `columns` wide, drawn at `dpi`, each cell about 1 x 0.82 inches
    (TensorBoard shrinks a picture to fit its card, about 370 x 190 px: the captions stay legible)."""
    n, h, w = images.shape[:3]
    columns = min(columns, n)
    rows = -(-n // columns)
    gap = round(0.7 * h)  # room for a caption above each image, and between columns
    sheet = _tile(images[..., 0], columns, gap, 0.0)
    fig = _figure(columns * 1.0, rows * 0.82, dpi)
    ax = fig.add_axes((0.01, 0, 0.98, 1))
    ax.imshow(sheet[:, :-gap], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.axis("off")
    longest = max((len(c) for c in captions), default=1)
    size = min(CAPTION_PT, 72 * 0.95 / (0.6 * longest))  # long captions (fashion's classes) shrink
    for k, caption in enumerate(captions):
        r, c = divmod(k, columns)
        ax.text(c * (w + gap) + w / 2, r * (h + gap) + gap - 1, caption, ha="center", va="bottom", fontsize=size)
    return _to_array(fig)


def filter_grid(kernel: np.ndarray, columns: int = 8, dpi: float = DPI) -> np.ndarray:
    """kernel (kh, kw, in_channels, filters) -> every filter's first input channel, each
    scaled to its own range (what matters is the pattern, not the size of the numbers), in
    gray, every weight one sharp square, filters apart by a gray gap."""
    filters = kernel[:, :, 0, :].transpose(2, 0, 1)  # (filters, kh, kw)
    low = filters.min(axis=(1, 2), keepdims=True)
    high = filters.max(axis=(1, 2), keepdims=True)
    sheet = _tile((filters - low) / np.maximum(high - low, 1e-8), min(columns, len(filters)), 1, 0.5)
    fig = _figure(sheet.shape[1] * 0.12, sheet.shape[0] * 0.12, dpi)
    ax = fig.add_axes((0, 0, 1, 1))
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
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = _dark_on_white(images[k][..., 0])
    return sheet
