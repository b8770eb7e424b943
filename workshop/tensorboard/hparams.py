"""The HParams dashboard: one row per run, the settings beside the results.

`write_hparams` runs inside a writer of the run folder itself and writes the run's
hyperparameters: the settings that decide its weights, as far as its model uses them
(`used_settings`: no hidden width for a CNN, no dropout for an MLP).

It declares no experiment (`hp.hparams_config`) on purpose. TensorBoard takes one declared
experiment, of whichever run it finds first, for every run it shows; a run cannot know what
the others varied, and a declared experiment lists its hyperparameters by name, of which the
dashboard shows the first five. Without one, TensorBoard builds the experiment from every run's
values: each hyperparameter any run has, numbers typed as numbers (ordered axes, an interval
from the smallest to the largest value), and the ones that differ between runs first, shown.
The metrics are then every scalar the runs wrote, by tag and sub-folder ("group"):
train/epoch_loss, validation/epoch_accuracy, ..., and test/accuracy in the run folder.
"""

import workshop.tf_env  # noqa: F401 -- first: it quiets TensorFlow's start-up lines, which hp's import would print
from tensorboard.plugins.hparams import api as hp

# TrainConfig's fields: what decides the weights (workshop/config.py)
HPARAMS = ("model", "api", "dataset", "learning_rate", "optimizer", "schedule", "batch_size", "epochs", "seed",
           "hidden", "dropout", "max_examples")
MODEL_ONLY = {"hidden": "mlp", "dropout": "cnn"}  # settings one model uses and the others ignore
TF_ONLY = ("steps_per_execution", "threads", "precision", "jit_compile")  # speed knobs of the TensorFlow levels


def used_settings(settings: dict) -> dict:
    """The run's flat settings dict without what its model and level ignore, and without
    what was left unset (None: a default, such as every training example)."""
    return {key: value for key, value in settings.items()
            if value is not None and MODEL_ONLY.get(key, settings["model"]) == settings["model"]
            and not (settings["api"] == "numpy" and key in TF_ONLY)}


def hparam_value(value):
    """A number, string or bool, as the HParams dashboard takes them: one hidden layer's width
    stays a number (an ordered axis); several read as "64-32"."""
    if isinstance(value, (tuple, list)):
        return value[0] if len(value) == 1 else "-".join(str(v) for v in value)
    return value


def write_hparams(settings: dict, trial_id: str):
    """Write the run's hyperparameters (HPARAMS, from the flat `settings` dict) into the
    default writer. trial_id: the run's name, so re-reading shows which run is which."""
    used = used_settings(settings)
    hp.hparams({name: hparam_value(used[name]) for name in HPARAMS if name in used}, trial_id=trial_id)
