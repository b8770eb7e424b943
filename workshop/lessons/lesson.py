"""What every module's demos share: where to write, how hard to work, and figures.

A demo gets a `Context` and writes each figure twice: a PNG in the module's run
folder (logs/<module>/figures-<timestamp>/<name>.png) and the same picture in
TensorBoard's Images dashboard (tag <name>, in that folder's event file), so the
room can look at either. Training runs of the module land beside it, under
logs/<module>/, because they are trained with `experiment=<module>`.
"""

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed: figures become files
import matplotlib.pyplot as plt  # noqa: E402

from workshop.paths import logs_dir, models_dir  # noqa: E402
from workshop.training.rundir import new_run_dir  # noqa: E402


@dataclass
class Context:
    """module: the agenda module; quick: fewer epochs/examples; logdir: None = logs/.

    `figures` collects the PNG paths written so far, `say` prints what the demo does.
    """

    module: str
    quick: bool = False
    logdir: str | None = None
    models: str | None = None  # the model registry folder; None = models/
    images: tuple[str, ...] = ()  # the user's own image files (demo)
    verbose: int = 0  # passed to train(): 0 keeps the output to what the demos print
    run_dir: Path = None
    figures: list = field(default_factory=list)
    _writer: object = None

    def __post_init__(self):
        if self.run_dir is None:
            self.run_dir = new_run_dir(logs_dir(self.logdir), self.module, "figures")

    @property
    def models_dir(self) -> Path:
        return Path(self.models).expanduser() if self.models else models_dir()

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def train(self, save=None, **fields) -> dict:
        """train(TrainConfig(**fields)) into this module's experiment folder; returns the summary.
        save: a path to keep the trained model at."""
        from workshop.config import RunOptions, TrainConfig
        from workshop.training.train import train
        return train(TrainConfig(**fields), RunOptions(experiment=self.module, logdir=self.logdir,
                                                       verbose=self.verbose, save=save))

    def figure(self, fig, name: str) -> Path:
        """Save matplotlib `fig` as <run_dir>/<name>.png and as TensorBoard image `name`."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        return self._save_png(buffer.getvalue(), name)

    def image(self, rgb, name: str) -> Path:
        """Save a picture already drawn into pixels (uint8 (1, H, W, 3), as workshop/tensorboard/
        pictures.py makes them) as <run_dir>/<name>.png and as TensorBoard image `name`."""
        from PIL import Image
        buffer = io.BytesIO()
        Image.fromarray(rgb[0]).save(buffer, format="png")
        return self._save_png(buffer.getvalue(), name)

    def _save_png(self, png: bytes, name: str) -> Path:
        path = self.run_dir / f"{name}.png"
        path.write_bytes(png)
        self._image_summary(name, png)
        self.figures.append(path)
        self.say(f"  figure  {shown(path)}")
        return path

    def _image_summary(self, name, png):
        from workshop.tf_env import tf
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.run_dir))
        with self._writer.as_default():
            tf.summary.image(name, tf.image.decode_png(png, channels=4)[None], step=0)
        self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def shown(path) -> str:
    """`path` relative to the working directory when it is below it (shorter to read)."""
    path = Path(path)
    return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
