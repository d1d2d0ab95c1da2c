"""Device drivers: barcode scanners and RFID pads, each delivering events to one sink."""
