"""Fixtures for the installer and fleet tests: a scratch root and the installer's stand-in tools."""

from __future__ import annotations

import pytest

from tests.deploy.install_support import install_tools, scratch_root


@pytest.fixture
def root(tmp_path):
    """A DESTDIR with the host's account files and a Raspberry Pi boot partition."""
    return scratch_root(tmp_path)


@pytest.fixture
def tools(tmp_path):
    """A recording systemctl and a python that makes a stand-in venv running this checkout."""
    return install_tools(tmp_path)
