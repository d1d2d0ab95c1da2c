"""Library self-checkout kiosk: circulation core, device drivers and touchscreen app."""

__version__ = "0.1.0"
