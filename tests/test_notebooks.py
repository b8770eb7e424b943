"""The lessons as notebooks: each generated from its one source, each run top to bottom by a real
Jupyter kernel at quick size, each producing what its module promises."""

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from conftest import png_dpi

from workshop.lessons import literate
from workshop.tensorboard.run_table import load_events

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

EXPECTED_FIGURES = {
    "presentation": {"logistic", "node", "mlp", "deep_mlp", "clusters_vs_classes"},
    "introduction": {"perceptron", "backprop_vs_gradienttape", "backprop_hidden_layer", "linear_regression",
                     "edge_filters", "fingerprints", "learned_vs_handmade_filters", "confusion_8_vs_1", "overfitting"},
    "studio": {"sweep"},
    "demo": {"training_digits", "mistakes", "confusion_matrix", "sample_predictions"},
    "next": {"api_hierarchy"},
    "qa": {"doctor"},
}


@pytest.mark.parametrize("name", literate.LESSONS)
def test_notebook_is_generated_from_its_source_without_outputs(name):
    path = literate.notebook_path(name, ROOT / "notebooks")
    assert path.is_file(), f"{path} is missing: run `make notebooks`"
    assert path.read_text(encoding="utf-8") == literate.notebook_text(name), \
        f"{path.name} is out of date with workshop/lessons/{literate.source(name).name}: run `make notebooks`"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert not any(c.get("outputs") for c in cells if c["cell_type"] == "code")
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "QUICK = " in code and f'Lesson("{name}", quick=QUICK)' in code  # the one switch, shown
    if name in literate.MODULES:
        assert "%tensorboard --logdir {lesson.logdir}" in code  # this lesson's runs only, never all of logs/
        assert code.count("exercises.check(\"") >= 2, "every module has at least two exercises"


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [str(v) for v in out.get("data", {}).values()]
    return "\n".join(parts)


def _stop_tensorboards(logdir: Path):
    """The TensorBoards the notebooks' %tensorboard cells started on `logdir` (they outlive the kernel)."""
    from tensorboard import manager
    for info in manager.get_all():
        if str(logdir) in info.logdir:
            try:
                os.kill(info.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def image_tags(run_dir) -> set[str]:
    acc = load_events(Path(run_dir))
    return {tag for tag in acc.Tags()["tensors"] if acc.SummaryMetadata(tag).plugin_data.plugin_name == "images"}


@pytest.mark.slow
@pytest.mark.parametrize("name", literate.LESSONS)
def test_notebook_runs_top_to_bottom_at_quick_size(name, tmp_path):
    import nbclient
    import nbformat
    logdir, models = tmp_path / "logs", tmp_path / "models"
    env = {**os.environ, "WORKSHOP_QUICK": "1", "WORKSHOP_LOGDIR": str(logdir), "WORKSHOP_MODELS_DIR": str(models),
           # %tensorboard runs the `tensorboard` program: it must be found on the kernel's PATH
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    nb = nbformat.reads(literate.notebook_text(name), as_version=4)
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    finally:
        _stop_tensorboards(logdir)
    text = _outputs_text(nb)
    # %tensorboard prints an error instead of raising when it cannot start TensorBoard: fail on it
    tensorboard_cells = [c for c in nb.cells if c.cell_type == "code" and "%tensorboard" in c.source]
    assert tensorboard_cells, "the lesson shows TensorBoard inline"
    shown = _outputs_text(nbformat.v4.new_notebook(cells=tensorboard_cells))
    assert "ERROR" not in shown and "failed" not in shown.lower() and "tensorboard" in shown.lower(), shown[-500:]

    (run_dir,) = (logdir / name).glob("figures-*")
    pngs = {p.stem: p for p in run_dir.glob("*.png")}
    assert EXPECTED_FIGURES.get(name, set()) <= set(pngs)
    for path in pngs.values():
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 2000, path
        assert png_dpi(data) >= 150, path  # sharp on a projector
    if pngs:  # each figure is a TensorBoard image too, after the charts (figures/...)
        assert {f"figures/{n}" for n in pngs} <= image_tags(run_dir)
    runs = [p for p in (logdir / name).iterdir() if not p.name.startswith("figures-")]
    if name == "studio":
        assert (run_dir / "sweep.csv").is_file() and (run_dir / "batch-scores.csv").is_file()
        assert (models / "digits-mlp-v1.keras").is_file() and (models / "digits-mlp-v1.json").is_file()
        # the sweep, as the HParams dashboard reads it: the experiment declared once, each run's hyperparameters
        sweep = logdir / "studio" / "sweep"
        assert "_hparams_/experiment" in load_events(sweep).Tags()["tensors"]
        sessions = [load_events(run).Tags()["tensors"] for run in sweep.iterdir() if run.is_dir()]
        assert len(sessions) == 4 and all("_hparams_/session_start_info" in tags for tags in sessions)
    if name == "demo":
        assert (models / "digit-recognizer.keras").is_file()
        assert any(r.name.startswith("cnn-keras-") for r in runs) and any(r.name.startswith("cnn-layers-") for r in runs)
        assert text.count("val_accuracy: ") == 2 and "Epoch 1/1 - " in text, text[-3000:]  # fit's line, the loop's
        for run in runs:  # fit's TensorBoard callback and the loop's tf.summary calls: the same folders and tags
            assert {p.name for p in run.iterdir()} >= {"train", "validation"}, run
    if name == "next":
        assert "largest weight difference, 2 workers vs 1 process" in text
    if name == "qa":
        assert (run_dir / "doctor.txt").is_file()
    if name.startswith("levels-"):  # every level's run in the group its TensorBoard cell opens
        algorithm = name.split("-", 1)[1]
        assert "%tensorboard --logdir {lesson.logdir}/levels" in "\n".join(c.source for c in tensorboard_cells)
        assert {r.name.split("-")[1] for r in (logdir / name / "levels").iterdir() if r.name.startswith(algorithm)} == (
            {"numpy", "raw"} if algorithm == "perceptron" else {"raw", "layers", "keras"} if algorithm == "cnn"
            else {"numpy", "raw", "layers", "keras"})
        assert "largest weight difference" in text  # the equality check, run live
    # nothing reads as a failure when nothing failed: an exercise not written yet is one neutral line, a
    # check echoes no True or False, a run stopped on purpose is the lesson's text
    assert "✗" not in text and "workshop: error" not in text and "Traceback" not in text, text[-2000:]
    assert "AutoGraph could not transform" not in text  # the inlined code's source is found, as a cell's
    echoed = [out.get("data", {}).get("text/plain") for c in nb.cells for out in c.get("outputs", [])
              if out.get("output_type") == "execute_result"]
    assert "True" not in echoed and "False" not in echoed
    exercises = [c.source.rsplit('exercises.check("', 1)[1].split('"')[0] for c in nb.cells
                 if c.cell_type == "code" and 'exercises.check("' in c.source]
    for exercise in exercises:
        assert f"{exercise}: your turn — not written yet" in text
