"""Drop-ins, the secrets file, and `kiosk config check|show`, on real files."""

from __future__ import annotations

import os

import pytest

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.config.table import ConfigError

BASE = """
[kiosk]
id = "kiosk-1"
library_name = "Springfield"

[sip2]
host = "127.0.0.1"
port = 6001
username = "kiosk"
"""


@pytest.fixture
def etc(tmp_path):
    (tmp_path / "kiosk.toml").write_text(BASE)
    (tmp_path / "kiosk.toml.d").mkdir()
    return tmp_path


def test_drop_ins_merge_in_name_order_key_by_key(etc):
    (etc / "kiosk.toml.d" / "20-branch.toml").write_text('[kiosk]\nid = "branch-7"\n[sip2]\nport = 6002\n')
    (etc / "kiosk.toml.d" / "10-fleet.toml").write_text('[kiosk]\nid = "fleet"\n[session]\ntimeout = 90.0\n')
    (etc / "kiosk.toml.d" / "notes.txt").write_text("not read")
    config = load_config(etc / "kiosk.toml")
    assert config.kiosk.id == "branch-7"  # 20- wins over 10-
    assert config.kiosk.library_name == "Springfield"  # kept from the main file
    assert config.sip2.port == 6002 and config.sip2.username == "kiosk"
    assert config.session.timeout == 90.0
    assert [os.path.basename(f) for f in config.files] == ["kiosk.toml", "10-fleet.toml", "20-branch.toml"]


def test_an_error_names_the_drop_in_that_set_the_key(etc):
    (etc / "kiosk.toml.d" / "50-bad.toml").write_text("[sip2]\nport = 99999\n")
    with pytest.raises(ConfigError, match=r"50-bad\.toml: sip2\.port: must be at most 65535"):
        load_config(etc / "kiosk.toml")


def test_a_broken_drop_in_is_named(etc):
    (etc / "kiosk.toml.d" / "60-broken.toml").write_text("[sip2\n")
    with pytest.raises(ConfigError, match=r"60-broken\.toml: not valid TOML"):
        load_config(etc / "kiosk.toml")


def test_secrets_file_is_merged_and_must_be_private(etc):
    secrets = etc / "secrets.toml"
    secrets.write_text('[sip2]\npassword = "s3cret"\n')
    secrets.chmod(0o600)
    config = load_config(etc / "kiosk.toml")
    assert config.sip2.password == "s3cret" and config.warnings == ()
    secrets.chmod(0o640)
    config = load_config(etc / "kiosk.toml")
    assert len(config.warnings) == 1 and "readable by group or others (mode 0640)" in config.warnings[0]


def test_secrets_file_holds_only_secrets(etc):
    (etc / "secrets.toml").write_text('[sip2]\nhost = "10.0.0.1"\n')
    with pytest.raises(ConfigError, match=r"sip2\.host is not a secret"):
        load_config(etc / "kiosk.toml")


def test_a_secret_in_a_world_readable_main_file_is_warned_about(etc):
    (etc / "kiosk.toml").write_text(BASE + 'password = "inline"\n')
    (etc / "kiosk.toml").chmod(0o644)
    assert any("move it to secrets.toml" in w for w in load_config(etc / "kiosk.toml").warnings)


def test_receipt_choices_follow_what_is_configured(etc):
    assert load_config(etc / "kiosk.toml").receipts.choices == ("none",)
    (etc / "kiosk.toml.d" / "10-mail.toml").write_text(
        '[email]\nhost = "127.0.0.1"\nsender = "kiosk@library.example"\n')
    assert load_config(etc / "kiosk.toml").receipts.choices == ("email", "none")
    (etc / "kiosk.toml.d" / "20-receipts.toml").write_text('[receipts]\nchoices = ["print", "none"]\n')
    with pytest.raises(ConfigError, match=r'offers "print" but \[printer\] driver is "none"'):
        load_config(etc / "kiosk.toml")


def test_unknown_key_in_a_new_table_gets_did_you_mean(etc):
    (etc / "kiosk.toml.d" / "10-printer.toml").write_text('[printer]\ndriver = "network"\nhots = "x"\n')
    with pytest.raises(ConfigError, match=r"printer\.hots: unknown key \(did you mean 'host'\?\)"):
        load_config(etc / "kiosk.toml")


def test_config_show_masks_secrets_and_check_reports(etc, capsys):
    (etc / "secrets.toml").write_text('[sip2]\npassword = "s3cret"\n[email]\npassword = "mailpw"\n')
    (etc / "secrets.toml").chmod(0o644)
    (etc / "kiosk.toml.d" / "10-mail.toml").write_text(
        '[email]\nhost = "127.0.0.1"\nsender = "kiosk@library.example"\nusername = "kiosk"\n')
    assert main(["config", "show", "--config", str(etc / "kiosk.toml")]) == 0
    out, err = capsys.readouterr()
    assert "s3cret" not in out and "mailpw" not in out
    assert 'password = "********"' in out and 'username = "kiosk"' in out
    assert "readable by group or others" in err
    assert main(["config", "check", "--config", str(etc / "kiosk.toml")]) == 0
    assert "valid:" in capsys.readouterr().out
    (etc / "kiosk.toml.d" / "20-bad.toml").write_text("[session]\ntimeout = 1.0\n")
    assert main(["config", "check", "--config", str(etc / "kiosk.toml")]) == 1
    assert "20-bad.toml: session.timeout" in capsys.readouterr().err
