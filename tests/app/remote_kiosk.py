"""The real kiosk app in a process of its own, headless, touched on command.

    python -m tests.app.remote_kiosk CONFIG.json

Scans and RFID items reach it only through its configured devices (a serial scanner and a pad
on emulators the caller runs); the caller's touches come as JSON lines on standard input, one
command each, and every answer is one JSON line on standard output:

    ["press", "Return items"]          touch the visible button with that text
    ["pin", "1234"]                    touch the digits on the PIN pad, then OK
    ["wait_screen", ["checkout"], 15]  until one of these screens shows (or the time is up)
    ["wait_text", ["Renewed"], 15]     until some visible text contains one of these
    ["wait_items", 2, 15]              until the item list holds that many results
    ["queue"]                          the offline queue's counts
    ["state"]                          the screen and what it shows

Each answer carries "ok", the screen's name and its visible texts. The first line written is
{"ready": true} once every device is connected. Logging goes to standard error, at DEBUG.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
from dataclasses import asdict

os.environ["KIVY_LOG_MODE"] = "PYTHON"  # leave logging and standard error to this program

from kiosk.config import parse_config  # noqa: E402
from kiosk.core.runtime import KioskRuntime  # noqa: E402
from kiosk.devices.events import DeviceState  # noqa: E402

from tests.app.harness import Driver  # noqa: E402  first: sets Kivy's environment and window size


def describe(app: Driver, ok: bool = True, **extra) -> dict:
    """The answer to a command: whether it did what was asked, and what the screen shows."""
    return {"ok": ok, "screen": app.screen_name, "texts": app.texts(), **extra}


def outcomes(app: Driver) -> dict:
    """The item results on the screen: item id -> ok, reason, offline, alerts."""
    found = getattr(app.screen, "outcomes", {}) or {}
    return {item: {"ok": o.ok, "reason": o.reason, "offline": o.offline,
                   "alerts": [a.name for a in o.alerts]} for item, o in found.items()}


def waited(app: Driver, condition, timeout: float) -> bool:
    try:
        app.wait_for(condition, timeout)
        return True
    except AssertionError:
        return False


def run(app: Driver, command: list) -> dict:
    """Carry out one command on the app."""
    what, args = command[0], command[1:]
    if what == "press":
        app.settle()
        try:
            app.touch(app.button(args[0]), quick=True)
        except AssertionError as exc:
            return describe(app, False, error=str(exc))
        return describe(app)
    if what == "pin":
        app.wait_for(lambda: app.screen_name == "login")
        app.settle()
        app.type_on_pad(args[0], quick=True)
        app.wait_for(lambda: app.screen.entry == args[0])
        app.touch(app.button("OK"), quick=True)
        app.settle()
        return describe(app)
    if what == "wait_screen":
        ok = waited(app, lambda: app.screen_name in args[0], args[1])
        app.settle()
        return describe(app, ok and app.screen_name in args[0])
    if what == "wait_text":
        ok = waited(app, lambda: any(app.shows(f) for f in args[0]), args[1])
        app.settle()
        return describe(app, ok)
    if what == "wait_items":
        # A set's parts arrive one by one: wait for the result of the whole set.
        ok = waited(app, lambda: len(outcomes(app)) >= args[0] and app.app._busy_jobs == 0 and not any(
            "INCOMPLETE_SET" in o["alerts"] for o in outcomes(app).values()), args[1])
        return describe(app, ok, outcomes=outcomes(app))
    if what == "queue":
        return describe(app, counts=asdict(app.runtime.queue.counts()))
    if what == "state":
        return describe(app)
    return describe(app, False, error=f"unknown command {what!r}")


def main(config_path: str) -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with open(config_path, encoding="utf-8") as file:
        config = parse_config(json.load(file), source=config_path)
    app = Driver(lambda: KioskRuntime(config), config=config)
    app.wait_for(lambda: all(s.state is DeviceState.CONNECTED for s in app.runtime.devices.summaries()),
                 30, what="the devices")
    print(json.dumps({"ready": True}), flush=True)
    while True:
        app.pump(0.02)
        readable, _, _ = select.select([sys.stdin], [], [], 0)
        if not readable:
            continue
        line = sys.stdin.readline()
        if not line:
            break
        try:
            answer = run(app, json.loads(line))
        except Exception as exc:  # the caller reads the failure; the kiosk keeps running
            logging.exception("command %s failed", line.strip())
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "screen": app.screen_name}
        print(json.dumps(answer), flush=True)
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
