"""`workshop lesson` and `workshop run`: every module's text, and every module's demos on --quick."""

from pathlib import Path

import pytest

from workshop.agenda import MODULES
from workshop.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

EXPECTED_FIGURES = {
    "presentation": {"logistic", "node", "mlp", "deep_mlp", "clusters_vs_classes"},
    "introduction": {"perceptron", "backprop_vs_gradienttape", "linear_regression", "edge_filters", "fingerprints",
                     "learned_vs_handmade_filters", "confusion_8_vs_1", "overfitting"},
    "studio": {"sweep"},
    "demo": {"mistakes", "confusion_matrix", "sample_predictions"},
    "next": {"api_hierarchy"},
    "qa": {"doctor"},
}


def image_tags(run_dir) -> set[str]:
    from workshop.tf_env import tf
    tags = set()
    for path in Path(run_dir).glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            tags |= {v.tag for v in event.summary.value if v.metadata.plugin_data.plugin_name == "images"}
    return tags


def figures_dir(logdir, module) -> Path:
    (run_dir,) = (logdir / module).glob("figures-*")
    return run_dir


@pytest.mark.parametrize("module", MODULES)
def test_lesson_prints_header(module, capsys):
    assert main(["lesson", module]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# ")
    for part in ("What you will learn", "How to run it", "Expected results", f"workshop run {module}"):
        assert part in text, part


def test_unknown_lesson_and_module_are_usage_errors(capsys):
    assert main(["lesson", "nope"]) == 2
    assert main(["run", "nope"]) == 2
    err = capsys.readouterr().err
    assert "presentation" in err and "qa" in err and "all" in err


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_run_quick_writes_figures_and_tensorboard_images(module, tmp_path, capsys):
    args = ["run", module, "--quick", "--logdir", str(tmp_path / "logs"), "--models-dir", str(tmp_path / "models")]
    assert main(args) == 0
    out = capsys.readouterr().out
    run_dir = figures_dir(tmp_path / "logs", module)
    pngs = {p.stem: p for p in run_dir.glob("*.png")}
    assert EXPECTED_FIGURES[module] <= set(pngs)
    for path in pngs.values():
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 2000, path
    assert EXPECTED_FIGURES[module] <= image_tags(run_dir)
    assert "done in" in out and "workshop tensorboard --logdir" in out
    if module == "studio":
        assert (run_dir / "sweep.csv").is_file() and (run_dir / "batch-scores.csv").is_file()
        assert list((tmp_path / "models").glob("digits-mlp-v1.keras"))
        assert list((tmp_path / "models").glob("digits-mlp-v1.json"))
    if module == "demo":
        assert (tmp_path / "models" / "digits-cnn.keras").is_file()
        runs = [p.name for p in (tmp_path / "logs/demo").iterdir()]
        assert any(r.startswith("cnn-keras-") for r in runs) and any(r.startswith("cnn-layers-") for r in runs)
    if module == "next":
        assert "replicas in sync: 2" in out
    if module == "qa":
        assert "## Troubleshooting" in out and (run_dir / "doctor.txt").is_file()
