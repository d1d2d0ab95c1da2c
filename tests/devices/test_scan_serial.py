"""Serial scanner end to end: real pyserial on a pty and over socket:// to the TCP typist."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import serial

from kiosk.devices.emulators.scanner import TypistServer, frame_barcode, main
from kiosk.devices.events import DeviceState, Scan
from kiosk.devices.serial_framing import LineFormat, LineFramer
from kiosk.devices.serial_scanner import SerialScanner

from tests.devices.test_scan_support import WAIT, Collector, PluggablePty, Pty, fast_backoff, running

ROOT = Path(__file__).resolve().parents[2]


def test_pyserial_errors_are_oserrors():
    # The worker relies on this to treat a vanished port as "lost" rather than a driver bug.
    assert issubclass(serial.SerialException, OSError)


def test_scans_over_a_pty_with_aim_and_crlf_split_across_writes():
    pty, sink = Pty(), Collector()
    scanner = SerialScanner("desk", sink, pty.path, backoff=fast_backoff(), poll_interval=0.05)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        pty.write(b"]F030234000517861\r")
        pty.write(b"\n33191000105864\r\n")
        first, second = sink.scan(), sink.scan()
        assert (first.text, first.symbology, first.source) == ("30234000517861", "Codabar", "desk")
        assert (second.text, second.symbology) == ("33191000105864", None)
        pty.close()
    assert scanner.state is DeviceState.STOPPED


def test_garbage_is_reported_as_a_problem_and_scanning_continues():
    pty, sink = Pty(), Collector()
    scanner = SerialScanner("desk", sink, pty.path, framer=LineFramer(max_length=16),
                            backoff=fast_backoff(), poll_interval=0.05)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        pty.write(b"\x00\xff" * 40 + b"\r" + b"12\x1b34\r" + b"ok\r")
        assert sink.scan().text == "ok"
        assert "non-printable character U+001B" in scanner.last_problem
        pty.close()


def test_pty_unplug_is_lost_and_replug_reconnects(tmp_path):
    port, sink = PluggablePty(tmp_path), Collector()
    first = port.plug()
    scanner = SerialScanner("desk", sink, str(port.link), backoff=fast_backoff(), poll_interval=0.05)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        first.write(b"111\r")
        assert sink.scan().text == "111"
        port.unplug()
        lost = sink.status(DeviceState.LOST)
        assert "lost" in lost.detail
        sink.status(DeviceState.RECONNECTING)  # the link is gone: reopening fails for a while
        second = port.plug()
        sink.status(DeviceState.CONNECTED)
        second.write(b"222\r")
        assert sink.scan().text == "222"
        port.unplug()


def test_missing_port_is_retried_and_reported():
    sink = Collector()
    scanner = SerialScanner("desk", sink, "/nonexistent/ttyACM9", backoff=fast_backoff())
    with running(scanner):
        lost = sink.status(DeviceState.LOST)
        assert "cannot open" in lost.detail and "retrying" in lost.detail
        assert "ttyACM9" in sink.status(DeviceState.RECONNECTING).detail


def test_malformed_port_url_is_reported_not_fatal():
    sink = Collector()
    scanner = SerialScanner("desk", sink, "nosuchscheme://x", backoff=fast_backoff())
    with running(scanner):
        assert "invalid port setting" in sink.status(DeviceState.LOST).detail
        assert "invalid port setting" in sink.status(DeviceState.RECONNECTING).detail


def test_socket_scanner_disconnect_and_reconnect():
    sink = Collector()
    with TypistServer(greeting=[frame_barcode("30234000517861", "crlf", aim="]C0")]) as server:
        scanner = SerialScanner("net", sink, server.url, backoff=fast_backoff(), poll_interval=0.05)
        with running(scanner):
            sink.status(DeviceState.CONNECTED)
            scan = sink.scan()
            assert (scan.text, scan.symbology) == ("30234000517861", "Code 128")
            assert server.wait_for_clients(1)
            server.type(frame_barcode("33191000105864", "lf"))
            assert sink.scan().text == "33191000105864"
            server.disconnect_clients()
            assert "lost" in sink.status(DeviceState.LOST).detail
            sink.status(DeviceState.CONNECTED)
            assert sink.scan().text == "30234000517861"  # the greeting again, on the new link


def test_socket_scanner_waits_for_a_listener_that_is_not_there_yet():
    sink = Collector()
    server = TypistServer()
    url = server.url
    server.close()  # the port is now (very likely) closed: connecting is refused
    scanner = SerialScanner("net", sink, url, backoff=fast_backoff(), poll_interval=0.05)
    with running(scanner):
        assert "cannot open" in sink.status(DeviceState.LOST).detail


def test_spy_url_traces_the_bytes_for_a_technician(tmp_path):
    pty, sink, trace = Pty(), Collector(), tmp_path / "trace.txt"
    scanner = SerialScanner("desk", sink, f"spy://{pty.path}?file={trace}",
                            backoff=fast_backoff(), poll_interval=0.05)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        pty.write(b"ABC\r")
        assert sink.scan().text == "ABC"
        pty.close()
    text = trace.read_text()
    assert "RX" in text and "41" in text and "0D" in text


def _read_master(pty: Pty, until: bytes) -> bytes:
    received = b""
    while not received.endswith(until) and select.select([pty.master], [], [], WAIT)[0]:
        received += os.read(pty.master, 100)
    return received


def test_command_line_serial_mode_types_frames_into_a_port():
    pty = Pty()
    try:
        status = main(["serial", pty.path, "1", "2", "--interval", "0", "--aim", "]C0",
                       "--terminator", "crlf"])
        assert status == 0
        assert _read_master(pty, b"]C02\r\n") == b"]C01\r\n]C02\r\n"
    finally:
        pty.close()


def test_command_line_listen_mode_is_a_network_scanner():
    sink = Collector()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "kiosk.devices.emulators.scanner", "listen", "--terminator", "crlf",
         "30234000517861"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    scanner = None
    try:
        banner = emulator.stdout.readline()
        url = banner.split()[2].rstrip(";")
        assert url.startswith("socket://127.0.0.1:")
        scanner = SerialScanner("net", sink, url, backoff=fast_backoff(), poll_interval=0.05)
        scanner.start()
        assert emulator.stdout.readline().startswith("client connected from 127.0.0.1:")
        sink.status(DeviceState.CONNECTED)
        assert sink.scan().text == "30234000517861"  # typed to each client after it connects
        emulator.stdin.write("33191000105864\n")
        emulator.stdin.flush()
        assert sink.scan().text == "33191000105864"
        assert emulator.stdout.readline().startswith("scanned '33191000105864' to 1 client(s)")
    finally:
        if scanner is not None:
            scanner.stop()
        emulator.stdin.close()
        assert emulator.wait(WAIT) == 0
        emulator.stdout.close()


def test_prefix_and_suffix_configured_on_the_scanner():
    sink = Collector()
    with TypistServer() as relay:
        framer = LineFramer(LineFormat(strip_prefix="<", strip_suffix=">"))
        scanner = SerialScanner("net", sink, relay.url, framer=framer, backoff=fast_backoff(),
                                poll_interval=0.05)
        with running(scanner):
            sink.status(DeviceState.CONNECTED)  # pyserial drops what arrives while it opens
            assert relay.wait_for_clients(1)
            relay.type(frame_barcode("30234000517861", "cr", aim="]F0", prefix="<", suffix=">"))
            scan: Scan = sink.scan()
            assert (scan.text, scan.symbology) == ("30234000517861", "Codabar")


def test_emulator_command_line_rejects_bad_input(capsys):
    assert main(["serial", "loop://", "1", "--aim", "C0"]) == 1
    assert "AIM identifier" in capsys.readouterr().err
