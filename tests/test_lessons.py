"""`workshop lesson` and `workshop run`: every lesson's text, and the runner on one lesson
(every lesson is executed as a notebook in tests/test_notebooks.py)."""

import pytest

from workshop.cli import main
from workshop.lessons.literate import LESSONS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_prints_header_and_code(name, capsys):
    assert main(["lesson", name]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# ")
    for part in ("What you will learn", "How to run it", "Expected results", f"workshop run {name}"):
        assert part in text, part
    assert "```python\nQUICK = " in text  # the code cells, as code blocks, the quick switch first
    assert "# %%" not in text  # the cell markers are the source's, not the reader's


def test_unknown_lesson_and_module_are_usage_errors(capsys):
    assert main(["lesson", "nope"]) == 2
    assert main(["run", "nope"]) == 2
    err = capsys.readouterr().err
    assert "presentation" in err and "qa" in err and "all" in err and "levels-mlp" in err


@pytest.mark.slow
def test_run_executes_the_source_with_its_options(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("WORKSHOP_QUICK", raising=False)
    args = ["run", "next", "--quick", "--logdir", str(tmp_path / "logs"), "--models-dir", str(tmp_path / "models")]
    assert main(args) == 0
    out = capsys.readouterr().out
    (run_dir,) = (tmp_path / "logs" / "next").glob("figures-*")
    png = (run_dir / "api_hierarchy.png").read_bytes()
    assert png[:8] == PNG_MAGIC and len(png) > 2000
    assert "done in" in out and "workshop tensorboard --logdir" in out
    difference = float(out.split("largest weight difference, 2 workers vs 1 process: ")[1].split()[0])
    assert difference <= 1e-5, difference  # 2 workers end with the weights of one process
    import os
    assert "WORKSHOP_QUICK" not in os.environ  # the runner puts the environment back
