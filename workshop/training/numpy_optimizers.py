"""The update rules in NumPy, for the numpy level (raw_optimizers.py has the same in tf ops).

Both follow Keras's formulas exactly; they change the model's arrays in place.
"""

import numpy as np


class SGD:
    """w <- w - learning_rate * g"""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.variables = []  # plain SGD keeps no state

    def build(self, params):
        pass

    def apply(self, grads, params):
        for g, p in zip(grads, params):
            p -= self.learning_rate * g  # in place: the model's arrays are updated


class Adam:
    """Adam (Kingma & Ba) as Keras writes it: running means of g and g^2, bias-corrected step."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon
        self.t, self.m, self.v = np.zeros((), np.int64), None, None  # t: an array, so a checkpoint can fill it

    def build(self, params):
        """Make the moments before training, like a Keras optimizer's `build`."""
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    @property
    def variables(self):
        """The state a checkpoint saves: the step count and both moments (arrays, changed in place)."""
        return [self.t, *self.m, *self.v]

    def apply(self, grads, params):
        if self.m is None:
            self.build(params)
        self.t += 1  # in place
        t = int(self.t)  # a Python number, so the step stays in the weights' float32
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        for g, p, m, v in zip(grads, params, self.m, self.v):
            m += (g - m) * (1 - self.beta_1)
            v += (g * g - v) * (1 - self.beta_2)
            p -= alpha * m / (np.sqrt(v) + self.epsilon)


def make(name, learning_rate):
    return Adam(learning_rate) if name == "adam" else SGD(learning_rate)
