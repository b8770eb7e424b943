"""Learning-rate schedules: the learning rate as a function of the step, the same at every TensorFlow level.

    constant  learning_rate at every step (the default)
    onecycle  from 0 up to learning_rate in a straight line over the first 20 % of the run's
              steps, then down to 0 along half a cosine (Smith's one-cycle policy): the large
              steps cross the loss surface fast, the small ones at the end settle into a minimum.
              It is Keras's own `CosineDecay` with a warm-up.

A Keras optimizer takes the schedule as its learning rate and calls it with its step count
before each update; the raw level's optimizers (raw_optimizers.py) do the same, by hand.
"""

import math

from workshop.tf_env import keras

WARMUP = 0.2  # the fraction of the run's steps spent climbing


def one_cycle(peak: float, steps: int, warmup: float = WARMUP):
    """rate(step), step 0 .. steps - 1: a straight line up to `peak` over `warmup` of the steps, then half a cosine to 0."""
    up = max(1, round(warmup * steps))
    return keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.0, decay_steps=max(1, steps - up),
                                                  alpha=0.0, warmup_target=float(peak), warmup_steps=up)


def learning_rate(config, examples: int):
    """What an optimizer gets as its learning rate: config.learning_rate, or the config's schedule
    over its whole run (config.epochs epochs of `examples` training examples in batches of config.batch_size)."""
    if config.schedule == "constant":
        return config.learning_rate
    return one_cycle(config.learning_rate, config.epochs * math.ceil(examples / config.batch_size))
