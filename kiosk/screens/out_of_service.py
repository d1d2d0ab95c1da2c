"""Out of service: the kiosk cannot serve patrons now; the reason is shown small, for staff."""

from __future__ import annotations

from kiosk.screens.widgets import KioskScreen


class OutOfServiceScreen(KioskScreen):
    """Shown until the cause clears (or a technician switches the kiosk back on)."""


SCREEN = OutOfServiceScreen
