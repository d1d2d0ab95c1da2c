"""Technician PINs: salted scrypt hashes, checked in constant time; `kiosk hash-pin`."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, parse_config
from kiosk.core.technician_pin import PinHashError, check_form, hash_pin, verify_pin


def test_hash_verifies_only_its_pin_and_is_salted():
    stored = hash_pin("4711")
    assert verify_pin("4711", stored)
    assert not verify_pin("4712", stored) and not verify_pin("", stored)
    assert hash_pin("4711") != stored  # a new salt each time
    assert "4711" not in stored


@pytest.mark.parametrize("bad", ["", "4711", "scrypt$x$8$1$00$00", "scrypt$1000$8$1$00$00",
                                 "bcrypt$16384$8$1$00$00", "scrypt$16384$8$1$zz$00", "scrypt$16384$8$1$$"])
def test_malformed_hashes_are_refused_not_crashed_on(bad):
    with pytest.raises(PinHashError):
        check_form(bad)
    assert verify_pin("4711", bad) is False


def test_config_takes_the_hash_and_refuses_a_bad_one():
    base = {"sip2": {"host": "127.0.0.1"}}
    stored = hash_pin("2580")
    config = parse_config({**base, "technician": {"pin_hash": stored, "timeout": 60}})
    assert config.technician_access.pin_hash == stored and config.technician_access.timeout == 60
    assert config.technician is None  # no card pattern: only the hidden gesture opens the PIN pad
    with pytest.raises(ConfigError, match="technician.pin_hash"):
        parse_config({**base, "technician": {"pin_hash": "2580"}})
    with pytest.raises(ConfigError, match="did you mean 'pin_hash'"):
        parse_config({**base, "technician": {"pattern": "T-[0-9]+", "pin_hsh": stored}})
    card = parse_config({**base, "technician": {"pattern": "TECH-[0-9]{4}", "pin_hash": stored}})
    assert card.technician.pattern == "TECH-[0-9]{4}" and card.technician_access.pin_hash == stored


def test_hash_pin_command_prints_a_config_line(capsys):
    assert main(["hash-pin", "--pin", "2580"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('pin_hash = "scrypt$') and verify_pin("2580", line.split('"')[1])
    assert main(["hash-pin", "--pin", "12"]) == 1
    assert "at least 4 digits" in capsys.readouterr().err
