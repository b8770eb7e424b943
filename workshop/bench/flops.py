"""The machine's practical peak, and what one training step of the CNN asks of it."""

import time

from workshop.algorithms.shapes import CNN_FILTERS, cnn_padding


def matmul_gflops(n=2048, repeats=10):
    """float32 (n, n) @ (n, n) in TensorFlow, best of `repeats`: 2 n^3 FLOPs each."""
    from workshop.tf_env import tf
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    tf.matmul(a, b).numpy()  # warm-up: thread pools, kernels
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        tf.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def cnn_train_flops_per_example(input_shape, classes=10):
    """Forward FLOPs counted layer by layer (multiply + add = 2), times 3 for forward + backward.

    Convolutions and the dense layer only: ReLU, pooling and dropout are a rounding error.
    """
    h, w, c = input_shape
    valid = cnn_padding(input_shape) == "valid"
    forward = 0
    for filters in CNN_FILTERS:
        if valid:
            h, w = h - 2, w - 2
        forward += 2 * h * w * 3 * 3 * c * filters
        h, w, c = h // 2, w // 2, filters
    forward += 2 * h * w * c * classes
    return 3 * forward
