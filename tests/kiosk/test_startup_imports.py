"""What the kiosk loads before its first frame: `kiosk run` imports its own command only, reading
the configuration loads no SIP2 message class, the app and its idle screen load no flow and no
outcome or device-event class, the collector is paused then set aside, and
monitoring leaves prometheus_client out unless metrics are asked for."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import startup_gc

ROOT = Path(__file__).resolve().parents[2]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    shown = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    return set(shown.stdout.split())


def test_kiosk_run_imports_no_other_command(tmp_path):
    loaded = modules_after("from kiosk.cli import build_parser\nbuild_parser('run').parse_args(['run'])")
    assert "kiosk.commands.run" in loaded
    others = {"kiosk.commands.doctor", "kiosk.commands.queue", "kiosk.commands.tag", "kiosk.commands.demo"}
    assert not loaded & others
    assert "sqlalchemy" not in loaded


def test_every_command_is_there_for_help_and_unknown_words():
    loaded = modules_after("from kiosk.cli import build_parser\nbuild_parser()")
    assert {"kiosk.commands.doctor", "kiosk.commands.queue", "kiosk.commands.run"} <= loaded


def test_reading_a_configuration_loads_no_sip2_message_class(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[sip2]\nhost = "127.0.0.1"\ndialect = "koha"\nencoding = "cp850"\n', encoding="utf-8")
    loaded = modules_after(f"from kiosk.config import load_config\nload_config({str(config)!r})")
    assert "sip2.dialects" in loaded and "sip2.charsets" in loaded
    assert not {"sip2.messages", "sip2.codec", "sqlalchemy"} & loaded


def test_the_app_and_its_idle_screen_load_no_flow_and_no_outcome_class():
    loaded = modules_after("import os\nos.environ['KIVY_NO_ARGS'] = '1'\n"
                           "import kiosk.app\nfrom kiosk.screens.manager import build_screen_manager")
    assert "kiosk.app" in loaded
    assert not {"kiosk.screens.patron_flow", "kiosk.screens.technician_flow", "kiosk.core.outcomes",
                "kiosk.devices.events"} & loaded


def test_sip2_names_load_when_first_used():
    loaded = modules_after("import sip2\nassert 'sip2.codec' not in __import__('sys').modules\n"
                           "from sip2 import MESSAGES, encode\nassert len(MESSAGES) > 20")
    assert "sip2.messages" in loaded
    try:
        sip2_module = __import__("sip2")
        sip2_module.no_such_name  # noqa: B018 (the attribute error is the point)
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name of sip2 must raise AttributeError")


def test_start_up_pauses_the_collector_then_sets_its_objects_aside():
    was_enabled = gc.isenabled()
    try:
        startup_gc.pause()
        assert not gc.isenabled()
        startup_gc.settle()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        startup_gc.release()
        if not was_enabled:
            gc.disable()
    assert gc.get_freeze_count() == 0


def test_monitoring_loads_prometheus_only_when_metrics_are_asked_for():
    loaded = modules_after("import kiosk.core.runtime, kiosk.monitoring")
    assert "kiosk.monitoring.service" in loaded
    assert not {"prometheus_client", "kiosk.monitoring.metrics"} & loaded


def test_kiosk_run_reads_its_configuration_without_the_device_drivers(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[sip2]\nhost = "127.0.0.1"\n[[scanner]]\ndriver = "keyboard"\n[rfid]\ndriver = "sim"\n',
                      encoding="utf-8")
    loaded = modules_after(f"from kiosk.config import load_config\n"
                           f"load_config({str(config)!r}, check_devices=False)")
    assert not {"kiosk.devices.manager", "kiosk.devices.rfid"} & loaded
    checked = modules_after(f"from kiosk.config import load_config\nload_config({str(config)!r})")
    assert {"kiosk.devices.manager", "kiosk.devices.rfid"} <= checked


def test_kiosk_run_names_the_file_of_a_wrong_device_table_when_it_builds_the_runtime(tmp_path):
    from kiosk.commands.run import runtime_factory
    from kiosk.config import ConfigError, load_config

    config = tmp_path / "kiosk.toml"
    config.write_text('[sip2]\nhost = "127.0.0.1"\n[rfid]\ndriver = "nosuch"\n', encoding="utf-8")
    load_config(config, check_devices=False)  # the idle screen comes up
    with pytest.raises(ConfigError, match=rf'^{re.escape(str(config))}: rfid\.driver: .*"nosuch"'):
        runtime_factory(config)()  # then the out-of-service screen says this
