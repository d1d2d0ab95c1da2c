"""Monitoring of a running kiosk: a status snapshot, Prometheus metrics, a heartbeat, staff alerts.

`runtime.attach(Monitoring(runtime))` runs it all in background threads beside a running kiosk,
which it reads through a small interface (`status.Observed`); the pieces are usable alone
(`take_status`, `render_metrics`, `AlertRules`).
"""

from kiosk.monitoring.service import Monitoring
from kiosk.monitoring.status import KioskStatus, take_status

__all__ = ["KioskStatus", "Monitoring", "take_status"]
