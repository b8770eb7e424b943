"""Initial weights drawn in NumPy from the seed: the same numbers for every level.

Glorot (Xavier) uniform for kernels, zeros for biases: Keras's own defaults for
Dense and Conv2D, so a Keras model started from these is a normal Keras model.
"""

import numpy as np


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).

    Dense kernels are (fan_in, fan_out); conv kernels (kh, kw, c_in, c_out) count
    each input and output channel once per position of the window.
    """
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def initial_weights(kernel_shapes: list[tuple[int, ...]], seed: int) -> list[np.ndarray]:
    """[kernel0, bias0, kernel1, bias1, ...] in Keras `get_weights()` order."""
    rng = np.random.default_rng(seed)
    weights = []
    for shape in kernel_shapes:
        weights += [glorot_uniform(shape, rng), np.zeros(shape[-1], np.float32)]
    return weights
