"""The machine's practical peak, and what one training step of the CNN asks of it."""

import time

from workshop.algorithms.shapes import forward_flops


def matmul_gflops(n=2048, repeats=30):
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
    """Forward FLOPs counted layer by layer (algorithms/shapes.py), times 3 for forward + backward."""
    return 3 * forward_flops("cnn", input_shape, classes)
