"""Layer sizes of each algorithm, worked out from the data's shape. No TensorFlow here.

Every level builds its model from these numbers, so a `raw` tf.Module, a Keras
subclass and a `keras.Sequential` of the same algorithm hold tensors of the same shapes.
"""

import numpy as np

CNN_FILTERS = (32, 64)  # as in Keras's own MNIST convnet example


def cnn_padding(input_shape: tuple[int, ...]) -> str:
    """'valid' on 28x28 (Keras's MNIST recipe); 'same' on small images like 8x8 digits,
    where two valid 3x3 convolutions and two poolings would shrink the image to nothing."""
    return "valid" if min(input_shape[:2]) >= 16 else "same"


def cnn_sizes(input_shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """(height, width) of each conv layer's output, then of the last pooled feature map."""
    h, w = input_shape[:2]
    sizes = []
    for _ in CNN_FILTERS:
        if cnn_padding(input_shape) == "valid":
            h, w = h - 2, w - 2
        sizes.append((h, w))
        h, w = h // 2, w // 2  # 2x2 max pooling, stride 2
    return sizes + [(h, w)]


def cnn_flat_size(input_shape: tuple[int, ...]) -> int:
    h, w = cnn_sizes(input_shape)[-1]
    return h * w * CNN_FILTERS[-1]


def kernel_shapes(model: str, input_shape: tuple[int, ...], classes: int, hidden: tuple[int, ...] = (64,)):
    """Kernel shapes of `model`, input to output (biases have the last dimension)."""
    d = int(np.prod(input_shape))
    if model == "linear":
        return [(1, 1)]
    if model in ("logistic", "perceptron"):
        return [(d, 1)]
    if model == "mlp":
        sizes = (d, *hidden, classes)
        return list(zip(sizes[:-1], sizes[1:]))
    if model == "cnn":
        c = input_shape[-1]
        return [(3, 3, c, CNN_FILTERS[0]), (3, 3, CNN_FILTERS[0], CNN_FILTERS[1]),
                (cnn_flat_size(input_shape), classes)]
    raise ValueError(f"no shapes for model {model!r}")


def forward_flops(model: str, input_shape: tuple[int, ...], classes: int, hidden: tuple[int, ...] = (64,)) -> int:
    """FLOPs of one example's forward pass (multiply + add = 2), convolutions and matmuls only:
    biases, ReLU, pooling and dropout are a rounding error. A training step costs about 3x this
    per example (forward, and a backward pass of twice the work)."""
    if model != "cnn":
        return sum(2 * int(np.prod(shape)) for shape in kernel_shapes(model, input_shape, classes, hidden))
    *convs, (h, w) = cnn_sizes(input_shape)
    channels = (input_shape[-1], *CNN_FILTERS)
    flops = sum(2 * ch * cw * 3 * 3 * c_in * c_out for (ch, cw), c_in, c_out in zip(convs, channels, CNN_FILTERS))
    return flops + 2 * h * w * CNN_FILTERS[-1] * classes
