"""Barcode scanner emulators for the bench and the tests.

- A serial "typist": writes barcodes, framed as a real serial scanner frames them (optional AIM
  identifier, prefix, suffix, CR/LF/CRLF terminator), into any pyserial port or URL, or listens
  on a TCP port and types into whoever connects (point a `socket://` scanner at it).
- A keyboard-wedge event generator: the `evdev.InputEvent` sequence a USB scanner set to a
  given layout sends for a string (Shift/AltGr presses and releases, EV_SYN after each event,
  optional autorepeat noise).

Command line: `python -m kiosk.devices.emulators.scanner --help`.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from evdev import InputEvent, ecodes as E

from kiosk.devices.keymaps import ALTGR_KEY, Keymap, Level, key_name, keymap

LINE_TERMINATORS = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}


class EmulatorError(ValueError):
    """The emulator was asked for something a scanner cannot send."""


def frame_barcode(text: str, terminator: str = "cr", aim: str | None = None,
                  prefix: str = "", suffix: str = "") -> bytes:
    """The bytes a serial scanner sends for one barcode, e.g. `]C0` + text + CR."""
    if terminator not in LINE_TERMINATORS:
        raise EmulatorError(f"terminator must be one of {', '.join(LINE_TERMINATORS)}, got {terminator!r}")
    if aim is not None and (len(aim) != 3 or aim[0] != "]"):
        raise EmulatorError(f"an AIM identifier is ']' + code letter + modifier, e.g. ']C0'; got {aim!r}")
    return (prefix + (aim or "") + text + suffix).encode("utf-8") + LINE_TERMINATORS[terminator]


def type_into_port(port: str, frames: Iterable[bytes], baudrate: int = 9600,
                   interval: float = 0.0) -> int:
    """Open a pyserial port or URL, write each frame (pausing `interval` s between), close."""
    import serial  # only the serial path needs pyserial; the keyboard emulator does not

    count = 0
    with serial.serial_for_url(port, baudrate=baudrate, timeout=1) as link:
        for frame in frames:
            if count and interval:
                time.sleep(interval)
            link.write(frame)
            link.flush()
            count += 1
    return count


class TypistServer:
    """A TCP "scanner": every connected client receives what is typed.

    `greeting` frames are typed to each client `greeting_delay` seconds after it connects (a
    scanner scanning as soon as the kiosk is there). The delay matters: pyserial's socket://
    handler discards whatever arrives while it is still opening the connection.
    `disconnect_clients()` simulates pulling the cable.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, greeting: Sequence[bytes] = (),
                 greeting_delay: float = 0.5,
                 on_client: Callable[[tuple[str, int]], None] | None = None) -> None:
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.1)  # so the accept loop notices close()
        self.host, self.port = self._listener.getsockname()[:2]
        self.greeting, self.greeting_delay = tuple(greeting), greeting_delay
        self.on_client = on_client
        self._clients: list[socket.socket] = []
        self._timers: list[threading.Timer] = []
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="typist-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The pyserial URL a serial scanner driver opens to reach this emulator."""
        return f"socket://{self.host}:{self.port}"

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed
            with self._changed:
                self._clients.append(client)
                if self.greeting:
                    timer = threading.Timer(self.greeting_delay, self._greet, (client,))
                    timer.daemon = True
                    self._timers.append(timer)
                    timer.start()
                self._changed.notify_all()
            if self.on_client is not None:
                self.on_client(address[:2])

    def _greet(self, client: socket.socket) -> None:
        with self._changed:
            if client not in self._clients:
                return
            try:
                for frame in self.greeting:
                    client.sendall(frame)
            except OSError:
                self._clients.remove(client)
                client.close()

    def client_count(self) -> int:
        """How many clients are connected now."""
        with self._changed:
            return len(self._clients)

    def wait_for_clients(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until at least `count` clients are connected; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._clients) >= count, timeout)

    def type(self, frame: bytes) -> int:
        """Send one frame to every client; return how many got it (broken ones are dropped)."""
        with self._changed:
            alive = []
            for client in self._clients:
                try:
                    client.sendall(frame)
                    alive.append(client)
                except OSError:
                    client.close()
            self._clients = alive
            return len(alive)

    def disconnect_clients(self) -> None:
        """Close every client connection, as if the scanner had been unplugged."""
        with self._changed:
            for client in self._clients:
                client.close()
            self._clients = []

    def close(self) -> None:
        """Stop listening and disconnect everyone."""
        self._closing.set()
        self._listener.close()
        self._thread.join(5)
        with self._changed:
            for timer in self._timers:
                timer.cancel()
        self.disconnect_clients()

    def __enter__(self) -> TypistServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def wedge_events(text: str, layout: str | Keymap = "us", *, terminator: int | None = E.KEY_ENTER,
                 start: float | None = None, key_interval: float = 0.004,
                 autorepeat: bool = False, shift_key: int = E.KEY_LEFTSHIFT) -> list[InputEvent]:
    """The events a wedge scanner set to `layout` sends when it types `text` (then `terminator`).

    Each key press and release is followed by an EV_SYN report, as the kernel delivers them.
    `autorepeat` adds a repeat event (value 2) after every key-down, as a slow release would.
    """
    keys = layout if isinstance(layout, Keymap) else keymap(layout)
    clock = [time.time() if start is None else start]
    events: list[InputEvent] = []

    def report(code: int, value: int) -> None:
        sec = int(clock[0])
        usec = int(round((clock[0] - sec) * 1_000_000))
        if usec >= 1_000_000:
            sec, usec = sec + 1, usec - 1_000_000
        events.append(InputEvent(sec, usec, E.EV_KEY, code, value))
        events.append(InputEvent(sec, usec, E.EV_SYN, E.SYN_REPORT, 0))
        clock[0] += key_interval

    def tap(code: int) -> None:
        report(code, 1)
        if autorepeat:
            report(code, 2)
        report(code, 0)

    for char in text:
        found = keys.key_for(char)
        if found is None:
            raise EmulatorError(f"{char!r} cannot be typed in layout {keys.name!r}")
        code, level = found
        modifier = {Level.SHIFT: shift_key, Level.ALTGR: ALTGR_KEY}.get(level)
        if modifier is not None:
            report(modifier, 1)
        tap(code)
        if modifier is not None:
            report(modifier, 0)
    if terminator is not None:
        tap(terminator)
    return events


def _frames(args: argparse.Namespace, barcodes: Iterable[str]) -> list[bytes]:
    return [frame_barcode(b, args.terminator, args.aim, args.prefix, args.suffix) for b in barcodes]


def _run_serial(args: argparse.Namespace) -> int:
    count = type_into_port(args.port, _frames(args, args.barcodes), args.baudrate, args.interval)
    print(f"typed {count} barcode(s) into {args.port}")
    return 0


def _run_listen(args: argparse.Namespace) -> int:
    def connected(address: tuple[str, int]) -> None:
        print(f"client connected from {address[0]}:{address[1]}", flush=True)

    with TypistServer(args.host, args.port, greeting=_frames(args, args.barcodes),
                      greeting_delay=args.delay, on_client=connected) as server:
        print(f"listening on {server.url}; each line typed here is scanned to every client "
              "(end with Ctrl-D)", flush=True)
        for line in sys.stdin:
            if line.strip():
                sent = server.type(_frames(args, [line.strip()])[0])
                print(f"scanned {line.strip()!r} to {sent} client(s)", flush=True)
    return 0


def _run_evdev(args: argparse.Namespace) -> int:
    for event in wedge_events(args.barcode, args.layout, autorepeat=args.autorepeat, start=0.0):
        if event.type == E.EV_KEY:
            state = {0: "up", 1: "down", 2: "repeat"}[event.value]
            print(f"{event.timestamp():9.6f}  EV_KEY  {key_name(event.code):24} {state}")
        else:
            print(f"{event.timestamp():9.6f}  EV_SYN")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Command-line interface of the scanner emulator."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.devices.emulators.scanner",
                                     description="Emulate a barcode scanner on the bench.")
    sub = parser.add_subparsers(dest="mode", required=True)

    def framing(p: argparse.ArgumentParser) -> None:
        p.add_argument("--terminator", choices=sorted(LINE_TERMINATORS), default="cr",
                       help="line terminator (default cr)")
        p.add_argument("--aim", help="AIM symbology identifier to send first, e.g. ']C0' (Code 128)")
        p.add_argument("--prefix", default="", help="text sent before each barcode")
        p.add_argument("--suffix", default="", help="text sent after each barcode")

    serial_mode = sub.add_parser("serial", help="type barcodes into a serial port or pyserial URL")
    serial_mode.add_argument("port", help="port name or URL, e.g. /dev/pts/3 or socket://127.0.0.1:7000")
    serial_mode.add_argument("barcodes", nargs="+", help="barcodes to type")
    serial_mode.add_argument("--baudrate", type=int, default=9600)
    serial_mode.add_argument("--interval", type=float, default=0.5,
                             help="seconds between barcodes (default 0.5)")
    framing(serial_mode)
    serial_mode.set_defaults(func=_run_serial)

    listen = sub.add_parser("listen", help="listen on TCP; type stdin lines into every client")
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    listen.add_argument("barcodes", nargs="*", help="barcodes typed to each client after it connects")
    listen.add_argument("--delay", type=float, default=0.5,
                        help="seconds between a client connecting and those barcodes (default 0.5)")
    framing(listen)
    listen.set_defaults(func=_run_listen)

    evdev_mode = sub.add_parser("evdev", help="print the key events a wedge scanner sends")
    evdev_mode.add_argument("barcode")
    evdev_mode.add_argument("--layout", default="us", help="us, uk, de or fr (default us)")
    evdev_mode.add_argument("--autorepeat", action="store_true", help="add autorepeat noise")
    evdev_mode.set_defaults(func=_run_evdev)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (EmulatorError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
