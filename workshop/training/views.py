"""One face for every level's model, so callbacks and reports need not know the level.

A view offers: `get_weights()` / `set_weights(list)` (Keras order, NumPy arrays),
`weight_names` ('dense_0/kernel', ...), `predict(x) -> y_pred` (logits, NumPy),
`features(x)` (last hidden layer, NumPy), `summary_text()` (the layers in the order they run,
with their output shapes), and `stop_training`.
"""

import functools

import numpy as np


def _batched(fn, x, batch_size=512):
    """fn over x in batches, as float32 NumPy (a mixed_bfloat16 model computes in bfloat16)."""
    return np.concatenate([np.asarray(fn(x[i:i + batch_size]), dtype=np.float32)
                           for i in range(0, len(x), batch_size)])


# From this many examples on, a raw view predicts through a traced graph: the dashboards predict on
# MNIST's 6,000 validation images every epoch, and eagerly that took twice the time of `fit`'s own
# validation pass. Smaller inputs (the digits' 144) run eagerly: tracing a tf.Module's call costs
# twice its first eager call (120 ms against 60 for the digits CNN) and saves under a millisecond a call.
# A Keras model always predicts traced: there the first traced call costs no more than the first
# eager one (50 against 60 ms) and each later one a third (the digits CNN: 1.8 against 5 ms an epoch).
COMPILE_FROM = 2048


def _compiled(fn):
    """fn traced into a graph, for any batch size after the second. Wrapped in a partial, each view's
    function is its own to TensorFlow's retracing warning (which otherwise counts the traces of every
    view's function together, and warns when a lesson's many models each trace once)."""
    from workshop.tf_env import tf
    return tf.function(functools.partial(fn), reduce_retracing=True)


def _layer_names(shapes):
    names, kinds = [], {4: "conv", 2: "dense"}
    counts = {}
    for shape in shapes[0::2]:
        kind = kinds[len(shape)]
        i = counts.get(kind, 0)
        counts[kind] = i + 1
        names += [f"{kind}_{i}/kernel", f"{kind}_{i}/bias"]
    return names


class NumpyView:
    def __init__(self, model):
        self.model, self.stop_training = model, False

    def get_weights(self):
        return [p.copy() for p in self.model.params]

    def set_weights(self, weights):
        self.model.params = [np.array(w, dtype=np.float32) for w in weights]

    @property
    def weight_names(self):
        return _layer_names([p.shape for p in self.model.params])

    def predict(self, x):
        return _batched(self.model.forward, x)

    def features(self, x):
        return _batched(self.model.features, x)

    def summary_text(self):
        return "\n".join(f"{n:20} {str(p.shape):16} {p.size:>8,}" for n, p in zip(self.weight_names, self.model.params))


class RawView(NumpyView):
    """A tf.Module whose `params` are its tf.Variables in Keras order."""

    compile_from = COMPILE_FROM  # predict traced from this many examples on

    def get_weights(self):
        return [v.numpy() for v in self.model.params]

    def set_weights(self, weights):
        for v, w in zip(self.model.params, weights):
            v.assign(w)

    @property
    def weight_names(self):
        return _layer_names([tuple(v.shape) for v in self.model.params])

    def predict(self, x):
        def call(b):
            return self.model(b, training=False)
        if len(x) < self.compile_from:
            return _batched(call, x)
        if getattr(self, "_predict", None) is None:
            self._predict = _compiled(call)
        return _batched(self._predict, x)

    def features(self, x):
        return _batched(self.model.features, x)

    def summary_text(self):
        rows = [f"{n:20} {str(tuple(v.shape)):16} {int(np.prod(v.shape)):>8,}"
                for n, v in zip(self.weight_names, self.model.params)]
        return f"tf.Module {self.model.name}\n" + "\n".join(rows)


class KerasView(RawView):
    """A Keras model (Sequential or subclass). `features` is the input of the last layer."""

    compile_from = 0

    def __init__(self, model):
        super().__init__(model)
        self._features = None

    @property
    def stop_training(self):
        return self.model.stop_training

    @stop_training.setter
    def stop_training(self, value):
        self.model.stop_training = value

    def get_weights(self):
        return self.model.get_weights()

    def set_weights(self, weights):
        self.model.set_weights(weights)

    @property
    def weight_names(self):
        return _layer_names([tuple(w.shape) for w in self.model.weights])


    def features(self, x):
        if hasattr(self.model, "features"):
            return _batched(self.model.features, x)
        if self._features is None:
            from workshop.tf_env import keras
            self._features = keras.Model(self.model.inputs[0], self.model.layers[-1].input)
        return _batched(lambda b: self._features(b, training=False), x)

    def summary_text(self):
        from workshop.tf_env import keras
        if not isinstance(self.model, keras.Sequential):
            return _chain_summary(self.model)
        lines = []
        self.model.summary(print_fn=lambda line, *a, **k: lines.append(line), line_length=80)
        return "\n".join(lines)


def _chain_summary(model) -> str:
    """A layers-level model (a keras.Model subclass whose layers run one after the other, set in
    that order) as a table: Keras's own summary cannot know the output shape of a subclass's
    layer without weights (it prints `?`), but in a chain each layer's shape follows from the
    one before, starting from the shape the model was built on."""
    shape = (None, *model.get_build_config()["input_shape"][1:])
    rows = [f'Model: "{model.name}" (a keras.Model subclass: its layers in the order they run)',
            f"{'Layer (type)':34}{'Output Shape':22}{'Param #':>10}", "-" * 66]
    for layer in model.layers:
        shape = layer.compute_output_shape(shape)
        rows.append(f"{f'{layer.name} ({type(layer).__name__})':34}{str(shape):22}{layer.count_params():>10,}")
    return "\n".join([*rows, "-" * 66, f"Total params: {model.count_params():,}"])
