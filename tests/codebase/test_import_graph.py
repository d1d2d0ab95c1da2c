"""The layers hold: no import cycle in sip2/ or kiosk/, the protocol library knows nothing of the
kiosk, the drivers nothing of the circulation core, the app's flows nothing of Kivy, and every
import names a module that exists."""

from __future__ import annotations

from pathlib import Path

from tests.codebase.import_graph import Import, cycles, imports, named_modules, reached

# The app's flows and the pure display helpers beside the screens: unit-tested without a window.
NO_KIVY = ("kiosk.screens.patron_flow", "kiosk.screens.technician_flow", "kiosk.screens.shell",
           "kiosk.screens.session_summary", "kiosk.screens.present")


def test_the_walker_sees_a_cycle_and_a_missing_module(tmp_path: Path) -> None:
    for name, text in {"sip2/__init__.py": "", "kiosk/__init__.py": "",
                       "kiosk/a.py": "from kiosk import b\n",
                       "kiosk/b.py": "def late():\n    from kiosk.a import thing\n    from kiosk.gone import x\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found, missing = imports(tmp_path)
    assert cycles(found) == [["kiosk.a", "kiosk.b"]]
    assert [(m.source, m.target, m.deferred) for m in missing] == [("kiosk.b", "kiosk.gone", True)]


def test_no_import_cycle() -> None:
    found, _ = imports()
    report = []
    for component in cycles(found):
        members = set(component)
        report.append("cycle: " + ", ".join(component))
        report += [f"  {edge}" for edge in found if edge.source in members and edge.target in members]
    assert not report, "modules that import each other:\n" + "\n".join(report)


def test_every_import_of_the_project_names_a_module_that_exists() -> None:
    _, missing = imports()
    assert not missing, "imports of modules that do not exist:\n" + "\n".join(map(str, missing))


def _crossing(source: str, target: str) -> list[Import]:
    found, _ = imports()
    return [e for e in found if _within(e.source, source) and _within(e.target, target)]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_sip2_imports_nothing_of_the_kiosk() -> None:
    crossing = _crossing("sip2", "kiosk")
    assert not crossing, "sip2/ is a protocol library of its own:\n" + "\n".join(map(str, crossing))


def test_the_drivers_import_nothing_of_the_circulation_core() -> None:
    crossing = _crossing("kiosk.devices", "kiosk.core")
    assert not crossing, "kiosk/devices/ knows no library rules:\n" + "\n".join(map(str, crossing))


def test_the_flow_controllers_and_what_they_import_need_no_kivy() -> None:
    found, _ = imports()
    offenders = [f"{module} imports {name}" for module in sorted(reached(NO_KIVY, found))
                 for name in sorted(named_modules(module)) if name == "kivy" or name.startswith("kivy.")]
    assert not offenders, "the flows talk to the app through kiosk.screens.shell only:\n" + "\n".join(offenders)


def test_the_kivy_rule_sees_an_import_of_kivy() -> None:
    found, _ = imports()
    assert "kivy.app" in named_modules("kiosk.app")
    assert "kiosk.screens.shell" in reached(("kiosk.screens.patron_flow",), found)
