"""The house's structure rules as a test (issue 18: farm-studio-style checks, read with `ast` only).

1. No import circle among the modules of src/tender (every package): an import anywhere in a module,
   inside a function too, is an edge to the module it names (`from a.b import c` names `a.b.c` when
   that is a module, else `a.b`); imports under `if TYPE_CHECKING:` are not run and do not count.
2. No module over 400 lines without a reason: a docstring line starting `Long because:`.
3. No function over 60 lines (from `def` to its last line) without a reason in its docstring.

Rules 2 and 3 cover the packages in `CHECKED`; the ones in `UNCHECKED` still hold violations that
their owners resolve (extend `CHECKED` as they are fixed). The checker is tried on planted cases
first, so that a checker that finds nothing cannot pass unnoticed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "Long because:"

CHECKED = (
    "backends",
    "catalog",
    "check",
    "contracts",
    "domain",
    "fence",
    "integrations",
    "placement",
    "sourcing",
    "ports.py",
    "clocks.py",
    "__init__.py",
    "cli",
    "config",
    "ledger",
    "plan_output",
    "runtime",
    "service",
    "sim",
)
UNCHECKED: tuple[str, ...] = ()


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import run at some point: module level or in a function, not under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child.test):
            for orelse in child.orelse:
                yield from _import_nodes_of(orelse)
            continue
        yield from _import_nodes_of(child)


def _import_nodes_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _import_nodes(node)


def imported(name: str, is_package: bool, tree: ast.Module, modules: set[str]) -> set[str]:
    """The modules of `modules` that module `name` imports."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            kept = parts[: len(parts) - node.level + 1]
            base = ".".join([*kept, *([node.module] if node.module else [])])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.add(full if full in modules else base)
    return {module for module in found if module in modules and module != name}


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    names = set(files)
    return {
        name: imported(name, path.name == "__init__.py", ast.parse(path.read_text()), names)
        for name, path in files.items()
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            target = next(edges, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _has_reason(node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    doc = ast.get_docstring(node) or ""
    return any(line.strip().startswith(REASON) for line in doc.splitlines())


def long_without_reason(path: Path, label: str) -> list[str]:
    """`label` (the path to report) if the module is too long, and each too-long function."""
    text = path.read_text()
    tree = ast.parse(text)
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES and not _has_reason(tree):
        found.append(f"{label}: module of {lines} lines")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and not _has_reason(node):
                found.append(f"{label}:{node.lineno}: {node.name} of {length} lines")
    return found


def _checked_files() -> list[Path]:
    root = SRC / "tender"
    files: list[Path] = []
    for entry in CHECKED:
        target = root / entry
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


def _write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checkers_find_planted_violations(tmp_path: Path) -> None:
    long_body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "def thing():\n    from pkg import a\n",
            "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n",
            "pkg/d.py": "from . import c\n",
            "pkg/long.py": f"def f():\n{long_body}\n\ndef g():\n    '''Long because: planted.'''\n{long_body}",
            "pkg/big.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
            "pkg/big_ok.py": '"""Big.\n\nLong because: planted."""\n' + "x = 1\n" * MAX_MODULE_LINES,
        },
    )
    graph = import_graph(tmp_path)
    assert graph["pkg.b"] == {"pkg.a"}  # a function-level import counts
    assert graph["pkg.c"] == set() and graph["pkg.d"] == {"pkg.c"}  # TYPE_CHECKING does not
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert long_without_reason(tmp_path / "pkg/long.py", "long") == [
        f"long:1: f of {MAX_FUNCTION_LINES + 1} lines"
    ]
    assert long_without_reason(tmp_path / "pkg/big.py", "big") == [
        f"big: module of {MAX_MODULE_LINES + 1} lines"
    ]
    assert long_without_reason(tmp_path / "pkg/big_ok.py", "ok") == []


def test_every_package_is_listed_checked_or_not() -> None:
    present = {path.name for path in (SRC / "tender").iterdir() if path.name != "__pycache__"}
    assert present - {"py.typed"} == set(CHECKED) | set(UNCHECKED)


def test_no_import_circle_in_src() -> None:
    assert cycles(import_graph(SRC)) == []


def test_no_long_module_or_function_without_a_reason() -> None:
    found = [v for path in _checked_files() for v in long_without_reason(path, str(path.relative_to(SRC)))]
    assert found == []
