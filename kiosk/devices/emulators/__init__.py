"""Emulators of the kiosk's devices: real programs for tests and for technicians' bench checks."""
