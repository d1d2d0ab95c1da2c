"""The configuration file: a five-line config works, every mistake is named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_five_lines_are_enough(tmp_path):
    config = load_config(write(tmp_path, '[sip2]\nhost = "ils.example.org"\nusername = "kiosk"\n'
                                         'password = "s3cret"\ninstitution = "MAIN"\n'))
    assert config.sip2.host == "ils.example.org" and config.sip2.port == 6001
    assert config.offline.mode == "returns" and config.patron.require_pin
    assert config.session.timeout == 120.0 and config.devices == {}
    assert config.classifier().classify("20001000000012").kind.value == "patron"


@pytest.mark.parametrize("text, message", [
    ("", "missing table [sip2]"),
    ("[sip2]\nhost = ''\n", "sip2.host: must name the library system"),
    ("[sip2]\nhost = 'x'\nprot = 6001\n", "sip2.prot: unknown key (did you mean 'port'?)"),
    ("[sip2]\nhost = 'x'\nport = 'six'\n", 'sip2.port: expected an integer, got "six"'),
    ("[sip2]\nhost = 'x'\nport = 70000\n", "sip2.port: must be 1-65535"),
    ("[sip2]\nhost = 'x'\ndialect = 'alma'\n", "sip2.dialect: expected one of generic, koha"),
    ("[sip2]\nhost = 'x'\nencoding = 'klingon'\n", "sip2.encoding: unknown character set"),
    ("[sip2]\nhost = 'x'\nchecksums = 'maybe'\n", "sip2.checksums: expected one of on, off, verify"),
    ("[sip2]\nhost = 'x'\nca_file = '/nonexistent/ca.pem'\n", "sip2.ca_file: no such file"),
    ("[sip2]\nhost = 'x'\n[ofline]\nmode = 'all'\n", "unknown table [ofline] (did you mean 'offline'?)"),
    ("[sip2]\nhost = 'x'\n[offline]\nmode = 'sometimes'\n", 'offline.mode: expected one of off, returns, all'),
    ("[sip2]\nhost = 'x'\n[offline]\nmax_items = -1\n", "offline.max_items: must be at least 0"),
    ("[sip2]\nhost = 'x'\n[patron]\npattern = '(['\n", "patron.pattern: not a valid regular expression"),
    ("[sip2]\nhost = 'x'\n[session]\ntimeout = 60\nwarning = 90\n", "session.warning: must be shorter"),
    ("[sip2]\nhost = 'x'\n[[scanner]]\ndriver = 'serial'\nport = '/dev/ttyACM0'\nbaudrat = 9600\n",
     "scanner[0].baudrat: unknown key (did you mean 'baudrate'?)"),
    ("[sip2]\nhost = 'x'\n[rfid]\ndriver = '3m810'\n", "rfid.port: a port name or URL is required"),
    ("[sip2\nhost = 'x'\n", "not valid TOML"),
])
def test_mistakes_name_the_file_the_key_and_what_is_allowed(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_missing_file_says_where_to_look(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nowhere.toml")
