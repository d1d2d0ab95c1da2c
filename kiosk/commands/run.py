"""`kiosk run`: the touchscreen app on its configuration (what the systemd service starts)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import startup_gc
from kiosk.config import DEFAULT_PATH, ConfigError, KioskConfig, load_config
from kiosk.log_setup import configure_logging
from kiosk.window_setup import configure_window

if TYPE_CHECKING:
    from kiosk.core.runtime import KioskRuntime


def register(commands: argparse._SubParsersAction) -> None:
    """Add `kiosk run` to the `kiosk` command."""
    run = commands.add_parser("run", help="run the kiosk: the touchscreen app on its configuration")
    run.add_argument("--config", default=None, help=f"configuration file (default {DEFAULT_PATH})")
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    startup_gc.pause()  # until the runtime is ready (KioskApp._runtime_ready settles it)
    path = args.config or DEFAULT_PATH
    try:
        # The device tables' check imports every driver (tens of ms): it runs again in full,
        # behind the idle screen, before the runtime is built (see runtime_factory).
        config = load_config(path, check_devices=False)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    configure_logging([config.patron.pattern])  # card numbers never reach the journal in clear
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")  # Kivy's messages reach the same handler
    configure_window(config)
    from kiosk.app import KioskApp  # imports Kivy, which reads its window settings then: after configure_window

    app = KioskApp(runtime_factory(path), config=config)  # the idle screen first, the runtime behind it
    app.run()
    return app.exit_code


def runtime_factory(path: str | Path) -> Callable[[], KioskRuntime]:
    """What the app calls behind its first frame: the configuration read again with its device
    tables checked, then the runtime built on it. A wrong table raises the ConfigError naming
    its file, which the app shows on the out-of-service screen."""
    return lambda: build_runtime(load_config(path))


def build_runtime(config: KioskConfig) -> KioskRuntime:
    """The kiosk's runtime with its monitoring (metrics, heartbeat, staff alerts) attached."""
    # Loaded here, on the worker behind the idle screen: the runtime's modules take about half a
    # second to import, which would delay the first frame.
    from kiosk.core.runtime import KioskRuntime
    from kiosk.monitoring import Monitoring

    runtime = KioskRuntime(config)
    runtime.attach(Monitoring(runtime))
    return runtime
