"""`Lesson`: what a lesson's notebook (or `workshop run`) holds on to while it runs.

Every lesson source starts with

    QUICK = False  # True: seconds per section (what CI runs); False: the full sizes
    lesson = Lesson("introduction", quick=QUICK)

and then trains and draws through it:
    lesson.train(model="mlp", api="keras", group="sgd", ...)
                                                  a training run into logs/<lesson>/<group>/, like
                                                  `workshop train`; create= and fit= train it with the
                                                  model file and loop a cell defines (the levels lessons)
    lesson.figure(fig, "name")                    a matplotlib figure as logs/<lesson>/figures-<time>/name.png
                                                  (at DPI), as TensorBoard image `figures/name`, and inline
                                                  in a notebook
    lesson.logdir                                 logs/<lesson>/; a section's `%tensorboard --logdir` shows
                                                  its own group, {lesson.logdir}/<group>: one question a chart

`workshop run NAME [--quick] [--logdir DIR] [--models-dir DIR] [--images ...]` runs the same
source as a script and passes its options in the environment, where they win over the
notebook's own switch: WORKSHOP_QUICK (1 or 0), WORKSHOP_LOGDIR, WORKSHOP_MODELS_DIR and
WORKSHOP_IMAGES (paths joined by os.pathsep).
"""

import contextlib
import io
import os
from pathlib import Path

import matplotlib

from workshop.hints import shown
from workshop.paths import logs_dir, models_dir
from workshop.training.rundir import new_run_dir


def in_notebook() -> bool:
    """True inside a Jupyter kernel (figures are also shown inline there)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


if not in_notebook():
    matplotlib.use("Agg")  # no display needed: figures become files (a notebook shows them inline)
import matplotlib.pyplot as plt  # noqa: E402


class Lesson:
    """name: the lesson (an agenda module, or a `levels-<algorithm>` notebook). quick: the
    notebook's switch; WORKSHOP_QUICK, when set (by `workshop run` or CI), wins over it."""

    DPI = 150  # every figure file: sharp on a projector

    def __init__(self, name: str, quick: bool = False):
        self.name = name
        self.quick = os.environ["WORKSHOP_QUICK"] == "1" if os.environ.get("WORKSHOP_QUICK") else bool(quick)
        self.logdir = logs_dir() / name
        self.models_dir = models_dir()
        self.images = tuple(p for p in os.environ.get("WORKSHOP_IMAGES", "").split(os.pathsep) if p)
        self.run_dir = new_run_dir(logs_dir(), name, "figures")
        self.figures: list[Path] = []
        self._writer = None

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def train(self, save=None, progress=False, run_name=None, group=None, create=None, fit=None, **fields) -> dict:
        """train(TrainConfig(**fields)) into this lesson's folder of runs; returns the summary
        (workshop/training/train.py). save: a path to keep the trained model at. progress: print
        a line per epoch (for runs long enough to wait for), else train quietly. run_name: the run
        folder's name before its time stamp (default <model>-<api>-<dataset>). group: the runs of
        one question, logs/<lesson>/<group>/, which that section's TensorBoard opens alone.

        create, fit: the model file's `create(config, input_shape, classes, weights)` and the level's
        loop (`fit`; for the perceptron `train_perceptron`) as a notebook cell defines them, inlined
        from the package (literate.py) and perhaps changed: the run uses them in place of the
        package's own, and everything around them (data, start weights, TensorBoard, saving) stays
        the package's. RuntimeError if the training did not call one it was given."""
        from workshop.config import RunOptions, TrainConfig
        from workshop.training.train import train
        options = RunOptions(experiment=f"{self.name}/{group}" if group else self.name, verbose=int(progress),
                             save=save, run_name=run_name)
        config = TrainConfig(**fields)
        if create is None and fit is None:
            return train(config, options)
        with _own_code(config.resolved(), create, fit) as used:
            summary = train(config, options)
        unused = [name for name, given in (("create", create), ("fit", fit)) if given and name not in used]
        if unused:
            raise RuntimeError(f"the training never called the cell's {' and '.join(unused)}: "
                               "workshop/lessons/lesson.py no longer matches workshop/training/train.py")
        return summary

    def figure(self, fig, name: str) -> Path:
        """Save matplotlib `fig` as <run_dir>/<name>.png (at DPI) and as TensorBoard image `figures/name`."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=self.DPI, bbox_inches="tight")
        plt.close(fig)
        return self._save_png(buffer.getvalue(), name)

    def image(self, rgb, name: str) -> Path:
        """Save a picture already drawn into pixels at DPI (uint8 (1, H, W, 3), as workshop/tensorboard/
        pictures.py makes them, given dpi=lesson.DPI) as <run_dir>/<name>.png and as TensorBoard image
        `figures/name`."""
        from PIL import Image
        buffer = io.BytesIO()
        Image.fromarray(rgb[0]).save(buffer, format="png", dpi=(self.DPI, self.DPI))
        return self._save_png(buffer.getvalue(), name)

    def _save_png(self, png: bytes, name: str) -> Path:
        path = self.run_dir / f"{name}.png"
        path.write_bytes(png)
        self._image_summary(name, png)
        self.figures.append(path)
        if in_notebook():
            from IPython.display import Image, display
            display(Image(png))
        else:
            self.say(f"  figure  {shown(path)}")
        return path

    def _image_summary(self, name, png):
        from workshop.tf_env import tf
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.run_dir))
        with self._writer.as_default():  # under figures/: after the loss and accuracy charts in TensorBoard
            tf.summary.image(f"figures/{name}", tf.image.decode_png(png, channels=4)[None], step=0)
        self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


@contextlib.contextmanager
def _own_code(config, create, fit):
    """Within: `train()` builds config.model at level config.api with `create` and trains it with `fit`
    (where given), through the tables it looks them up in (workshop/training/levels.py; the perceptron's
    loop is perceptron_run.train_perceptron). Yields the set of the names that were called."""
    from dataclasses import fields
    from types import SimpleNamespace

    from workshop.training import levels, perceptron_run
    used = set()

    def counted(name, fn):
        def called(*args, **kwargs):
            used.add(name)
            return fn(*args, **kwargs)
        return called

    key = (config.model, config.api)
    before = levels.model_file, levels.LEVELS[config.api], perceptron_run.train_perceptron
    model_file = before[0]
    try:
        if create is not None:
            own = SimpleNamespace(create=counted("create", create))
            levels.model_file = lambda algorithm, level: own if (algorithm, level) == key else model_file(algorithm,
                                                                                                           level)
        if fit is not None and config.task == "perceptron":
            perceptron_run.train_perceptron = counted("fit", fit)
        elif fit is not None:
            level = levels.LEVELS[config.api]
            levels.LEVELS[config.api] = SimpleNamespace(**{f.name: getattr(level, f.name) for f in fields(level)},
                                                        fit=counted("fit", fit))
        yield used
    finally:
        levels.model_file, levels.LEVELS[config.api], perceptron_run.train_perceptron = before
