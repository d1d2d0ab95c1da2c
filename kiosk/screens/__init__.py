"""Kivy screens of the patron app and the technician mode.

One `Screen` subclass per module, each with its own `.kv` next to it; screens show the state
the app hands them and forward touches to the app, which asks the kiosk core. The flows
(`patron_flow`, `technician_flow`) decide what comes next without Kivy; `manager` builds the
screens. Nothing is imported here, so a flow can be imported without a window.
"""
