"""A hands-on Keras/TensorFlow workshop: the same algorithms at every level of the API.

Importing this package is cheap on purpose: it never imports TensorFlow. Only the
commands that compute (train, evaluate, predict, run, bench, ...) pay that cost.
"""

__version__ = "0.1.0"
