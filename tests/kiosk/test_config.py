"""The configuration file: a five-line config works, every mistake is named clearly."""

from __future__ import annotations

import dataclasses
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
    ("[sip2]\nhost = 'x'\nport = 70000\n", "sip2.port: must be at most 65535"),
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


def test_a_file_that_is_not_utf8_is_named_with_its_line_and_how_to_convert_it(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes('[sip2]\nhost = "x"\n[kiosk]\nlibrary_name = "Stadtbücherei"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 4: ") and "UTF-8" in message and "iconv" in message


def test_a_drop_in_that_is_not_utf8_is_named(tmp_path):
    path = write(tmp_path, '[sip2]\nhost = "x"\n')
    (tmp_path / "kiosk.toml.d").mkdir()
    drop_in = tmp_path / "kiosk.toml.d" / "50-branch.toml"
    drop_in.write_bytes('[kiosk]\nlibrary_name = "Bibliothèque"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match=r"50-branch\.toml, line 2: .*not UTF-8"):
        load_config(path)


@pytest.mark.parametrize("command", [["config", "check"], ["config", "show"], ["doctor"], ["queue", "list"],
                                     ["run"]])
def test_commands_report_a_latin1_file_in_one_line(tmp_path, capsys, command):
    from kiosk.cli import main

    path = tmp_path / "kiosk.toml"
    path.write_bytes('[sip2]\nhost = "x"\n[kiosk]\nlibrary_name = "Stadtbücherei"\n'.encode("latin-1"))
    code = main(command + ["--config", str(path)])
    captured = capsys.readouterr()
    assert code != 0 and "line 4" in captured.out + captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("encoding", ["undefined", "punycode", "idna", "utf-16", "rot13"])
def test_only_character_sets_that_can_carry_sip2_are_accepted(tmp_path, encoding):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, f'[sip2]\nhost = "x"\nencoding = "{encoding}"\n'))
    assert "sip2.encoding:" in str(caught.value) and "utf-8, cp850, latin-1" in str(caught.value)


def test_a_misspelt_required_key_gets_did_you_mean(tmp_path):
    with pytest.raises(ConfigError, match=r"sip2: missing key 'host'; found 'hots' \(did you mean 'host'\?\)"):
        load_config(write(tmp_path, '[sip2]\nhots = "ils.example.org"\n'))


def numeric_keys() -> list[tuple[str, str]]:
    """(table, key) of every number in the kiosk's own tables."""
    from kiosk.config import deployment as config_deploy, settings as config

    tables = {"sip2": config.SIP2Settings, "offline": config.OfflineSettings,
              "storage": config.StorageSettings, "session": config.SessionSettings,
              "receipts": config_deploy.ReceiptSettings, "printer": config_deploy.PrinterSettings,
              "email": config_deploy.EmailSettings, "monitoring": config_deploy.MonitoringSettings,
              "alerts": config_deploy.AlertSettings}
    return [(table, f.name) for table, cls in tables.items() for f in dataclasses.fields(cls)
            if f.type in ("int", "float")]


@pytest.mark.parametrize("table, key", numeric_keys())
def test_every_number_has_a_sane_range(tmp_path, table, key):
    sip2 = '[sip2]\nhost = "x"\n'
    text = f"{sip2}{key} = 99999999999999999999\n" if table == "sip2" else \
        f"{sip2}[{table}]\n{key} = 99999999999999999999\n"
    with pytest.raises(ConfigError, match=f"{table}.{key}: must be at most"):
        load_config(write(tmp_path, text))


def test_the_range_check_knows_every_number():
    assert len(numeric_keys()) >= 20
    assert ("offline", "max_items") in numeric_keys() and ("sip2", "timeout") in numeric_keys()


@pytest.mark.parametrize("text, message", [
    ('[offline]\nloan_days_by_media = { "005" = 99999 }\n', "offline.loan_days_by_media.005: expected a number of days"),
    ('[technician]\npin_hash = "{pin_hash}"\ntimeout = 1e9\n', "technician.timeout: must be at most"),
])
def test_nested_and_technician_numbers_have_a_range_too(tmp_path, text, message):
    from kiosk.core.technician_pin import hash_pin

    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, '[sip2]\nhost = "x"\n' + text.replace("{pin_hash}", hash_pin("2468"))))
