"""`kiosk tag read` and `kiosk tag write` against emulated pads."""

import json

import pytest

from kiosk.cli import main
from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.tag_store import blank_tag, make_tag

from tests.devices.rfid_support import served


@pytest.mark.parametrize("driver,emulator_class", [("3m810", M3M810Emulator), ("feig", FeigEmulator)])
def test_read_prints_each_tag(driver, emulator_class, capsys):
    emulator = emulator_class()
    good = make_tag("iso28560-3", "30234000517861", isil="DK-710100")
    emulator.store.place(good, blank_tag())
    with served(emulator, "pty") as (path, _):
        assert main(["tag", "read", "--port", path, "--driver", driver, "--baudrate", "19200"]) == 0
        text = capsys.readouterr().out
        assert "item 30234000517861" in text and "UNREADABLE: blank tag" in text
        assert main(["tag", "read", "--port", path, "--driver", driver, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["tag"]["item_id"] == "30234000517861" and lines[0]["uid"] == good.uid
    assert "blank" in lines[1]["error"]


@pytest.mark.parametrize("model", ["iso28560-3", "iso28560-2", "3m-rfid501"])
def test_write_then_verify(model, capsys):
    emulator = M3M810Emulator()
    tag = make_tag("iso28560-3", "old")
    emulator.store.place(tag)
    isil = [] if model == "3m-rfid501" else ["--isil", "DE-Heu1"]
    with served(emulator, "pty") as (path, _):
        code = main(["tag", "write", "--port", path, "--item", "33191000105864", "--model", model,
                     "--parts", "2", "--part", "2", *isil])
        out = capsys.readouterr().out
        assert code == 0, out
        assert f"wrote and verified {tag.uid}: {model} item 33191000105864 part 2/2" in out


def test_write_refuses_an_ambiguous_pad_and_reports_a_tag_that_does_not_keep_the_data(capsys):
    emulator = M3M810Emulator()
    first, second = make_tag("iso28560-3", "1"), make_tag("iso28560-3", "2")
    second.ignores_writes = True
    emulator.store.place(first, second)
    with served(emulator, "pty") as (path, _):
        assert main(["tag", "write", "--port", path, "--item", "5"]) == 1
        assert "exactly one tag" in capsys.readouterr().out
        assert main(["tag", "write", "--port", path, "--item", "5", "--uid", second.uid]) == 1
        assert "verification failed" in capsys.readouterr().out


def test_read_on_a_missing_port_says_so(capsys):
    assert main(["tag", "read", "--port", "/nonexistent/tty"]) == 2
    assert "cannot open the reader" in capsys.readouterr().out
