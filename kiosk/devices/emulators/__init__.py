"""Emulated devices speaking their real wire protocols: for tests, the demo and technicians' bench checks."""
