"""The update rules, by hand, for the raw level: what `keras.optimizers` does inside.

Both follow Keras's formulas exactly, so a raw run and a Keras run end with the same weights.
The learning rate is a number, or a schedule (schedules.py) called with the step count before
each update, as a Keras optimizer calls it.
On several workers (`train --workers N`), both first sum every worker's gradients, as a Keras
optimizer does under a tf.distribute strategy (distributed.py); alone, the gradients are used as they are.
"""

from workshop.tf_env import tf
from workshop.training.distributed import summed_across_workers


class SGD(tf.Module):
    """w <- w - learning_rate * g"""

    def __init__(self, learning_rate):
        super().__init__()
        self.learning_rate = learning_rate if callable(learning_rate) else float(learning_rate)
        # plain SGD keeps no state, but a schedule needs the step count
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False) if callable(learning_rate) else None

    def build(self, params):
        pass

    def apply(self, grads, params):
        grads = summed_across_workers(grads)
        rate = _rate(self.learning_rate, self.iterations)
        for g, w in zip(grads, params):
            w.assign_sub(rate * g)
        if self.iterations is not None:
            self.iterations.assign_add(1)


class Adam(tf.Module):
    """Adam (Kingma & Ba) as Keras writes it: running means of g and g^2, bias-corrected step."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__()
        self.learning_rate = learning_rate if callable(learning_rate) else float(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.m, self.v = None, None

    def build(self, params):
        """Make the slots (eagerly, before the step is traced), like a Keras optimizer's `build`."""
        self.m = [tf.Variable(tf.zeros_like(w), trainable=False) for w in params]
        self.v = [tf.Variable(tf.zeros_like(w), trainable=False) for w in params]

    def apply(self, grads, params):
        if self.m is None:
            self.build(params)
        grads = summed_across_workers(grads)
        rate = _rate(self.learning_rate, self.iterations)  # the step count before this update, as Keras
        self.iterations.assign_add(1)
        t = tf.cast(self.iterations, tf.float32)
        alpha = rate * tf.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        for g, w, m, v in zip(grads, params, self.m, self.v):
            m.assign_add((g - m) * (1 - self.beta_1))
            v.assign_add((tf.square(g) - v) * (1 - self.beta_2))
            w.assign_sub(alpha * m / (tf.sqrt(v) + self.epsilon))


def _rate(learning_rate, step):
    return learning_rate(step) if callable(learning_rate) else learning_rate


def make(name, learning_rate):
    return Adam(learning_rate) if name == "adam" else SGD(learning_rate)
