"""Round trips per second through the ACS emulator, beside a canned-reply baseline.

    python -m bench.emulator_throughput [--requests 400] [--clients 1 8] [--rounds 5]

The baseline is a bare TCP server on the same machine that answers every line with one
fixed 98 reply: the floor set by sockets and threads. The ratio says what the codec, the
rules and the SQLite transaction (every request is logged) cost on top. The machine is
shared, so compare ratios from one run rather than absolute figures between runs: the
baseline and both workloads take turns, round by round, against one running emulator.
Target with one client: at least 2,000 requests per second for each workload.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Callable
from statistics import median

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
    """Print requests per second for each workload and client count beside the baseline, round by round."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per client per round (default 400)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args(argv)
    baseline = CannedServer()
    workloads = {"17 item information": item_information, "11 checkout / 09 checkin": checkout_then_checkin}
    try:
        with ACSEmulator() as emu:
            for clients in args.clients:
                runs = {"baseline (canned 98)": (baseline.address, item_information, False)}
                runs.update({name: (emu.address, workload, True) for name, workload in workloads.items()})
                rates: dict[str, list[float]] = {name: [] for name in runs}
                for round_no in range(args.rounds):
                    for name in runs if round_no % 2 == 0 else reversed(list(runs)):
                        address, workload, login = runs[name]
                        rates[name].append(round_trips(address, workload, clients, args.requests, login))
                print(f"{clients} client(s), {args.rounds} interleaved rounds of {args.requests} requests "
                      "per client; req/s median (lowest-highest), baseline/emulator per round:")
                floor = rates["baseline (canned 98)"]
                for name, values in rates.items():
                    line = f"  {name:<26}{median(values):>8.0f} req/s ({min(values):.0f}-{max(values):.0f})"
                    if values is not floor:
                        ratios = [b / v for b, v in zip(floor, values)]
                        line += (f"   baseline/this {median(ratios):.1f}x ({min(ratios):.1f}-{max(ratios):.1f}; "
                                 + ", ".join(f"{r:.1f}" for r in ratios) + ")")
                    print(line)
    finally:
        baseline.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
