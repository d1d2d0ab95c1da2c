"""Every text colour of each theme against the colour it is drawn on, as the kv rules pair them:
WCAG 2 contrast of at least 4.5:1 (level AA) in the normal theme and 7:1 (AAA) in high contrast."""

from __future__ import annotations

import pytest

from kiosk.app import THEMES

LEAST = {"normal": 4.5, "contrast": 7.0}
DISABLED_ALPHA = 0.7  # widgets.kv: a disabled button's text is the foreground at this opacity

# (text, background) as widgets.kv and the screens draw them
PAIRS = (
    ("fg", "bg"),  # text on the screen
    ("fg", "panel"),  # text in rows, toggles and fields
    ("button_text", "button"),  # buttons, chosen toggles, the progress indicator
    ("bg", "fg"),  # a button while pressed
    ("ok", "panel"), ("bad", "panel"), ("warn", "panel"),  # how an item went, in its row
    ("ok", "bg"), ("bad", "bg"), ("warn", "bg"),  # the screen's message line
    ("banner_text", "banner"),  # the offline banner
)


def rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(channels: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: tuple[float, float, float], background: tuple[float, float, float]) -> float:
    lighter, darker = sorted((luminance(text), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_colour_stands_out_from_what_it_is_drawn_on(theme):
    colours = {name.removeprefix("color_"): rgb(value) for name, value in THEMES[theme].items()}
    weak = [f"{text} on {background}: {contrast(colours[text], colours[background]):.2f}"
            for text, background in PAIRS if contrast(colours[text], colours[background]) < LEAST[theme]]
    assert not weak, f"{theme} theme, below {LEAST[theme]}:1: {weak}"


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_a_disabled_button_can_still_be_read(theme):
    colours = {name.removeprefix("color_"): rgb(value) for name, value in THEMES[theme].items()}
    blended = tuple(DISABLED_ALPHA * f + (1 - DISABLED_ALPHA) * b for f, b in zip(colours["fg"], colours["bg"]))
    assert contrast(blended, colours["bg"]) >= LEAST["normal"]  # AA: it says what cannot be done now
