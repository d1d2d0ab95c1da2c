"""Keyboard-wedge decoding: evdev key events in, scanned strings out (no device, no clock).

A USB scanner in keyboard mode "types" each barcode as key presses and ends it with Enter.
The decoder keeps the state a keyboard driver would (which Shift/AltGr keys are held, Caps
Lock) and turns key-down events into characters with the configured layout. Anything it
cannot trust (an unknown key, a scan interrupted for longer than the inter-key timeout) is
returned as a `DiscardedKeys` outcome with a reason, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evdev import ecodes as E

from kiosk.devices.keymaps import (
    ALTGR_KEY,
    CAPSLOCK_KEY,
    DEFAULT_TERMINATORS,
    IGNORED_KEYS,
    OTHER_MODIFIERS,
    SHIFT_KEYS,
    Keymap,
    Level,
    key_name,
    keymap,
)

KEY_DOWN, KEY_UP, KEY_REPEAT = 1, 0, 2


class WedgeDecodeError(ValueError):
    """The object fed to the decoder is not an input event at all."""


@dataclass(frozen=True)
class DecodedScan:
    """A complete scan: the characters typed before a terminator key."""

    text: str
    timestamp: float


@dataclass(frozen=True)
class DiscardedKeys:
    """Key presses that did not make a trustworthy scan, and why."""

    reason: str
    partial: str
    timestamp: float


DecodeOutcome = DecodedScan | DiscardedKeys


class WedgeDecoder:
    """Stateful decoder for one scanner's key events."""

    def __init__(self, layout: str | Keymap = "us", terminators: frozenset[int] = DEFAULT_TERMINATORS,
                 inter_key_timeout: float = 0.5, max_length: int = 256) -> None:
        self.keymap = layout if isinstance(layout, Keymap) else keymap(layout)
        self.terminators = frozenset(terminators)
        self.inter_key_timeout = inter_key_timeout
        self.max_length = max_length
        self.capslock = False
        self._held: set[int] = set()
        self._chars: list[str] = []
        self._problem = ""
        self._last_key_time: float | None = None

    def reset(self) -> None:
        """Forget everything (after the device was reopened: keys held before are gone)."""
        self.capslock = False
        self._held.clear()
        self._clear_scan()
        self._last_key_time = None

    def feed_all(self, events: Iterable[Any]) -> list[DecodeOutcome]:
        """Feed several events; return every outcome in order."""
        outcomes: list[DecodeOutcome] = []
        for event in events:
            outcomes.extend(self.feed(event))
        return outcomes

    def feed(self, event: Any) -> list[DecodeOutcome]:
        """Feed one `evdev.InputEvent`; return the scans (or discarded scans) it completes."""
        etype, code, value, timestamp = _fields(event)
        if etype != E.EV_KEY or value not in (KEY_DOWN, KEY_UP, KEY_REPEAT):
            return []
        if value == KEY_REPEAT:  # a scanner never holds a key; repeats are noise
            return []
        outcomes: list[DecodeOutcome] = []
        if self._in_progress() and self._last_key_time is not None \
                and timestamp - self._last_key_time > self.inter_key_timeout:
            gap = timestamp - self._last_key_time
            outcomes.append(self._discard(f"incomplete scan: no key for {gap:.2f} s "
                                          f"(limit {self.inter_key_timeout:.2f} s)", timestamp))
        self._last_key_time = timestamp
        if code in SHIFT_KEYS or code == ALTGR_KEY or code in OTHER_MODIFIERS:
            if value == KEY_DOWN:
                self._held.add(code)
            else:
                self._held.discard(code)
            return outcomes
        if value != KEY_DOWN:
            return outcomes
        if code == CAPSLOCK_KEY:
            self.capslock = not self.capslock
        elif code in self.terminators:
            outcomes.extend(self._finish(timestamp))
        elif code not in IGNORED_KEYS:
            self._type(code)
        return outcomes

    def _type(self, code: int) -> None:
        if self._problem:
            return
        level, problem = self._level(code)
        char = None if problem else self.keymap.char(code, level, self.capslock)
        if problem:
            self._problem = problem
        elif char is None:
            with_modifier = {Level.SHIFT: " with Shift", Level.ALTGR: " with AltGr"}.get(level, "")
            self._problem = (f"unknown key {key_name(code)}{with_modifier} "
                             f"in layout {self.keymap.name!r}")
        elif len(self._chars) >= self.max_length:
            self._problem = f"more than {self.max_length} characters without a terminator"
        else:
            self._chars.append(char)

    def _level(self, code: int) -> tuple[Level, str]:
        """Which level the held modifiers select, or a reason why no character applies."""
        others = self._held & OTHER_MODIFIERS
        if others:
            names = "+".join(sorted(key_name(c) for c in others))
            return Level.PLAIN, f"{names} held with {key_name(code)}: not a character"
        shift, altgr = bool(self._held & SHIFT_KEYS), ALTGR_KEY in self._held
        if shift and altgr:
            return Level.PLAIN, f"Shift+AltGr with {key_name(code)} is not supported"
        if altgr:
            return Level.ALTGR, ""
        return (Level.SHIFT if shift else Level.PLAIN), ""

    def _finish(self, timestamp: float) -> list[DecodeOutcome]:
        if self._problem:
            return [self._discard(self._problem, timestamp)]
        if not self._chars:
            return []  # a lone terminator is not a scan
        scan = DecodedScan("".join(self._chars), timestamp)
        self._clear_scan()
        return [scan]

    def _discard(self, reason: str, timestamp: float) -> DiscardedKeys:
        outcome = DiscardedKeys(reason, "".join(self._chars), timestamp)
        self._clear_scan()
        return outcome

    def _in_progress(self) -> bool:
        return bool(self._chars or self._problem)

    def _clear_scan(self) -> None:
        self._chars.clear()
        self._problem = ""


def _fields(event: Any) -> tuple[int, int, int, float]:
    """Read type, code, value and time from an event, or raise WedgeDecodeError."""
    try:
        fields = (event.type, event.code, event.value, event.sec, event.usec)
    except AttributeError:
        raise WedgeDecodeError(f"not an input event: {event!r}") from None
    # `type(...) is int` also keeps out bools; InputEvent fields are plain ints.
    if not all(type(v) is int for v in fields):
        raise WedgeDecodeError(f"input event with non-integer fields: {event!r}")
    etype, code, value, sec, usec = fields
    return etype, code, value, sec + usec / 1_000_000
