"""The benchmark the project ships: `workshop bench`. Speed goals live here, not in tests.

Every comparison is a ratio measured side by side, round-robin, on the same noisy
machine: each round runs one timed epoch of every contender (after an untimed first
epoch that pays for tracing), and the table reports the median and min-max over
rounds. The benchmark's process runs the project's way (training/speed.py sets its
threads); what must run as TensorFlow ships - the reference recipe, the default path
without the thread rule, the matmul peak - runs in worker processes (worker.py),
driven one epoch at a time, so the round-robin still holds.

Targets (from the project's issue; reported, never asserted by tests):
| what | target |
|---|---|
| default CNN path vs the reference Keras MNIST-convnet recipe | >= 1.5x throughput, >= 30 % of matmul peak |
| default MLP path vs reference-style plain `fit` | >= 2x |
| `layers` / `raw` tf.function loops vs `fit` at the same settings | >= 1.0x |
| time to 98 % test accuracy on digits vs the reference recipe | <= 0.6x |
| `workshop --help` / `workshop agenda` | < 0.5 s |
| `workshop train` to its first step | < 8 s |
"""
