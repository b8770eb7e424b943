"""MLP, numpy level: forward pass and backpropagation written out layer by layer.

This is what `tf.GradientTape` automates. Siblings: mlp_raw.py (the same network as
tf.Variables + tf ops), mlp_layers.py (Keras layers), mlp_keras.py (keras.Sequential).
"""

import numpy as np


class MLP:
    """x float32 (batch, H, W, 1) or (batch, d) -> logits (batch, classes).

    params: [W0 (d, h), b0 (h,), ..., Wk (h, classes), bk (classes,)], Keras order.
    Hidden layers use ReLU; the output stays logits (softmax lives in the loss).
    """

    def __init__(self, weights: list[np.ndarray]):
        self.params = [w.astype(np.float32).copy() for w in weights]

    def _layers(self):
        return list(zip(self.params[0::2], self.params[1::2]))

    def forward(self, x: np.ndarray, cache: list | None = None) -> np.ndarray:
        h = x.reshape(len(x), -1)
        layers = self._layers()
        for i, (w, b) in enumerate(layers):
            if cache is not None:
                cache.append(h)  # each layer's input: what its weight gradient needs
            z = h @ w + b
            h = np.maximum(z, 0.0) if i < len(layers) - 1 else z
        return h

    def features(self, x: np.ndarray) -> np.ndarray:
        """The last hidden layer's activations (batch, h)."""
        cache = []
        self.forward(x, cache)
        return cache[-1]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Mean softmax cross-entropy of int labels y (batch,), and d loss / d params."""
        cache = []
        logits = self.forward(x, cache)
        # log-softmax, shifted by the row max so exp() cannot overflow
        z = logits - logits.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        n = len(y)
        loss = float(-log_p[np.arange(n), y].mean())
        # d loss / d logits of mean cross-entropy after softmax: (p - onehot) / n
        delta = p.copy()
        delta[np.arange(n), y] -= 1.0
        delta /= n
        grads = []
        for i in reversed(range(len(cache))):
            w = self.params[2 * i]
            h_in = cache[i]
            grads = [h_in.T @ delta, delta.sum(axis=0)] + grads  # dW = input^T . delta, db = sum of delta
            if i > 0:
                delta = (delta @ w.T) * (h_in > 0)  # back through the matmul, then through ReLU
        return loss, [g.astype(np.float32) for g in grads]


def create(config, input_shape, classes, weights):
    return MLP(weights)
