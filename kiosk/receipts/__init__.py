"""Receipts: printed on an ESC/POS thermal printer or e-mailed from a durable outbox.

The app calls `runtime.receipts.choices()` and `runtime.receipts.deliver(...)` at the end of
a session; everything slow (printer status, SMTP) happens in background threads.
"""

from kiosk.receipts.service import Delivery, ReceiptService

__all__ = ["Delivery", "ReceiptService"]
