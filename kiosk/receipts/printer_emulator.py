"""A network ESC/POS printer on the bench: keeps what it is sent and answers status questions.

Run `python -m kiosk.receipts.printer_emulator --port 9100` and point `[printer]` at it to
see the kiosk's receipts without paper; `--paper out` or `--offline` show how the kiosk
reacts. Tests use `PrinterEmulator` on 127.0.0.1 with port 0.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading

from kiosk.receipts.printer_status import ASK_ONLINE, ASK_PAPER

ONLINE, OFFLINE = 0x12, 0x1A
PAPER_OK, PAPER_LOW, PAPER_OUT = 0x12, 0x1E, 0x72


class PrinterEmulator:
    """A TCP "raw port" printer; set `online_byte`/`paper_byte` to change what it reports."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.online_byte = ONLINE
        self.paper_byte = PAPER_OK
        self.silent = False  # True: never answer status questions (a printer that hung)
        self.received = bytearray()
        self._server = socket.create_server((host, port))
        self.address = self._server.getsockname()[:2]
        self._thread = threading.Thread(target=self._serve, name="printer-emulator", daemon=True)
        self._lock = threading.Lock()

    def start(self) -> PrinterEmulator:
        """Accept connections in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close the listening socket."""
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass  # never listened to by a thread, or already shut
        self._server.close()
        if self._thread.is_alive():
            self._thread.join(5)

    def printed(self) -> bytes:
        """Everything received except the status questions."""
        with self._lock:
            return bytes(self.received).replace(ASK_ONLINE, b"").replace(ASK_PAPER, b"")

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        tail = b""  # the last two bytes of the previous read: a question may straddle two reads
        with conn:
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                with self._lock:
                    self.received += data
                window, tail = tail + data, (tail + data)[-2:]
                for question, answer in ((ASK_ONLINE, self.online_byte), (ASK_PAPER, self.paper_byte)):
                    for _ in range(window.count(question)):
                        if not self.silent:
                            conn.sendall(bytes([answer]))


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted, printing what arrives as text."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.receipts.printer_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--paper", choices=("ok", "low", "out"), default="ok")
    parser.add_argument("--offline", action="store_true")
    args = parser.parse_args(argv)
    emulator = PrinterEmulator(args.host, args.port)
    emulator.paper_byte = {"ok": PAPER_OK, "low": PAPER_LOW, "out": PAPER_OUT}[args.paper]
    emulator.online_byte = OFFLINE if args.offline else ONLINE
    print(f"ESC/POS printer emulator on {emulator.address[0]}:{emulator.address[1]}", file=sys.stderr)
    emulator.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
