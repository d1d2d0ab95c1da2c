"""Python's garbage collector around the kiosk's start-up.

Start-up makes hundreds of thousands of objects that live as long as the kiosk (Kivy, the screens,
the runtime) and hardly any garbage: collecting while they are made only slows the first frame.
Once the kiosk is ready they are set aside (`gc.freeze`), so that a full collection during a
patron's scan walks only what was made since, instead of pausing the screen for 50-150 ms.
"""

from __future__ import annotations

import gc


def pause() -> None:
    """No collections until `settle()`: call first thing when the kiosk starts."""
    gc.disable()


def settle() -> None:
    """Start-up is over: collect what garbage it left, set the survivors aside, collect again as usual."""
    gc.collect()
    gc.freeze()
    gc.enable()


def release() -> None:
    """The app is stopping: what was set aside may be collected again (a process that starts
    another app, such as the tests, does not keep the old one's objects for good)."""
    gc.unfreeze()
