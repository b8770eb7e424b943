"""The HParams dashboard: one row per run, the settings beside the results.

`write_hparams` runs inside a writer of the run folder itself; the metrics it names are
the scalars the run already wrote, found by tag and sub-folder ("group"):
train/epoch_loss, validation/epoch_accuracy, ..., and test/accuracy in the run folder.
"""

from tensorboard.plugins.hparams import api as hp

HPARAMS = ("model", "api", "dataset", "learning_rate", "optimizer", "batch_size", "epochs", "seed")
METRICS = [hp.Metric("epoch_accuracy", group="validation", display_name="val accuracy"),
           hp.Metric("epoch_loss", group="validation", display_name="val loss"),
           hp.Metric("epoch_accuracy", group="train", display_name="train accuracy"),
           hp.Metric("epoch_loss", group="train", display_name="train loss"),
           hp.Metric("test/accuracy", display_name="test accuracy"),
           hp.Metric("run/wall_seconds", display_name="wall seconds")]


def write_hparams(settings: dict, trial_id: str):
    """Write the run's `settings` (a flat dict holding at least HPARAMS) and the metric list
    into the default writer. trial_id: the run's name, so re-reading shows which run is which."""
    values = {name: settings[name] for name in HPARAMS}
    hp.hparams_config(hparams=[hp.HParam(name) for name in HPARAMS], metrics=METRICS)
    hp.hparams(values, trial_id=trial_id)
