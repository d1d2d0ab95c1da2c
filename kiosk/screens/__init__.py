"""Kivy screens of the patron app and the technician mode."""
