"""Per-request overhead of `SIP2Client`: a checkout through the client against a bare socket.

A canned-reply ACS runs in its own process on 127.0.0.1 (ephemeral port): it reads each
request line and answers at once with a fixed, valid 12 checkout reply carrying the
request's sequence number (the ten possible replies are encoded before it starts). Two
callers take turns against it, in interleaved blocks:

- "bare socket": sends the very bytes the client sends for a checkout and reads up to the CR;
- "SIP2Client": `client.checkout(patron, item)`, which builds, encodes, sends, reads, frames,
  decodes and checks the reply.

The server does the same work for both, so client overhead = client - bare socket, per request.
When the checkout has the project's ACS emulator (`sip2.emulator`), a third caller does the
same checkout through SIP2Client against it (its own process, demo library), for scale.
Medians and 99th percentiles are printed in microseconds.

Run: .venv/bin/python -m bench.bench_roundtrip [--rounds N] [--block N]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import multiprocessing
import pstats
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sip2, not an installed one

from sip2.checksum import ChecksumMode  # noqa: E402
from sip2.client import SIP2Client  # noqa: E402
from sip2.codec import encode  # noqa: E402
from sip2.connection import ConnectionSettings  # noqa: E402
from sip2.messages import Checkout, CheckoutResponse  # noqa: E402

from bench.timing import median, percentile, print_table  # noqa: E402

ENCODING = "utf-8"
INSTITUTION, TERMINAL_PASSWORD = "Central Library", "term-pw"
PATRON, ITEM = "23000001", "39000000123"
SETTINGS = ConnectionSettings(encoding=ENCODING, terminator=b"\r", checksums=ChecksumMode.ON)


def canned_replies() -> list[bytes]:
    """The checkout reply, encoded once for each sequence number 0-9."""
    reply = CheckoutResponse(
        ok=True, renewal_ok=False, magnetic_media=False, desensitize=True,
        transaction_date=datetime(2026, 1, 30, 10, 15), institution_id=INSTITUTION,
        patron_id=PATRON, item_id=ITEM, title="Café crème: a history of coffee in Europe",
        due_date="20260227    235959", media_type="001",
        screen_messages=("Due 27 February 2026",), print_lines=("Due 27/02/2026",))
    return [encode(reply, encoding=ENCODING, sequence=n, error_detection=True) for n in range(10)]


def serve_canned(ready: Pipe) -> None:
    """Answer every request line with the canned reply, a thread per connection (runs in a child process)."""
    replies = canned_replies()
    serve_lines(ready, lambda line: replies)


def serve_lines(ready: Pipe, replies_for: Callable[[bytes], list[bytes]]) -> None:
    """Listen on a free port of 127.0.0.1 (sent through `ready`) and answer each request line at once
    with `replies_for(line)[n]`, n the request's sequence number, a thread per connection."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ready.send(listener.getsockname()[1])
        while True:
            sock, _ = listener.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_answer_lines, args=(sock, replies_for), daemon=True).start()


def _answer_lines(sock: socket.socket, replies_for: Callable[[bytes], list[bytes]]) -> None:
    with sock:
        buffer = b""
        while data := sock.recv(65536):
            buffer += data
            while (end := buffer.find(b"\r")) >= 0:
                line, buffer = buffer[:end], buffer[end + 1:]
                # the reply carries the request's sequence number: the digit after AY in 'AY<n>AZxxxx'
                sequence = line[-7] - 48 if line[-9:-7] == b"AY" else 0
                sock.sendall(replies_for(line)[sequence if 0 <= sequence <= 9 else 0])


def bare_checkout(port: int) -> tuple[Callable[[], None], socket.socket]:
    """A caller that sends a checkout's bytes and reads the reply up to its CR, nothing more."""
    request = encode(Checkout(transaction_date=datetime(2026, 1, 30, 10, 15),
                              nb_due_date=datetime(2026, 1, 30, 10, 15), institution_id=INSTITUTION,
                              patron_id=PATRON, item_id=ITEM, terminal_password=TERMINAL_PASSWORD),
                     encoding=ENCODING, sequence=0, error_detection=True)
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def once() -> None:
        sock.sendall(request)
        data = sock.recv(65536)
        while not data.endswith(b"\r"):
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("the canned ACS closed the connection")
            data += more

    return once, sock


def client_checkout(port: int) -> tuple[Callable[[], None], SIP2Client]:
    """A caller that does a checkout through SIP2Client."""
    client = SIP2Client("127.0.0.1", port, settings=SETTINGS, institution_id=INSTITUTION,
                        terminal_password=TERMINAL_PASSWORD, timeout=5.0)
    client.connect()

    def once() -> None:
        reply = client.checkout(PATRON, ITEM)
        if not reply.ok:
            raise RuntimeError(f"unexpected checkout reply: {reply}")

    return once, client


def sample(callers: dict[str, Callable[[], None]], *, rounds: int, block: int) -> dict[str, list[float]]:
    """Per-request times in microseconds, callers taking turns block by block."""
    times: dict[str, list[float]] = {name: [] for name in callers}
    for once in callers.values():  # warm up connections, caches and the server
        for _ in range(block):
            once()
    names = list(callers)
    clock = time.perf_counter_ns
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            once, out = callers[name], times[name]
            for _ in range(block):
                start = clock()
                once()
                out.append((clock() - start) / 1000)
    return times


def emulator_available() -> bool:
    """Whether this checkout has the project's ACS emulator (`sip2.emulator`)."""
    return importlib.util.find_spec("sip2.emulator") is not None


def serve_emulator(ready: Pipe) -> None:
    """Run the project's ACS emulator (demo library, no login needed) until stopped (child process)."""
    from sip2.emulator import ACSEmulator

    with ACSEmulator(port=0, settings=SETTINGS, require_login=False) as emulator:
        ready.send(emulator.address[1])
        threading.Event().wait()


def emulator_checkout(port: int) -> tuple[Callable[[], None], SIP2Client]:
    """A caller that does a checkout of a demo item through SIP2Client against the emulator.

    The same patron checks out the same item over and over: after the first time the emulator
    answers as its rules say ("already checked out to you"), still one 12 reply per request.
    """
    from sip2.emulator import DEMO

    client = SIP2Client("127.0.0.1", port, settings=SETTINGS, institution_id="DEMO", timeout=5.0)
    client.connect()
    patron, item = DEMO.good_patron, DEMO.available_items[0]

    def once() -> None:
        client.checkout(patron, item)

    return once, client


@contextmanager
def served(target: Callable[[Pipe], None], what: str) -> Iterator[int]:
    """Run `target` in its own process until the block ends; yield the port it listens on."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=target, args=(theirs,), daemon=True)
    server.start()
    try:
        if not ours.poll(30):
            raise SystemExit(f"the {what} did not start within 30 s")
        yield ours.recv()
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds (default 20)")
    parser.add_argument("--block", type=int, default=500, help="requests per caller per round (default 500)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="afterwards, profile N more checkouts through the client and print where time goes")
    args = parser.parse_args()

    with ExitStack() as stack:
        port = stack.enter_context(served(serve_canned, "canned ACS"))
        bare, sock = bare_checkout(port)
        stack.callback(sock.close)
        through_client, client = client_checkout(port)
        stack.callback(client.close)
        callers = {"bare socket": bare, "SIP2Client": through_client}
        if emulator_available():
            emulator_port = stack.enter_context(served(serve_emulator, "ACS emulator"))
            callers["SIP2Client, ACS emulator"], emulator_client = emulator_checkout(emulator_port)
            stack.callback(emulator_client.close)
        times = sample(callers, rounds=args.rounds, block=args.block)
        profile = profile_client(through_client, args.profile) if args.profile else None

    print(f"SIP2 round trip on loopback: checkout (11 -> 12), each ACS in its own process; "
          f"{args.rounds} interleaved rounds of {args.block} requests per caller")
    rows = [[name, len(t), median(t), percentile(t, 0.99)] for name, t in times.items()]
    print_table(["caller", "requests", "median us", "p99 us"], rows)
    bare_t, client_t = times["bare socket"], times["SIP2Client"]
    print(f"client overhead per request: median {median(client_t) - median(bare_t):.1f} us, "
          f"p99 {percentile(client_t, 0.99) - percentile(bare_t, 0.99):.1f} us "
          f"(SIP2Client - bare socket, both against the canned ACS)")
    if not emulator_available():
        print("ACS emulator: not in this checkout (no sip2.emulator), so no line for it")
    if profile is not None:
        print(f"\nwhere the client's time goes ({args.profile} checkouts, profiled, so slower than above):")
        profile.sort_stats("tottime").print_stats(15)


def profile_client(once: Callable[[], None], count: int) -> pstats.Stats:
    """Run `count` checkouts under cProfile."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        once()
    profiler.disable()
    return pstats.Stats(profiler)


if __name__ == "__main__":
    main()
