"""The lesson builder's `# %inline` cells: the package's own code, read from its files, in the notebook,
the printed lesson and the run alike; and a lesson's training that really uses the code its cells define."""

import ast
import json
from pathlib import Path

import pytest

from workshop.errors import WorkshopError
from workshop.lessons import inline, literate
from workshop.lessons.lesson import Lesson

ROOT = Path(__file__).resolve().parent.parent
API = {"tf.GradientTape": ("tf.GradientTape",), "keras.Sequential/keras.Model": ("keras.Sequential", "keras.Model"),
       "compile/fit": (".compile(", ".fit("), "tf.summary": ("tf.summary.",),
       "keras.callbacks.TensorBoard": ("keras.callbacks.TensorBoard",)}


def api_cells(name) -> dict:
    """{API: how many of the notebook's code cells use it}, read from the committed notebook."""
    cells = ["".join(c["source"]) for c in json.loads(literate.notebook_path(name, ROOT / "notebooks").read_text())["cells"]
             if c["cell_type"] == "code"]
    return {api: sum(any(word in cell for word in words) for cell in cells) for api, words in API.items()}


def test_a_whole_file_is_its_code_without_the_module_docstring():
    text = inline.code("workshop/algorithms/mlp_raw.py")
    source = (ROOT / "workshop/algorithms/mlp_raw.py").read_text()
    assert text.startswith("from workshop.tf_env import tf") and source.rstrip().endswith(text)
    assert '"""MLP, raw level' not in text and "class MLP(tf.Module):" in text
    ast.parse(text)  # it runs as it stands


def test_named_definitions_come_with_the_file_imports_in_file_order():
    text = inline.code("workshop/training/perceptron_run.py", ["train_perceptron", "error_rate"])
    tree = ast.parse(text)
    assert [type(n).__name__ for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))] == \
        ["FunctionDef", "FunctionDef"]
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["error_rate", "train_perceptron"]
    assert "import numpy as np\n\nfrom workshop import hints, saving" in text  # its blank lines between import groups
    assert inline.code("workshop/training/perceptron_run.py", ["error_rate"], imports=False).startswith("def ")


def test_a_name_the_file_does_not_define_stops_the_build_in_one_line():
    with pytest.raises(WorkshopError, match=r"%inline workshop/algorithms/mlp_raw.py: fit not defined there; "
                                            r"it defines MLP, create"):
        inline.code("workshop/algorithms/mlp_raw.py", ["fit"])
    with pytest.raises(WorkshopError, match="no such file"):
        inline.code("workshop/algorithms/nothing.py")


def test_a_directive_becomes_the_code_with_a_header_saying_where_it_comes_from():
    text = inline.expand("# %%\n# %inline workshop/algorithms/mlp_keras.py build\n\n# %%\nx = 1\n")
    assert text.startswith("# %%\n# build from workshop/algorithms/mlp_keras.py, as the package has it: change it "
                           "here and run the cells below\nfrom workshop.tf_env import keras\n\n\ndef build(")
    assert text.endswith("\n\n# %%\nx = 1\n") and "%inline" not in text


@pytest.mark.parametrize("name", literate.LESSONS)
def test_notebook_and_printed_lesson_show_the_package_code_and_no_directive(name):
    nb = literate.read(name)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not any("%inline" in c for c in code)
    assert "inspect.getsource" not in "\n".join(code)
    if name in literate.LEVEL_LESSONS:
        algorithm = name.split("-")[1]
        shown = [c for c in code if "as the package has it" in c.splitlines()[0]]
        assert any(f"workshop/algorithms/{algorithm}_raw.py" in c.splitlines()[0] for c in shown)
        assert any("workshop/training/" in c.splitlines()[0] for c in shown)  # the loop, at every level
        assert inline.code(f"workshop/algorithms/{algorithm}_raw.py") in literate.text(name)


def test_no_inspect_getsource_in_the_package():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "workshop").rglob("*.py")
                 if "inspect.getsource" in p.read_text() and p.name != "inline.py"]
    assert offenders == []


@pytest.mark.parametrize("name", literate.LEVEL_LESSONS)
def test_levels_notebooks_show_tensorflow_and_keras_in_their_cells(name):
    counts = api_cells(name)
    if name == "levels-perceptron":  # no gradient, no Keras level: its raw level is a tf.Variable in a tf.function
        code = literate.text(name)
        assert "tf.Variable(" in code and "@tf.function" in code and "assign_add" in code
        return
    assert counts["tf.GradientTape"] >= 1  # the raw level's loop, at least
    assert counts["keras.Sequential/keras.Model"] >= 2 and counts["compile/fit"] >= 1


def test_lesson_train_uses_the_create_and_fit_a_cell_defines(tmp_path):
    from workshop.algorithms import linear_numpy
    from workshop.training import numpy_loop
    calls = []

    def create(config, input_shape, classes, weights):
        calls.append("create")
        return linear_numpy.create(config, input_shape, classes, weights)

    def fit(model, data, config, *args, **kwargs):
        calls.append("fit")
        return numpy_loop.fit(model, data, config, *args, **kwargs)

    lesson = Lesson("levels-linear")
    summary = lesson.train(model="linear", api="numpy", epochs=2, group="levels", create=create, fit=fit)
    assert calls == ["create", "fit"] and summary["epochs"] == 2
    assert Path(summary["run_dir"]).parent == lesson.logdir / "levels"  # the section's own group of runs
    from workshop.training import levels
    assert levels.LEVELS["numpy"].fit is numpy_loop.fit and levels.model_file("linear", "numpy") is linear_numpy


def test_lesson_train_says_so_when_the_training_never_called_the_cell_code(monkeypatch):
    from workshop.training import levels
    original = levels.LEVELS["numpy"]

    class Fixed(dict):  # a train() that ignored the table the lesson fills in would look like this
        def __setitem__(self, key, value):
            pass
    monkeypatch.setattr(levels, "LEVELS", Fixed(levels.LEVELS))
    with pytest.raises(RuntimeError, match="never called the cell's fit"):
        Lesson("levels-linear").train(model="linear", api="numpy", epochs=1, fit=lambda *a, **k: original.fit(*a, **k))
