"""The package's own code, read out of its files for a lesson cell or an exercise's solution.

A lesson cell that holds only a directive line

    # %inline workshop/algorithms/mlp_raw.py                        the whole file, less its docstring
    # %inline workshop/training/perceptron_run.py error_rate train_perceptron
                                                                    its imports and those definitions

becomes, in the notebook, in `workshop lesson` and in `workshop run` alike, the code of that file as
it is today (literate.py calls `expand`). The cell is then the package's code, which a learner can
edit and re-run, and it cannot drift from the file: a notebook built before the file changed is out
of date, and tests/test_notebooks.py says so. A name the file no longer defines stops the build with
one line naming the file and the names it does define.

Files are read with `ast`, never by importing them (and never with `inspect`): the text is the
file's, comments included; only the module docstring is left out (the lesson's prose says it).
"""

import ast
import re
from pathlib import Path

from workshop.errors import WorkshopError

PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # where `workshop/...` paths start, installed or not

DIRECTIVE = re.compile(r"^# %inline[ \t]+(?P<path>\S+)(?P<names>(?:[ \t]+[A-Za-z_]\w*)*)[ \t]*$", re.M)


def _read(path) -> tuple[Path, list[str], ast.Module]:
    file = Path(path) if Path(path).is_absolute() else PACKAGE_PARENT / path
    if not file.is_file():
        raise WorkshopError(f"%inline {path}: no such file under {PACKAGE_PARENT}")
    text = file.read_text(encoding="utf-8")
    return file, text.splitlines(), ast.parse(text, filename=str(file))


def _first_line(node, lines) -> int:
    """The 0-based first line of a top-level statement, its decorators and the comment lines just above it."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def _block(node, lines) -> str:
    return "\n".join(lines[_first_line(node, lines):node.end_lineno])


def code(path, names=(), imports=True) -> str:
    """The code of the file at `path` (absolute, or relative to the folder holding the package).

    names: empty for the whole file without its module docstring; else only the top-level
    definitions (def, class, assignment) of those names, in the file's order, after the file's
    imports (imports=False leaves them out). WorkshopError when a name is not defined there."""
    file, lines, tree = _read(path)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the module docstring
    if not names:
        start = _first_line(body[0], lines) if body else len(lines)
        return "\n".join(lines[start:]).strip("\n")
    defined = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    defined[target.id] = node
    missing = [name for name in names if name not in defined]
    if missing:
        raise WorkshopError(f"%inline {path}: {', '.join(missing)} not defined there; it defines "
                            f"{', '.join(defined) or 'nothing at the top level'}")
    chosen = [node for node in body if any(defined[name] is node for name in names)]
    parts = []
    if imports:  # the file's import lines, its blank lines between groups kept
        found = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
        parts.append("".join(("\n\n" if i and node.lineno > found[i - 1].end_lineno + 1 else "\n" if i else "")
                             + _block(node, lines) for i, node in enumerate(found)))
    parts += [_block(node, lines) for node in chosen]
    return "\n\n\n".join(part for part in parts if part)


def header(path, names=()) -> str:
    """The comment a cell of inlined code starts with: where it comes from, and that it may be changed."""
    what = f"{', '.join(names)} from " if names else ""
    return f"# {what}{path}, as the package has it: change it here and run the cells below"


def expand(text: str) -> str:
    """A lesson's source with every `# %inline PATH [NAME ...]` line replaced by that code."""
    def replace(match):
        path, names = match["path"], match["names"].split()
        return f"{header(path, names)}\n{code(path, names)}"
    return DIRECTIVE.sub(replace, text)


def function_source(fn) -> str:
    """The text of a function defined at the top level of a package file (an exercise's solution),
    read from its file by name: the definition as written there."""
    return code(fn.__code__.co_filename, [fn.__name__], imports=False)
