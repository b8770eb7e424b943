"""TensorBoard's summaries, built as its own protocol buffers with NumPy and Pillow.

Each `tf.summary.scalar`, `.image` or `.text` call runs TensorFlow ops eagerly, one by one:
about 0.3 ms for a scalar and 6 ms for an image (its PNG encoding), 20-odd of them every
epoch on the writers' thread, which shares the cores with training. Here each summary is a
`Summary.Value` made in Python - the same tag, plugin, description and tensor as those calls
write - and `Writers.write` puts an epoch's values for one folder in one event, with one op.
TensorBoard reads them as it reads its own: the dashboards cannot tell the difference.

    scalar(tag, value)        float32 ()                Scalars
    image(tag, pixels)        [width, height, PNG...]   Images      pixels: uint8 (k, H, W, 1 or 3); pictures.py draws k = 1
    text(tag, markdown)       string ()                 Text
    histogram(tag, values)    float64 (30, 3)           Histograms and Distributions (buckets as histograms.py counts)
"""

import io

import numpy as np
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.plugins.histogram import metadata as histogram_metadata
from tensorboard.plugins.image import metadata as image_metadata
from tensorboard.plugins.scalar import metadata as scalar_metadata
from tensorboard.plugins.text import metadata as text_metadata
from tensorboard.util import tensor_util

from workshop.tensorboard.histograms import buckets

# zlib's fastest level: a third of the default's time for PNGs about 15 % larger (tens of kB an epoch)
PNG_COMPRESSION = 1


def _value(tag, metadata, array) -> Summary.Value:
    return Summary.Value(tag=tag, metadata=metadata, tensor=tensor_util.make_tensor_proto(array))


def scalar(tag: str, value, description: str = "") -> Summary.Value:
    return _value(tag, scalar_metadata.create_summary_metadata(None, description), np.float32(value))


def text(tag: str, markdown: str, description: str = "") -> Summary.Value:
    return _value(tag, text_metadata.create_summary_metadata(None, description), np.array(markdown.encode(), object))


def histogram(tag: str, values, description: str = "") -> Summary.Value:
    return _value(tag, histogram_metadata.create_summary_metadata(None, description), buckets(values))


def image(tag: str, pixels: np.ndarray, description: str = "") -> Summary.Value:
    """pixels: uint8 (k, height, width, channels), channels 1 or 3: k PNGs under one tag."""
    _, height, width, channels = pixels.shape
    pngs = [_png(p[:, :, 0] if channels == 1 else p) for p in pixels]
    return _value(tag, image_metadata.create_summary_metadata(None, description),
                  np.array([str(width).encode(), str(height).encode(), *pngs], object))


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(out, format="PNG",
                                                                       compress_level=PNG_COMPRESSION)
    return out.getvalue()
