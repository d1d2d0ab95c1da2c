"""Typed reading of one configuration table, with errors that name the table and the key.

The kiosk's settings and every driver's are read through a `ConfigTable`; every key read is
remembered so that keys nobody read (typos such as `baudrat`) are refused, with a "did you
mean", instead of being silently ignored.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any

_MISSING: Any = object()


class ConfigError(ValueError):
    """A configuration value is missing, of the wrong type or out of range."""


def describe(value: Any) -> str:
    """Show a value the way it would be written in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "a table"
    return repr(value)


class ConfigTable:
    """Read keys of one table (e.g. `scanner[1]`) with type checks."""

    def __init__(self, label: str, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{label}: expected a table, got {describe(data)}")
        self.label = label
        self.data = data
        self._read: set[str] = set()

    def error(self, key: str, message: str) -> ConfigError:
        """An error about one key, e.g. `scanner[1].baudrate: expected an integer, got "fast"`."""
        return ConfigError(f"{self.label}.{key}: {message}")

    def has(self, key: str) -> bool:
        """True when the key is present (and mark it as read)."""
        self._read.add(key)
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            unread = [name for name in self.data if name not in self._read]
            close = difflib.get_close_matches(key, unread, n=1, cutoff=0.6)
            hint = f"; found {close[0]!r} (did you mean {key!r}?)" if close else ""
            raise ConfigError(f"{self.label}: missing key {key!r}{hint}")
        return default

    def text(self, key: str, default: Any = _MISSING) -> str:
        """A string value."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {describe(value)}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = _MISSING) -> str:
        """A string that must be one of `choices`."""
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"expected one of {', '.join(choices)}, got {describe(value)}")
        return value

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int, maximum: int) -> int:
        """An integer value within a sane range (booleans are not integers here); TOML's 0x.. hex
        literals are fine."""
        value = self._get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {describe(value)}")
        _check_range(self, key, value, minimum, maximum)
        return value

    def number(self, key: str, default: Any = _MISSING, *, minimum: float, maximum: float) -> float:
        """A number (integer or float) within a sane range."""
        value = self._get(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise self.error(key, f"expected a number, got {describe(value)}")
        _check_range(self, key, value, minimum, maximum)
        return float(value)

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        """A boolean value."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {describe(value)}")
        return value

    def texts(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        """A list of strings."""
        value = self._get(key, default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {describe(value)}")
        return tuple(value)

    def table(self, key: str, default: Any = _MISSING) -> Mapping[str, Any]:
        """A nested table (e.g. `{ "005" = 7 }`)."""
        value = self._get(key, default)
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a table, got {describe(value)}")
        return value

    def check_all_read(self) -> None:
        """Raise ConfigError naming the first key nothing reads, with the closest known key."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(self._read), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.error(unknown[0], f"unknown key{hint}; known keys: {', '.join(sorted(self._read))}")


def _check_range(table: ConfigTable, key: str, value: float, minimum: float, maximum: float) -> None:
    if value < minimum:
        raise table.error(key, f"must be at least {minimum}, got {value}")
    if value > maximum:
        raise table.error(key, f"must be at most {maximum}, got {value}")
