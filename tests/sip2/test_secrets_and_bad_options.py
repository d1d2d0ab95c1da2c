"""PINs and passwords never appear in clear, and bad options or character sets give one clear line."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys

import pytest

from sip2.charsets import carries_sip2, check_encoding
from sip2.cli import main
from sip2.codec import decode, encode, mask_secrets
from sip2.emulator import ACSEmulator
from sip2.errors import CodecError
from sip2.messages import Checkout, PatronStatusRequest

from tests.sip2.emulator_peer import SC
from tests.waiting import wait_for

BROKEN_PATRON_STATUS = b"2300120261203    1502AODEMO|AA20001000000012|AD9876|ACsecretTP|"


def test_decode_mask_hides_the_pin_of_a_line_it_cannot_decode(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BROKEN_PATRON_STATUS + b"\n")))
    assert main(["decode", "--mask"]) == 0
    out = capsys.readouterr().out
    record = json.loads(out)
    assert record["error"] and record["code"] == "23"
    assert "9876" not in out and "secretTP" not in out
    assert "AD***" in record["raw"]


@pytest.mark.parametrize("data", [
    b"23001AOx|AA1|AD739164|A20261203    150200",  # the date's place holds the PIN
    b"1100AD739164|AA1|AB1|",
    b"09NAC739164|AO1|AB1|AD739164|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    b"6300120261203    1502AD739164|AA1|",
])
def test_codec_errors_never_quote_a_secret(data):
    with pytest.raises(CodecError) as caught:
        decode(data)
    assert "739164" not in str(caught.value) and "7391" not in str(caught.value)
    assert "739164" not in mask_secrets(data)


def test_an_unencodable_character_of_a_pin_is_not_quoted():
    with pytest.raises(CodecError) as caught:
        encode(PatronStatusRequest(institution_id="I", patron_id="P", patron_password="12\u20ac4"), encoding="latin-1")
    assert "\u20ac" not in str(caught.value) and "PIN or password" in str(caught.value)
    with pytest.raises(CodecError) as caught:
        encode(Checkout(institution_id="I", patron_id="P", item_id="I", patron_password=1234))  # type: ignore[arg-type]
    assert "1234" not in str(caught.value)


def test_mask_secrets_finds_a_pin_inside_a_short_fixed_head():
    assert mask_secrets(b"23001AD9876|AA123|") == "23001AD***|AA123|"
    assert "9876" not in mask_secrets("6300120261203AD9876|AA1|")


def test_the_emulator_warning_for_a_malformed_request_hides_the_pin(caplog):
    caplog.set_level(logging.INFO, logger="sip2")
    with ACSEmulator(institution_id="DEMO") as emulator, SC(emulator.address) as client:
        client.send_raw(b"23001AOx|AA1|AD739164|A20261203    150200\r")
        wait_for(lambda: any("not a SIP2 request" in r.getMessage() for r in caplog.records))
    assert not [r for r in caplog.records if "739164" in r.getMessage()]


@pytest.mark.parametrize("name", ["undefined", "punycode", "idna", "utf-16", "utf-7", "rot13", "shift_jis",
                                  "cp-850", "klingon"])
def test_character_sets_that_cannot_carry_sip2_are_refused_by_name(name):
    assert not carries_sip2(name)
    with pytest.raises(CodecError) as caught:
        check_encoding(name)
    assert "utf-8" in str(caught.value) and "cp850" in str(caught.value)


@pytest.mark.parametrize("name", ["utf-8", "cp850", "latin-1", "ascii", "cp1252", "iso8859-15", "euc_jp"])
def test_character_sets_sip2_servers_use_are_accepted(name):
    assert check_encoding(name) == name


@pytest.mark.parametrize("name", ["undefined", "idna", "punycode", "utf-16", "utf-32", "utf-8-sig"])
def test_the_codec_raises_only_codec_errors_for_exotic_codecs(name):
    for data in (b"9900302.00", b"9900302.00\xff\xfe\xc3", b"98YYYYNN30000320261203    1502002.00AOx|BX\xe9|"):
        try:
            decode(data, encoding=name)
        except CodecError:
            pass
    try:
        encode(PatronStatusRequest(institution_id="I", patron_id="P\u00e9"), encoding=name)
    except CodecError:
        pass


@pytest.mark.parametrize("argv", [
    ["decode", "--encoding", "cp-850"],
    ["decode", "--encoding", "undefined"],
    ["client", "--host", "127.0.0.1", "--port", "1", "--encoding", "bogus", "status"],
    ["client", "--host", "127.0.0.1", "--port", "1", "--timeout", "nan", "status"],
    ["client", "--host", "127.0.0.1", "--port", "1", "--timeout", "inf", "status"],
    ["client", "--host", "127.0.0.1", "--port", "1", "--timeout", "0", "status"],
    ["client", "--host", "127.0.0.1", "--port", "1", "--timeout", "-3", "status"],
])
def test_bad_options_are_one_usage_line_not_a_traceback(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "sip2" in err.splitlines()[-1]


def test_a_timeout_is_still_honoured_when_valid():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        host, port = listener.getsockname()
        assert main(["client", "--host", host, "--port", str(port), "--timeout", "0.2", "status"]) == 2
