"""ruff (lint and import order, the whole tree) and mypy (sip2/, kiosk/core/, kiosk/storage/) are
clean, as configured in pyproject.toml. A failure prints the tool's own messages."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (./run-tests.sh installs it with the [test] extra)")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing() -> None:
    result = run_tool("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check (fix what it says; `ruff check --fix` sorts imports):\n" \
                                   f"{result.stdout}{result.stderr}"


def test_mypy_finds_nothing(tmp_path: Path) -> None:
    result = run_tool("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, f"mypy on the files pyproject.toml names:\n{result.stdout}{result.stderr}"
