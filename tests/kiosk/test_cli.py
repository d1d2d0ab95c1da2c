"""`kiosk --help` lists every command group, one line each, in the order of kiosk.cli.COMMANDS."""

from __future__ import annotations

import pytest

from kiosk.cli import main

COMMANDS = ["run", "demo", "queue", "config", "devices", "tag", "doctor", "hash-pin"]


def test_help_lists_each_command_group_on_one_line(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a terminal's usual width, whatever runs the tests
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    listed = lines[lines.index("  COMMAND") + 1:]
    # A help text too long for one line would continue on the next, which names no command.
    assert [line.split()[0] for line in listed] == COMMANDS
    assert all(len(line.split()) >= 3 for line in listed), "every command says what it does"
