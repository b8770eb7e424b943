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


def test_the_levels_lessons_are_the_agendas_afternoon_and_run_all_runs_them(capsys, monkeypatch):
    from workshop.agenda import AFTERNOON, MODULES, ORDER, afternoon, format_agenda
    from workshop.commands import run
    from workshop.lessons.literate import LEVEL_LESSONS
    assert [item.module for item in AFTERNOON] == list(LEVEL_LESSONS) and ORDER == MODULES + LEVEL_LESSONS
    assert [when for when, _ in afternoon("09:00")] == ["12:10", "12:20", "12:35", "12:50", "13:15"]
    text = format_agenda("09:00")
    assert "11:10  end of the modules; lunch (60 min)" in text and "13:35  end" in text
    assert all(f"run {name}" in text for name in ORDER)
    ran = []
    monkeypatch.setattr(run, "execute", lambda name: ran.append(name) or {"lesson": _Done()})
    assert main(["run", "all", "--quick"]) == 0
    assert ran == list(ORDER)  # the morning's modules, then the afternoon's levels lessons
    out = capsys.readouterr().out
    assert all(f"== {name} (quick)" in out for name in ORDER)


class _Done:
    """What `workshop run` reads of a lesson that ran."""
    figures, logdir, run_dir = [], "logs/x", "logs/x/figures-1"

    def close(self):
        pass


@pytest.mark.slow
def test_run_executes_a_lessons_inlined_code_with_autograph(tmp_path, capsys):
    """`workshop run levels-perceptron` runs the notebook's code (the perceptron's files inlined): its
    raw epoch, a tf.function with a Python for-loop over tf.range, converts only if AutoGraph finds the
    inlined source; without it the loop would not run in the graph and the levels would part."""
    import logging
    from workshop.tf_env import tf
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    tf.get_logger().addHandler(handler)
    try:
        assert main(["run", "levels-perceptron", "--quick", "--logdir", str(tmp_path / "logs")]) == 0
    finally:
        tf.get_logger().removeHandler(handler)
    out = capsys.readouterr().out
    assert "raw    vs numpy: largest weight difference 0.0e+00" in out
    assert not [m for m in seen if "AutoGraph could not transform" in m], seen
