"""The import graph of the project's packages, read from the source (nothing is imported).

Every `import` and `from ... import` counts, at module level and inside functions or
`if TYPE_CHECKING:` blocks alike: a cycle that only a function-level import hides is still a
cycle in the design. An import names the deepest module of the tree it reaches
(`from kiosk.config import table` is kiosk/config/table.py, `from kiosk.config import
load_config` is kiosk/config/__init__.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sip2", "kiosk")


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it stands."""

    source: str  # the importing module, e.g. "kiosk.core.runtime"
    target: str  # the imported module of this tree, e.g. "kiosk.storage.queue"
    file: str  # relative path of the importing file
    line: int
    deferred: bool  # inside a function, or under `if TYPE_CHECKING:`

    def __str__(self) -> str:
        where = " (inside a function or TYPE_CHECKING)" if self.deferred else ""
        return f"{self.file}:{self.line}: {self.source} -> {self.target}{where}"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file, for every Python file of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(root: Path = ROOT) -> tuple[list[Import], list[Import]]:
    """Every import of a module of the tree, and every import of a name under `sip2` or `kiosk`
    that no file of the tree provides (a module moved or deleted)."""
    known = modules(root)
    found: list[Import] = []
    missing: list[Import] = []
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        for node, deferred in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for wanted in _wanted(node, name, is_package):
                target = _resolve(wanted, known)
                record = Import(name, target or wanted[0], str(path.relative_to(root)), node.lineno, deferred)
                if target is not None:
                    found.append(record)
                elif wanted[0].split(".")[0] in PACKAGES:
                    missing.append(record)
    return found, missing


def named_modules(module: str, root: Path = ROOT) -> set[str]:
    """Every module name one module of the tree imports, the tree's and others' (kivy, babel...)."""
    path = modules(root)[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {wanted for node, _ in _import_nodes(tree)
            for wanted, _ in _wanted(node, module, path.name == "__init__.py")}


def reached(start: tuple[str, ...], edges: list[Import]) -> set[str]:
    """The modules of the tree that `start` imports, directly or through others (start included),
    with the packages around each: Python runs a package's `__init__` before its modules."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    seen: set[str] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph.get(module, ()))
            todo.extend(module.rsplit(".", depth)[0] for depth in range(1, module.count(".") + 1))
    return seen


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one that imports itself."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is a few hundred modules deep at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in sorted(graph[node]):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _import_nodes(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def walk(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, deferred))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                walk(child, True)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                walk(child, True)
            else:
                walk(child, deferred)

    walk(tree, False)
    return found


def _wanted(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[tuple[str, str | None]]:
    """(module, name taken from it or None) for each name an import statement asks for."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[:len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [(base, None if alias.name == "*" else alias.name) for alias in node.names]


def _resolve(wanted: tuple[str, str | None], known: dict[str, Path]) -> str | None:
    """The module of the tree an import reaches: `from a import b` is the module a.b when there
    is one, else a; None when the module is not in the tree."""
    module, name = wanted
    if name is not None and f"{module}.{name}" in known:
        return f"{module}.{name}"
    return module if module in known else None
