"""The update rules, by hand, for the raw level: what `keras.optimizers` does inside.

Both follow Keras's formulas exactly, so a raw run and a Keras run end with the same weights.
The learning rate is a number, or a Keras schedule (schedules.py) called with the step count
before each update, as a Keras optimizer calls it; `learning_rate` reads the rate in force now,
as a Keras optimizer's does (the custom loops chart it in TensorBoard).
"""

from workshop.tf_env import tf


class _Rule(tf.Module):
    def __init__(self, learning_rate):
        super().__init__()
        self.schedule = learning_rate if callable(learning_rate) else float(learning_rate)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)  # updates applied so far

    @property
    def learning_rate(self):
        """The rate the next update uses: a schedule is read at the step count."""
        return self.schedule(self.iterations) if callable(self.schedule) else self.schedule


class SGD(_Rule):
    """w <- w - learning_rate * g"""

    def build(self, params):
        pass  # plain SGD keeps no state but the step count

    def apply(self, grads, params):
        rate = self.learning_rate
        for g, w in zip(grads, params):
            w.assign_sub(rate * g)
        self.iterations.assign_add(1)


class Adam(_Rule):
    """Adam (Kingma & Ba) as Keras writes it: running means of g and g^2, bias-corrected step."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m, self.v = None, None

    def build(self, params):
        """Make the slots (eagerly, before the step is traced), like a Keras optimizer's `build`."""
        self.m = [tf.Variable(tf.zeros_like(w), trainable=False) for w in params]
        self.v = [tf.Variable(tf.zeros_like(w), trainable=False) for w in params]

    def apply(self, grads, params):
        rate = self.learning_rate  # at the step count before this update, as Keras
        self.iterations.assign_add(1)
        t = tf.cast(self.iterations, tf.float32)
        alpha = rate * tf.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        for g, w, m, v in zip(grads, params, self.m, self.v):
            m.assign_add((g - m) * (1 - self.beta_1))
            v.assign_add((tf.square(g) - v) * (1 - self.beta_2))
            w.assign_sub(alpha * m / (tf.sqrt(v) + self.epsilon))


def make(name, learning_rate):
    return Adam(learning_rate) if name == "adam" else SGD(learning_rate)
