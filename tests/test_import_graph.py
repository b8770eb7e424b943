"""The package is layered: no module imports, directly or through others, a module that
imports it back. Imports inside functions count too: they only postpone a cycle to the first
call, and hide which module depends on which.

The graph is read from the source with `ast`, every `import` statement wherever it stands:
`import workshop.x`, `from workshop.x import y` (an edge to workshop.x.y when that is a module,
else to workshop.x), `from workshop import x`, and relative imports. An edge goes to the module
named, not to the packages above it (importing workshop.data.catalog runs workshop/data/__init__.py
first, but that is no dependency of the importer's). Imports by a computed name
(`importlib.import_module(f"...")`) are not seen."""

import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "workshop"



def module_names(package: Path) -> dict[str, Path]:
    """{dotted name: file} of every module of `package` (a folder with __init__.py)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, modules) -> set[str]:
    """The modules of `modules` that module `name` (file `path`) imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package this module is in (a package: itself)
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    # `import workshop.a.b` where b is no module: the longest prefix that is one
    resolved = set()
    for target in found:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module, each as the
    modules along it, the first repeated at the end; sorted."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(v):  # Tarjan's algorithm; the package is small enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(shortest_cycle(graph, component) for component in components)


def shortest_cycle(graph, component) -> list[str]:
    """The shortest cycle through the first module (by name) of `component`, by breadth-first search."""
    start = min(component)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for w in sorted(graph[path[-1]] & component):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                paths.append(path + [w])
    raise AssertionError(f"no cycle through {start}")  # cannot happen in a strongly connected component


def named(found) -> str:
    return "; ".join(" -> ".join(cycle) for cycle in found)


def test_the_graph_sees_every_form_of_import_and_names_the_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import os\nfrom pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("from .c import VALUE\n")  # a package importing its module: no cycle
    (pkg / "sub" / "b.py").write_text("def later():\n    from . import c\n    return c\n")
    (pkg / "sub" / "c.py").write_text("VALUE = 1\n\ndef later():\n    import pkg.d.nothing\n")
    (pkg / "d.py").write_text("def later():\n    from .sub.b import later\n    from pkg import a\n")
    graph = import_graph(pkg)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.sub.b"}, "pkg.sub": {"pkg.sub.c"}, "pkg.sub.b": {"pkg.sub.c"},
                     "pkg.sub.c": {"pkg.d"}, "pkg.d": {"pkg.sub.b", "pkg.a"}}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.sub.c", "pkg.d", "pkg.a"]]
    (pkg / "d.py").write_text("VALUE = 2\n")
    assert cycles(import_graph(pkg)) == []


def test_the_package_has_no_import_cycle():
    """Imports inside functions counted: each layer imports only the ones below it."""
    found = cycles(import_graph())
    assert not found, f"import cycles: {named(found)}"
