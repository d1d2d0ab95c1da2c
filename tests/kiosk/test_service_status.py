"""Out of service: by a technician, by the library system being down with offline mode off, or
by a required device missing; it clears itself when the cause does."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, parse_config
from kiosk.core import wording
from kiosk.core.service import ServiceStatus
from kiosk.devices.events import DeviceState


def status(mode: str = "returns", online: bool = True, devices=(), required=()) -> ServiceStatus:
    return ServiceStatus(offline_mode=mode, link_online=lambda: online, device_states=lambda: devices,
                         required_devices=required)


def test_in_service_by_default_and_offline_is_fine_when_offline_mode_allows():
    assert status().state().in_service
    assert status(mode="returns", online=False).state().in_service


def test_library_system_down_with_offline_mode_off():
    state = status(mode="off", online=False).state()
    assert not state.in_service and state.reason == wording.ACS_UNREACHABLE and not state.by_technician


def test_technician_switch_wins_and_switches_back():
    service = status()
    service.switch_off()
    state = service.state()
    assert not state.in_service and state.by_technician
    service.switch_on()
    assert service.state().in_service


def test_required_device_lost_or_missing():
    lost = status(devices=[("pad", DeviceState.LOST), ("scanner0", DeviceState.CONNECTED)], required=("pad",))
    assert not lost.state().in_service and lost.state().reason == wording.DEVICE_NOT_WORKING.format(device="pad")
    missing = status(devices=[], required=("pad",))
    assert "not set up" in missing.state().reason
    fine = status(devices=[("pad", DeviceState.CONNECTED)], required=("pad",))
    assert fine.state().in_service


def test_app_section_is_validated():
    base = {"sip2": {"host": "127.0.0.1"}}
    app = parse_config({**base, "app": {"languages": ["fr", "en"], "required_devices": ["pad"]}}).app
    assert app.languages == ("fr", "en") and app.required_devices == ("pad",)
    with pytest.raises(ConfigError, match="no catalogue for 'xx'"):
        parse_config({**base, "app": {"languages": ["xx"]}})
    with pytest.raises(ConfigError, match="app.fulscreen"):
        parse_config({**base, "app": {"fulscreen": False}})
