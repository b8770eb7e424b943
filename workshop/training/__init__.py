"""Training loops, one per API level, and `train(config)` that runs any algorithm at any level.

| level | loop | who computes gradients | who updates weights |
|---|---|---|---|
| numpy | numpy_loop.py | the model's own `gradients()` | the loop, by hand |
| raw | raw_loop.py | tf.GradientTape | raw_optimizers.py, `assign_sub` by hand |
| layers | layers_loop.py | tf.GradientTape | a Keras optimizer |
| keras | keras_fit.py | Keras `fit` | Keras `fit` |

Every loop calls Keras-style callbacks (`on_epoch_end(epoch, logs)` with the same
`logs` keys: loss, accuracy, val_loss, val_accuracy, learning_rate), so one set of
TensorBoard callbacks serves all levels.
"""
