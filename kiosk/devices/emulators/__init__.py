"""Emulated devices speaking the real wire protocols, for tests, the demo and bench checks."""
