"""Device check for technicians (`kiosk devices`): run the configured devices and print what they report.

Prints every status change and every scan with what it was classified as (patron card, item,
technician card, or unknown and why). Lines given as `typed` input are scanned through the
first "sim" or "keyboard" scanner, so the classification rules can be tried without hardware;
the check then ends at the end of input.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO

from kiosk.config import classifier_from_tables
from kiosk.devices.classify import Classifier, ScanKind
from kiosk.devices.events import DeviceEvent, DeviceStatus, Scan
from kiosk.devices.injected_scanner import InjectedScanner
from kiosk.devices.manager import DeviceManager


def describe(event: DeviceEvent, classifier: Classifier) -> str:
    """One line for a device event, scans with their classification."""
    clock = time.strftime("%H:%M:%S", time.localtime(event.timestamp))
    if isinstance(event, DeviceStatus):
        return f"{clock}  {event.source:<12} {event.state.value:<12} {event.detail}"
    if isinstance(event, Scan):
        result = classifier.classify(event.text)
        symbology = f" [{event.symbology}]" if event.symbology else ""
        if result.kind is ScanKind.UNKNOWN:
            hint = f" (looks like {result.candidate.value})" if result.candidate else ""
            meaning = f"unknown: {result.reason}{hint}"
        else:
            meaning = result.kind.value
        return f"{clock}  {event.source:<12} scan         {result.text!r}{symbology} -> {meaning}"
    return f"{clock}  {getattr(event, 'source', '?'):<12} {type(event).__name__:<12} {event}"


def watch(tables: Mapping[str, Any], out: TextIO, typed: TextIO | None = None,
          seconds: float | None = None) -> int:
    """Run the devices of a configuration's `tables` until `seconds` pass, `typed` input ends, or
    Ctrl-C, printing each event to `out` with what scans mean; return the exit status."""
    events: queue.Queue[DeviceEvent] = queue.Queue()
    manager = DeviceManager.from_config(tables, events.put)
    classifier = classifier_from_tables(tables)
    typed_done = threading.Event()
    if typed is not None:
        target = next((d for d in manager.devices if isinstance(d, InjectedScanner)), None)
        if target is None:
            print("--stdin needs a scanner with driver \"sim\" or \"keyboard\"", file=sys.stderr)
            return 2

        def feed() -> None:
            for line in typed:
                target.inject(line)
            typed_done.set()

    deadline = None if seconds is None else time.monotonic() + seconds
    manager.start()
    if typed is not None:
        threading.Thread(target=feed, name="typed-scans", daemon=True).start()
    try:
        while deadline is None or time.monotonic() < deadline:
            try:
                print(describe(events.get(timeout=0.1), classifier), file=out, flush=True)
            except queue.Empty:
                if typed_done.is_set():
                    break
    except KeyboardInterrupt:
        pass
    finally:
        manager.stop()
        while not events.empty():
            print(describe(events.get_nowait(), classifier), file=out, flush=True)
    return 0
