"""The app and the tests' recording shell both offer everything the `Shell` protocol names, read
from the source (the app is not imported: that would open a Kivy window)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.codebase.import_graph import ROOT


def _class(path: Path, name: str) -> ast.ClassDef:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name)


def _members(cls: ast.ClassDef) -> set[str]:
    """Methods, properties and attributes a class defines (class level, or `self.x = ...`)."""
    names: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "self":
                    names.add(target.attr)
    return names


def test_the_app_and_the_recording_shell_offer_all_the_shell_names() -> None:
    wanted = _members(_class(ROOT / "kiosk/screens/shell.py", "Shell"))
    assert {"show", "in_worker", "later", "now", "play", "runtime"} <= wanted
    for path, name in (("kiosk/app.py", "KioskApp"), ("tests/kiosk/flow_shell.py", "RecordingShell")):
        missing = wanted - _members(_class(ROOT / path, name))
        assert not missing, f"{name} ({path}) lacks what the flows use: {sorted(missing)}"
