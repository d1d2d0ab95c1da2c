"""Round trips per second through the ACS emulator, beside a canned-reply baseline.

    python -m bench.emulator_throughput [--requests 400] [--clients 1 8]

The baseline is a bare TCP server on the same machine that answers every line with one
fixed 98 reply: the floor set by sockets and threads. The ratio says what the codec, the
rules and the SQLite transaction (every request is logged) cost on top. The machine is
shared, so compare ratios from one run rather than absolute figures between runs.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Callable

from sip2 import messages as m
from sip2.connection import Connection
from sip2.emulator import DEMO, ACSEmulator

CANNED = Connection().reply(m.ACSStatus(online=True, institution_id="DEMO", supported_messages="Y" * 16),
                            to=None)


class CannedServer:
    """Answers each CR-terminated line with the same bytes; the baseline."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        with sock:
            buffer = b""
            while data := sock.recv(65536):
                buffer += data
                while b"\r" in buffer:
                    _, buffer = buffer.split(b"\r", 1)
                    sock.sendall(CANNED)

    def close(self) -> None:
        """Stop accepting (client threads end with their sockets)."""
        self.listener.close()


def round_trips(address: tuple[str, int], make_request: Callable[[int, int], m.Message],
                clients: int, per_client: int, login: bool) -> float:
    """Requests per second with `clients` connections each sending `per_client` requests."""
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(index: int) -> None:
        try:
            with socket.create_connection(address, timeout=30) as sock:
                connection = Connection()
                if login:
                    exchange(sock, connection, m.Login(login_user_id="kiosk", login_password="kiosk"))
                barrier.wait()
                for n in range(per_client):
                    exchange(sock, connection, make_request(index, n))
        except BaseException as exc:  # reported after the run
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return clients * per_client / elapsed


def exchange(sock: socket.socket, connection: Connection, request: m.Message) -> m.Message:
    """Send one request, read its reply."""
    sock.sendall(connection.send(request))
    while (received := connection.next_received()) is None:
        connection.receive_data(sock.recv(65536))
    return received.message


def item_information(index: int, n: int) -> m.Message:
    return m.ItemInformation(institution_id="DEMO", item_id=DEMO.available_items[n % 20])


def checkout_then_checkin(index: int, n: int) -> m.Message:
    item = DEMO.available_items[index % 20]
    if n % 2 == 0:
        return m.Checkout(institution_id="DEMO", patron_id=DEMO.second_good_patron, item_id=item)
    return m.Checkin(institution_id="DEMO", current_location="bench", item_id=item)


def main(argv: list[str] | None = None) -> int:
    """Print requests per second for each workload and client count, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per client (default 400)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args(argv)
    baseline = CannedServer()
    print(f"{'workload':<28}{'clients':>8}{'req/s':>10}{'baseline req/s':>16}{'ratio':>8}")
    try:
        for clients in args.clients:
            floor = round_trips(baseline.address, item_information, clients, args.requests, login=False)
            for name, workload in (("17 item information", item_information),
                                   ("11 checkout / 09 checkin", checkout_then_checkin)):
                with ACSEmulator() as emu:
                    rate = round_trips(emu.address, workload, min(clients, 20), args.requests, login=True)
                print(f"{name:<28}{clients:>8}{rate:>10.0f}{floor:>16.0f}{floor / rate:>7.1f}x")
    finally:
        baseline.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
