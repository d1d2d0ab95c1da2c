"""Keyboard layouts for keyboard-wedge scanners: physical key code -> character.

The kernel reports physical keys, not characters, so a scanner set to a German layout that
"types" a `z` presses the key a US keyboard calls Y. Each layout here maps a key code to its
character without modifiers, with Shift, and with AltGr (right Alt). Dead keys (the accents
on German and French keyboards) give their character at once, as in the "nodeadkeys" variants:
scanners press a key once per character.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from evdev import ecodes as E

NO_CHAR = "\0"
"""Placeholder in the row strings below for a key that has no character at that level."""

# The four rows of character keys of an ISO keyboard, left to right (KEY_102ND is the
# extra key left of Z that ANSI keyboards lack).
_ROW_NUMBERS = (E.KEY_GRAVE, E.KEY_1, E.KEY_2, E.KEY_3, E.KEY_4, E.KEY_5, E.KEY_6, E.KEY_7,
                E.KEY_8, E.KEY_9, E.KEY_0, E.KEY_MINUS, E.KEY_EQUAL)
_ROW_TOP = (E.KEY_Q, E.KEY_W, E.KEY_E, E.KEY_R, E.KEY_T, E.KEY_Y, E.KEY_U, E.KEY_I, E.KEY_O,
            E.KEY_P, E.KEY_LEFTBRACE, E.KEY_RIGHTBRACE)
_ROW_HOME = (E.KEY_A, E.KEY_S, E.KEY_D, E.KEY_F, E.KEY_G, E.KEY_H, E.KEY_J, E.KEY_K, E.KEY_L,
             E.KEY_SEMICOLON, E.KEY_APOSTROPHE, E.KEY_BACKSLASH)
_ROW_BOTTOM = (E.KEY_102ND, E.KEY_Z, E.KEY_X, E.KEY_C, E.KEY_V, E.KEY_B, E.KEY_N, E.KEY_M,
               E.KEY_COMMA, E.KEY_DOT, E.KEY_SLASH)
_ROWS = (_ROW_NUMBERS, _ROW_TOP, _ROW_HOME, _ROW_BOTTOM)

# Keys that mean the same in every layout here (the keypad as with Num Lock on: scanners
# that use keypad digits mean digits).
_COMMON = {
    E.KEY_SPACE: " ", E.KEY_TAB: "\t",
    E.KEY_KP0: "0", E.KEY_KP1: "1", E.KEY_KP2: "2", E.KEY_KP3: "3", E.KEY_KP4: "4",
    E.KEY_KP5: "5", E.KEY_KP6: "6", E.KEY_KP7: "7", E.KEY_KP8: "8", E.KEY_KP9: "9",
    E.KEY_KPDOT: ".", E.KEY_KPMINUS: "-", E.KEY_KPPLUS: "+", E.KEY_KPASTERISK: "*",
    E.KEY_KPSLASH: "/",
}

SHIFT_KEYS = frozenset({E.KEY_LEFTSHIFT, E.KEY_RIGHTSHIFT})
ALTGR_KEY = E.KEY_RIGHTALT
OTHER_MODIFIERS = frozenset({E.KEY_LEFTCTRL, E.KEY_RIGHTCTRL, E.KEY_LEFTALT,
                             E.KEY_LEFTMETA, E.KEY_RIGHTMETA})
CAPSLOCK_KEY = E.KEY_CAPSLOCK
# Lock keys that scanners sometimes toggle and that carry no character.
IGNORED_KEYS = frozenset({E.KEY_NUMLOCK, E.KEY_SCROLLLOCK})

TERMINATOR_NAMES = {"enter": E.KEY_ENTER, "kpenter": E.KEY_KPENTER, "tab": E.KEY_TAB}
DEFAULT_TERMINATORS = frozenset({E.KEY_ENTER, E.KEY_KPENTER})


class KeymapError(ValueError):
    """A layout or key name in the configuration is not known."""


class Level(IntEnum):
    """Which modifier a character needs."""

    PLAIN = 0
    SHIFT = 1
    ALTGR = 2


@dataclass(frozen=True)
class Keymap:
    """One keyboard layout: key code -> characters by level."""

    name: str
    plain: dict[int, str]
    shifted: dict[int, str]
    altgr: dict[int, str] = field(default_factory=dict)

    def char(self, code: int, level: Level, capslock: bool = False) -> str | None:
        """Return the character of a key at a level, or None if the key has none there.

        Caps Lock swaps case on letters only (keys whose shifted character is the upper-case
        form of the plain one); digits and punctuation are untouched.
        """
        if level is Level.ALTGR:
            return self.altgr.get(code)
        if capslock and self.is_letter(code):
            level = Level.PLAIN if level is Level.SHIFT else Level.SHIFT
        table = self.shifted if level is Level.SHIFT else self.plain
        return table.get(code)

    def is_letter(self, code: int) -> bool:
        """True when Caps Lock affects this key."""
        plain, shifted = self.plain.get(code), self.shifted.get(code)
        return bool(plain and shifted and plain.isalpha() and plain != shifted
                    and plain.upper() == shifted)

    def key_for(self, char: str) -> tuple[int, Level] | None:
        """Find a key and level that types `char` (plain first, then Shift, then AltGr)."""
        for level, table in ((Level.PLAIN, self.plain), (Level.SHIFT, self.shifted),
                             (Level.ALTGR, self.altgr)):
            for code, candidate in table.items():
                if candidate == char:
                    return code, level
        return None


def _table(rows: tuple[str, ...], extra: dict[int, str] | None = None) -> dict[int, str]:
    """Zip the four row strings with the physical rows, skipping NO_CHAR."""
    table: dict[int, str] = {}
    for keys, chars in zip(_ROWS, rows, strict=True):
        if len(keys) != len(chars):
            raise AssertionError(f"row {chars!r} has {len(chars)} characters, {len(keys)} keys")
        table.update((code, char) for code, char in zip(keys, chars) if char != NO_CHAR)
    # After the rows, so that reverse look-ups prefer the main keys to the keypad.
    table.update(_COMMON)
    table.update(extra or {})
    return table


_US = Keymap(
    "us",
    _table(("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'\\", "\0zxcvbnm,./")),
    _table(("~!@#$%^&*()_+", "QWERTYUIOP{}", 'ASDFGHJKL:"|', "\0ZXCVBNM<>?")),
)

_UK = Keymap(
    "uk",
    _table(("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "\\zxcvbnm,./")),
    _table(("¬!\"£$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:@~", "|ZXCVBNM<>?")),
    {E.KEY_4: "€", E.KEY_GRAVE: "¦"},
)

_DE = Keymap(
    "de",
    _table(("^1234567890ß´", "qwertzuiopü+", "asdfghjklöä#", "<yxcvbnm,.-"),
           {E.KEY_KPDOT: ","}),
    _table(("°!\"§$%&/()=?`", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ'", ">YXCVBNM;:_"),
           {E.KEY_KPDOT: ","}),
    {E.KEY_Q: "@", E.KEY_E: "€", E.KEY_2: "²", E.KEY_3: "³", E.KEY_7: "{", E.KEY_8: "[",
     E.KEY_9: "]", E.KEY_0: "}", E.KEY_MINUS: "\\", E.KEY_RIGHTBRACE: "~", E.KEY_102ND: "|",
     E.KEY_M: "µ"},
)

_FR = Keymap(
    "fr",
    _table(("²&é\"'(-è_çà)=", "azertyuiop^$", "qsdfghjklmù*", "<wxcvbn,;:!")),
    _table(("\0" "1234567890°+", "AZERTYUIOP¨£", "QSDFGHJKLM%µ", ">WXCVBN?./§")),
    {E.KEY_2: "~", E.KEY_3: "#", E.KEY_4: "{", E.KEY_5: "[", E.KEY_6: "|", E.KEY_7: "`",
     E.KEY_8: "\\", E.KEY_9: "^", E.KEY_0: "@", E.KEY_MINUS: "]", E.KEY_EQUAL: "}",
     E.KEY_E: "€", E.KEY_RIGHTBRACE: "¤"},
)

LAYOUTS: dict[str, Keymap] = {"us": _US, "uk": _UK, "gb": _UK, "de": _DE, "fr": _FR}
"""Layouts by name; "gb" is accepted as the ISO code of "uk"."""


def keymap(name: str) -> Keymap:
    """Return the layout called `name` (case-insensitive) or raise KeymapError."""
    try:
        return LAYOUTS[name.strip().lower()]
    except (KeyError, AttributeError):
        raise KeymapError(f"unknown keyboard layout {name!r}; known: "
                          f"{', '.join(sorted(LAYOUTS))}") from None


def terminator_codes(names: list[str] | tuple[str, ...]) -> frozenset[int]:
    """Turn terminator names ("enter", "kpenter", "tab") into key codes."""
    codes = set()
    for name in names:
        key = str(name).strip().lower()
        if key not in TERMINATOR_NAMES:
            raise KeymapError(f"unknown terminator key {name!r}; known: "
                              f"{', '.join(TERMINATOR_NAMES)}")
        codes.add(TERMINATOR_NAMES[key])
    if not codes:
        raise KeymapError("at least one terminator key is needed")
    return frozenset(codes)


def key_name(code: int) -> str:
    """A readable name for a key code, e.g. "KEY_F13 (183)"."""
    names = E.KEY.get(code) or E.BTN.get(code)
    if isinstance(names, (list, tuple)):
        names = names[0]
    return f"{names} ({code})" if names else f"key code {code}"
