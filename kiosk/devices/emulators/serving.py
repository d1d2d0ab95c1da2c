"""Serving an emulated reader on a pseudo-terminal, a TCP socket on 127.0.0.1, or in memory.

A pty or a socket has no baud rate, so the server paces the bytes itself: it waits the time
the request needs on the wire at the configured baud rate (10 bits a byte, 8N1) before
answering, and writes the reply no faster than that rate either.
"""

from __future__ import annotations

import argparse
import logging
import os
import select
import signal
import socket
import sys
import threading
import time
import tty
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kiosk.devices.emulators.tag_store import Faults, TagStore, blank_tag, make_tag
from kiosk.devices.rfid.framing import Deframer

log = logging.getLogger(__name__)
FrameT = TypeVar("FrameT")
PACE_CHUNK = 4  # bytes written at a time when pacing


class ReaderEmulator(ABC, Generic[FrameT]):
    """A reader's behaviour: request frames in, reply bytes out, over a shared tag store."""

    default_baudrate = 19200

    def __init__(self, store: TagStore | None = None, faults: Faults | None = None,
                 strict: bool = False) -> None:
        self.store = store if store is not None else TagStore()
        self.faults = faults if faults is not None else Faults()
        self.strict = strict  # answer only what a real reader is known to answer; refuse the rest
        self.requests = 0
        self.bytes_in = 0  # request bytes received, for wire-time figures
        self.bytes_out = 0  # reply bytes sent, after faults
        self._deframer = self.new_deframer()

    @abstractmethod
    def new_deframer(self) -> Deframer[FrameT]:
        """The stream decoder for this reader's request frames."""

    @abstractmethod
    def frame_size(self, frame: FrameT) -> int:
        """Bytes the request occupied on the wire."""

    @abstractmethod
    def handle(self, frame: FrameT) -> bytes:
        """The reply to one request frame."""

    def requests_in(self, data: bytes) -> list[FrameT]:
        """Received bytes in; the whole request frames they complete."""
        frames = self._deframer.feed(data)
        self.requests += len(frames)
        self.bytes_in += sum(self.frame_size(frame) for frame in frames)
        return frames

    def respond(self, frame: FrameT) -> bytes | None:
        """The reply bytes to one request after the pending faults (None: no reply)."""
        try:
            reply = self.faults.apply(self.handle(frame))
        except Exception:  # a request the emulator cannot answer must not stop it serving
            log.exception("emulator could not answer %r", frame)
            return None
        if reply is not None:
            self.bytes_out += len(reply)
        return reply

    def feed(self, data: bytes) -> list[bytes]:
        """Received bytes in; the reply bytes for every whole request, answered at once."""
        replies = (self.respond(frame) for frame in self.requests_in(data))
        return [reply for reply in replies if reply is not None]


class EmulatorServer:
    """Runs one emulator on a pty or a local TCP port in a background thread."""

    def __init__(self, emulator: ReaderEmulator[Any], baudrate: int | None = None,
                 pace: bool = True) -> None:
        self.emulator = emulator
        self.baudrate = baudrate or emulator.default_baudrate
        self.pace = pace
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fds: list[int] = []
        self._sockets: list[socket.socket] = []

    @property
    def char_time(self) -> float:
        """Seconds one byte takes on the wire (start + 8 data + stop bits)."""
        return 10.0 / self.baudrate

    def serve_pty(self) -> str:
        """Serve on a new pseudo-terminal; return the path a driver opens."""
        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        self._fds = [master, slave]
        path = os.ttyname(slave)
        self._start(lambda: self._pump_fd(master))
        return path

    def serve_tcp(self, port: int = 0) -> int:
        """Serve on 127.0.0.1 (port 0: any free port); return the port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        self._sockets = [listener]
        self._start(lambda: self._accept_loop(listener))
        return listener.getsockname()[1]

    def _start(self, target: Callable[[], None]) -> None:
        self._thread = threading.Thread(target=target, name="rfid-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the pty or socket."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for sock in self._sockets:
            sock.close()
        self._fds, self._sockets = [], []

    def _accept_loop(self, listener: socket.socket) -> None:
        listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                self._pump_socket(conn)

    def _pump_socket(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while not self._stop.is_set():
            ready, _, _ = select.select([conn], [], [], 0.05)
            if not ready:
                continue
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            self._answer(data, conn.sendall)

    def _pump_fd(self, fd: int) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    data = os.read(fd, 4096)
                    self._answer(data, lambda chunk: os.write(fd, chunk))
            except OSError:
                if self._stop.is_set():
                    return
                time.sleep(0.01)  # no client on the slave end yet

    def _answer(self, data: bytes, write: Callable[[bytes], Any]) -> None:
        for frame in self.emulator.requests_in(data):
            if self.pace:  # the request is only complete once its last byte crossed the wire
                self._stop.wait(self.emulator.frame_size(frame) * self.char_time)
            reply = self.emulator.respond(frame)
            if reply is None:
                continue
            if self.emulator.faults.delay:
                self._stop.wait(self.emulator.faults.delay)
            self._write_paced(reply, write)

    def _write_paced(self, reply: bytes, write: Callable[[bytes], Any]) -> None:
        if not self.pace:
            write(reply)
            return
        start = time.monotonic()
        for i in range(0, len(reply), PACE_CHUNK):
            due = start + (i + PACE_CHUNK) * self.char_time
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            write(reply[i:i + PACE_CHUNK])


class LoopbackPort:
    """A pyserial-like port wired straight to an emulator, for the in-process "sim" pad."""

    def __init__(self, emulator: ReaderEmulator[Any]) -> None:
        self.emulator = emulator
        self.timeout: float | None = 0.05
        self.is_open = True
        self._cond = threading.Condition()
        self._pending: list[tuple[float, bytes]] = []  # (time the bytes become readable, bytes)

    def write(self, data: bytes) -> int:
        """Hand the bytes to the emulator; its replies become readable (after any fault delay)."""
        if not self.is_open:
            raise OSError("port closed")
        replies = self.emulator.feed(bytes(data))
        with self._cond:
            ready_at = time.monotonic() + self.emulator.faults.delay
            self._pending += [(ready_at, reply) for reply in replies]
            self._cond.notify_all()
        return len(data)

    def _ready(self) -> bytearray:
        now = time.monotonic()
        out = bytearray()
        while self._pending and self._pending[0][0] <= now:
            out += self._pending.pop(0)[1]
        if out:
            self._pending.insert(0, (0.0, bytes(out)))
        return out

    @property
    def in_waiting(self) -> int:
        """Bytes readable now."""
        with self._cond:
            return len(self._ready())

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes, waiting at most `timeout` for the first."""
        deadline = time.monotonic() + (self.timeout or 0.0)
        with self._cond:
            while True:
                ready = self._ready()
                if ready or time.monotonic() >= deadline:
                    break
                self._cond.wait(min(0.01, max(0.0, deadline - time.monotonic())))
            if not ready:
                return b""
            self._pending.pop(0)
            out, rest = bytes(ready[:size]), bytes(ready[size:])
            if rest:
                self._pending.insert(0, (0.0, rest))
            return out

    def reset_input_buffer(self) -> None:
        """Forget replies not read yet (including delayed ones)."""
        with self._cond:
            self._pending.clear()

    def close(self) -> None:
        """Mark the port closed."""
        self.is_open = False


def run_cli(emulator_class: type[ReaderEmulator[Any]], description: str,
            argv: list[str] | None = None) -> int:
    """Command line of an emulator: serve on a pty or TCP port, manage tags from stdin."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tcp", type=int, metavar="PORT",
                        help="serve on 127.0.0.1:PORT (0 = any free port) instead of a pty")
    parser.add_argument("--baud", type=int, default=emulator_class.default_baudrate,
                        help=f"pace bytes at this rate (default {emulator_class.default_baudrate})")
    parser.add_argument("--no-pace", action="store_true", help="answer as fast as possible")
    parser.add_argument("--tag", action="append", default=[], metavar="MODEL:ITEM[:ISIL]",
                        help="place a tag at start, e.g. iso28560-3:30234000517861:DK-710100")
    parser.add_argument("--blank", type=int, default=0, metavar="N", help="place N blank tags")
    parser.add_argument("--strict", action="store_true",
                        help="answer only the commands a real reader is known to answer; "
                             "refuse every other one as the reader refuses an unknown command")
    args = parser.parse_args(argv)
    emulator = emulator_class(strict=args.strict)
    for spec in args.tag:
        emulator.store.place(_tag_from_spec(spec))
    for _ in range(args.blank):
        emulator.store.place(blank_tag())
    server = EmulatorServer(emulator, args.baud, pace=not args.no_pace)
    where = (f"socket://127.0.0.1:{server.serve_tcp(args.tcp)}" if args.tcp is not None
             else server.serve_pty())
    mode = ", known commands only" if args.strict else ""
    print(f"{description} on {where} at {server.baudrate} baud{mode}", flush=True)
    print("commands, one per line on standard input: place MODEL ITEM [ISIL] | remove UID|all | list | "
          "fault noise|drop|badcrc|silent|truncate N | delay SECONDS | quit", flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        for line in sys.stdin:
            if not _command(emulator, line.split()):
                break
        else:  # started with `&` or from a script: the reader still needs its pad
            print("standard input is closed: no more commands; serving until stopped "
                  "(Ctrl-C or kill)", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _tag_from_spec(spec: str):
    model, _, rest = spec.partition(":")
    item, _, isil = rest.partition(":")
    return make_tag(model, item, isil=isil)


def _command(emulator: ReaderEmulator[Any], words: list[str]) -> bool:
    if not words:
        return True
    verb, args = words[0], words[1:]
    try:
        if verb == "quit":
            return False
        if verb == "place" and len(args) >= 2:
            tag = make_tag(args[0], args[1], isil=args[2] if len(args) > 2 else "")
            emulator.store.place(tag)
            print(f"placed {tag.uid}", flush=True)
        elif verb == "remove" and args:
            if args[0] == "all":
                emulator.store.clear()
            else:
                emulator.store.remove(*args)
        elif verb == "list":
            for tag in emulator.store.tags():
                print(f"{tag.uid} dsfid={tag.dsfid:02X} afi={tag.afi:02X} eas={int(tag.eas)} "
                      f"{bytes(tag.memory[:36]).hex()}", flush=True)
        elif verb == "fault" and len(args) == 2:
            name = {"badcrc": "bad_crc"}.get(args[0], args[0])
            if name not in ("noise", "drop", "bad_crc", "silent", "truncate"):
                raise ValueError(f"unknown fault {args[0]}")
            setattr(emulator.faults, name, int(args[1]))
        elif verb == "delay" and len(args) == 1:
            emulator.faults.delay = float(args[0])
        else:
            print(f"unknown command: {' '.join(words)}", flush=True)
    except ValueError as exc:
        print(f"error: {exc}", flush=True)
    return True
