"""The five algorithms and the API levels each one is written at. No TensorFlow here.

Each level of each algorithm is one short file in this folder, named
`<algorithm>_<level>.py`, so `ls workshop/algorithms` *is* the API hierarchy:

| algorithm | numpy | raw (tf.Module + GradientTape) | layers (Keras layers, own loop) | keras (Sequential + fit) |
|---|---|---|---|---|
| perceptron | perceptron_numpy.py | perceptron_raw.py | - | - |
| linear | linear_numpy.py | linear_raw.py | linear_layers.py | linear_keras.py |
| logistic | logistic_numpy.py | logistic_raw.py | logistic_layers.py | logistic_keras.py |
| mlp | mlp_numpy.py | mlp_raw.py | mlp_layers.py | mlp_keras.py |
| cnn | - | cnn_raw.py | cnn_layers.py | cnn_keras.py |

The contract between a model file and the training loop of its level:
- numpy: an object with `params` (list of arrays, Keras `get_weights()` order),
  `forward(x) -> y_pred` and `gradients(x, y) -> (loss, grads)` (grads like params).
- raw: a `tf.Module` with `__call__(x, training=False) -> y_pred`, `params` (its
  `tf.Variable`s in Keras order) and `features(x)` (the last hidden layer).
- layers: a `keras.Model` subclass; `features(x)` as above.
- keras: `build(...) -> keras.Sequential`, the form every TensorFlow level saves as.
Every level starts from the same numbers: `initial_weights` draws them in NumPy from
the seed, so the levels can be compared weight for weight.

Defaults depend on the data's size: what pays on the 1,294 8x8 digits (small batches, many
epochs) is wrong on 28x28 images, which have 12 times the inputs, and wastes time on MNIST's
54,000 of them, where an epoch holds 40 times the examples and a step 12 times the arithmetic.
`mnist_sized` holds what changes on 28x28 images, `large` what changes again where there are
more than LARGE training examples (see `Algorithm.defaults`). The CNN's 28x28 defaults were chosen
on real MNIST digits (mnist5k's 3,600 training digits, against Keras's own MNIST recipe); its
`large` ones on digits60k, the only MNIST-sized set there is offline.
"""

from dataclasses import dataclass, field

LARGE = 10_000  # a dataset with more training examples than this is MNIST-sized: `large` defaults

LEVELS = ("numpy", "raw", "layers", "keras")


@dataclass(frozen=True)
class Algorithm:
    name: str
    task: str  # "classify" (softmax over classes), "binary" (sigmoid), "regress" (MSE), "perceptron"
    levels: tuple[str, ...]
    datasets: tuple[str, ...]
    dataset: str  # the default
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str
    summary: str
    mnist_sized: dict = field(default_factory=dict)  # on 28x28 images: these epochs, batch_size, learning_rate, ...
    large: dict = field(default_factory=dict)  # and on more than LARGE of them (MNIST's 54,000): these

    def defaults(self, dataset: str) -> dict:
        """{"epochs", "batch_size", "learning_rate", "optimizer", "schedule"} the algorithm trains with on `dataset`:
        its own, then `mnist_sized`'s on 28x28 images, then `large`'s on more than LARGE training examples."""
        from workshop.data.catalog import DATASETS
        own = {"epochs": self.epochs, "batch_size": self.batch_size, "learning_rate": self.learning_rate,
               "optimizer": self.optimizer, "schedule": "constant"}
        info = DATASETS.get(dataset)
        if info is None:
            return own
        sized = self.mnist_sized if tuple(info.shape[:2]) == (28, 28) else {}
        return {**own, **sized, **(self.large if info.train > LARGE else {})}


ALGORITHMS = {
    "perceptron": Algorithm("perceptron", "perceptron", ("numpy", "raw"), ("or", "and", "xor", "digits"), "or",
                            epochs=100, batch_size=1, learning_rate=0.1, optimizer="rule",
                            summary="step(w . [1, x]); add rate * error * input until no errors"),
    "linear": Algorithm("linear", "regress", LEVELS, ("line",), "line",
                        epochs=100, batch_size=30, learning_rate=0.5, optimizer="sgd",
                        summary="recover a and b of y = a*x + b by gradient descent"),
    "logistic": Algorithm("logistic", "binary", LEVELS, ("digits", "digits60k", "mnist5k", "mnist", "fashion_mnist"),
                          "digits",
                          epochs=80, batch_size=32, learning_rate=1.0, optimizer="sgd",
                          summary="one sigmoid neuron: 8s vs 1s (logistic regression)",
                          # 784 inputs, not 64: a step of 1.0 overshoots (digits60k: 81 % validation
                          # accuracy after 10 epochs; 0.1: 92 %, and 20 epochs add half a point; mnist5k: 95.0 %
                          # after 80 epochs at 1.0, 98.75 % after 10 at 0.1)
                          mnist_sized=dict(epochs=10, learning_rate=0.1)),
    "mlp": Algorithm("mlp", "classify", LEVELS, ("digits", "digits60k", "mnist5k", "mnist", "fashion_mnist"), "digits",
                     epochs=20, batch_size=32, learning_rate=0.1, optimizer="sgd",
                     summary="input -> hidden (ReLU) -> 10 classes, backprop + SGD",
                     # digits60k, validation accuracy after 10 epochs: batches of 128 at SGD 0.4 reach 97.1 % at 2.2x
                     # the examples/s of batches of 32 at 0.1 (97.0 %); 256 at 0.8 overshoots (61 %). mnist5k's
                     # 3,600 digits: its own 93.25 %, those 93.0 %, so no change below LARGE
                     large=dict(epochs=10, batch_size=128, learning_rate=0.4)),
    "cnn": Algorithm("cnn", "classify", ("raw", "layers", "keras"),
                     ("digits", "digits60k", "mnist5k", "mnist", "fashion_mnist"), "digits",
                     # chosen by validation accuracy over seeds 0-2 (batches in the order every level shares):
                     # 15 epochs give 0.986-0.993 (10 gave 0.965-0.993); test accuracy then 97.2-99.2 %
                     epochs=15, batch_size=64, learning_rate=0.005, optimizer="adam",
                     summary="conv -> pool -> conv -> pool -> dropout -> dense",
                     # Real digits (mnist5k, seeds 0-2, validation / test accuracy, CPU seconds of 2 cores): Keras's
                     # recipe (15 epochs of 128, Adam 0.001) 96.7 / 97.1 % in 16.6 s; 8 epochs of 64, one cycle up
                     # to 0.004: 96.8 / 97.7 % in 9.0 s. The digits60k-chosen 4 epochs of 128 stop at 95.4 / 95.4 %
                     mnist_sized=dict(epochs=8, learning_rate=0.004, schedule="onecycle"),
                     # digits60k, validation accuracy: one cycle of 4 epochs of 128 peaking at 0.004 is at 99.4 % after
                     # 3 and 99.5 % after 4; a constant 0.002 needs 6 (98.6 % after 3, 99.6 % after 6). Measured on
                     # digits60k-v1; on v2 (thinner strokes) the one cycle is at 99.15 % after 3, 99.4 % after 4
                     large=dict(epochs=4, batch_size=128)),
}

