"""Every screen in English, German and French, in the normal, high-contrast and large-text themes,
at 800x480 (the Raspberry Pi 7" touchscreen) and 1920x1080: each rendering checked from the widget
tree for text cut off (across or down), widgets over each other, lists that scroll without a cue,
small buttons and a blank screen. Set KIOSK_SCREENSHOTS to a folder to keep the PNGs too
(`python -m tests.app.screenshots OUTDIR` does the same walk on its own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kivy.uix.button import Button
from kivy.uix.label import Label

from kiosk.screens.pictures import CardPicture

from tests.app.screens_check import (
    broken_words,
    clipped_text,
    lists_without_cue,
    overflowing_labels,
    overlapping_widgets,
    small_touch_targets,
)
from tests.app.screenshots import LANGUAGES, SHOTS, SIZES, THEMES, Camera, tour


@pytest.mark.timeout(1800)  # some 320 renderings: more than the suite's 300 s hang guard on a busy machine
def test_every_screen_in_every_language_theme_and_size(kiosk_app, acs, receipt_devices):
    app = kiosk_app(**receipt_devices[0])
    chosen = os.environ.get("KIOSK_SCREENSHOTS")
    camera = Camera(app, Path(chosen) if chosen else None)
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
    tour(app, camera, acs)
    assert camera.shots == len(SHOTS) * len(LANGUAGES) * len(THEMES) * len(SIZES)
    assert not camera.problems, "\n".join(camera.problems)


def test_the_checks_see_cut_covered_and_broken_text_pictures_over_text_and_small_buttons(kiosk_app):
    app = kiosk_app()
    cramped = Label(text="A title far too long for its little box", size_hint=(None, None), size=(60, 20))
    squashed = Label(text="one\ntwo\nthree", size_hint=(None, None), size=(200, 20), pos=(300, 100))
    covering = Label(text="over the other", size_hint=(None, None), size=(200, 40), pos=(320, 90))
    below_edge = Label(text="half off the window", size_hint=(None, None), size=(200, 40), pos=(300, -20))
    tiny = Button(text="x", size_hint=(None, None), size=(30, 30))
    picture = CardPicture(size_hint=(None, None), size=(100, 70), pos=(600, 300))
    under_picture = Label(text="under the picture", size_hint=(None, None), size=(200, 40), pos=(560, 320))
    address = Label(text="E-mail it to m***@example.org", size_hint=(None, None), size=(90, 200), pos=(40, 250),
                    text_size=(90, None))
    for widget in (cramped, squashed, covering, below_edge, tiny, picture, under_picture, address):
        app.screen.add_widget(widget)
    app.pump(0.1)
    assert [p for p in broken_words(app) if "E-mail" in p], broken_words(app)
    assert any("far too long" in p for p in overflowing_labels(app))
    assert any("'one\\ntwo\\nthree'" in p and "tall" in p for p in clipped_text(app))
    assert any("half off the window" in p and "edge" in p for p in clipped_text(app))
    assert any("'one\\ntwo\\nthree'" in p and "'over the other'" in p for p in overlapping_widgets(app))
    assert any("'x' is 30x30" in p for p in small_touch_targets(app))
    assert any("CardPicture" in p and "'under the picture'" in p for p in overlapping_widgets(app))
    for widget in (cramped, squashed, covering, below_edge, tiny, picture, under_picture, address):
        app.screen.remove_widget(widget)


def test_the_checks_see_a_more_cue_under_an_empty_list(kiosk_app):
    from kiosk.screens.widgets import RowList

    app = kiosk_app()
    rows = RowList(size_hint=(None, None), size=(300, 200), pos=(20, 100))
    app.screen.add_widget(rows)
    app.pump(0.1)
    assert not lists_without_cue(app)
    rows.box.height = 400  # what the box's default height did to a short list
    app.pump(0.1)
    assert any("an empty list shows" in p for p in lists_without_cue(app)), lists_without_cue(app)
    app.screen.remove_widget(rows)


def test_a_button_shrinks_its_text_for_a_long_word_and_keeps_its_own_size_otherwise(kiosk_app):
    from kiosk.screens.widgets import BigButton

    app = kiosk_app()
    narrow = BigButton(text="E-mail it to m***@example.org", size_hint=(None, None), size=(150, 120),
                       pos=(20, 200))
    roomy = BigButton(text="Done", size_hint=(None, None), size=(300, 80), pos=(300, 200))
    for button in (narrow, roomy):
        app.screen.add_widget(button)
    roomy.base_font_size = app.app.font(26)  # a button's own size, as "Done" has, outlives layout
    app.pump(0.1)
    roomy.width = 320
    app.pump(0.1)
    assert not [p for p in broken_words(app) if "E-mail" in p]
    assert narrow.font_size < narrow.base_font_size and roomy.font_size == app.app.font(26)
    for button in (narrow, roomy):
        app.screen.remove_widget(button)
