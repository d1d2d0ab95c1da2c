"""Keyboard-wedge decoding from real evdev.InputEvent objects, hand-written and generated."""

from __future__ import annotations

import pytest
from evdev import InputEvent, ecodes as E
from hypothesis import given, settings, strategies as st

from kiosk.devices.emulators.scanner import EmulatorError, wedge_events
from kiosk.devices.keymaps import LAYOUTS, KeymapError, keymap, terminator_codes
from kiosk.devices.wedge_decoder import DecodedScan, DiscardedKeys, WedgeDecodeError, WedgeDecoder

DOWN, UP, REPEAT = 1, 0, 2
SHIFT, RSHIFT, ALTGR = E.KEY_LEFTSHIFT, E.KEY_RIGHTSHIFT, E.KEY_RIGHTALT


class Typist:
    """Write key events by hand, the way the kernel reports them (MSC_SCAN, KEY, SYN)."""

    def __init__(self, start: float = 1_700_000_000.0, step: float = 0.005) -> None:
        self.time, self.step = start, step
        self.events: list[InputEvent] = []

    def _at(self) -> tuple[int, int]:
        sec = int(self.time)
        return sec, int(round((self.time - sec) * 1e6))

    def key(self, code: int, value: int) -> Typist:
        sec, usec = self._at()
        self.events += [InputEvent(sec, usec, E.EV_MSC, E.MSC_SCAN, 0x70000 + code),
                        InputEvent(sec, usec, E.EV_KEY, code, value),
                        InputEvent(sec, usec, E.EV_SYN, E.SYN_REPORT, 0)]
        self.time += self.step
        return self

    def tap(self, *codes: int) -> Typist:
        for code in codes:
            self.key(code, DOWN).key(code, UP)
        return self

    def shifted(self, code: int, shift: int = SHIFT) -> Typist:
        return self.key(shift, DOWN).tap(code).key(shift, UP)

    def pause(self, seconds: float) -> Typist:
        self.time += seconds
        return self

    def enter(self) -> Typist:
        return self.tap(E.KEY_ENTER)


def decode(events: list[InputEvent], layout: str = "us", **options) -> list:
    return WedgeDecoder(layout, **options).feed_all(events)


def texts(outcomes: list) -> list[str]:
    assert all(isinstance(o, DecodedScan) for o in outcomes), outcomes
    return [o.text for o in outcomes]


DIGITS = [E.KEY_3, E.KEY_0, E.KEY_2, E.KEY_3, E.KEY_4, E.KEY_0, E.KEY_0, E.KEY_0,
          E.KEY_5, E.KEY_1, E.KEY_7, E.KEY_8, E.KEY_6, E.KEY_1]


def test_library_barcode_typed_by_hand_decodes():
    assert texts(decode(Typist().tap(*DIGITS).enter().events)) == ["30234000517861"]


def test_left_and_right_shift_both_shift():
    events = Typist().tap(E.KEY_A).shifted(E.KEY_B, RSHIFT).shifted(E.KEY_C, SHIFT).enter().events
    assert texts(decode(events)) == ["aBC"]


def test_releasing_one_of_two_held_shifts_keeps_shift():
    events = (Typist().key(SHIFT, DOWN).key(RSHIFT, DOWN).key(SHIFT, UP).tap(E.KEY_A)
              .key(RSHIFT, UP).tap(E.KEY_A).enter().events)
    assert texts(decode(events)) == ["Aa"]


def test_caps_lock_affects_letters_only():
    events = (Typist().tap(E.KEY_CAPSLOCK).tap(E.KEY_A, E.KEY_1, E.KEY_MINUS)
              .shifted(E.KEY_B).shifted(E.KEY_2).tap(E.KEY_CAPSLOCK).tap(E.KEY_C).enter().events)
    assert texts(decode(events)) == ["A1-b@c"]


def test_caps_lock_affects_umlauts_but_not_french_accented_digit_keys():
    de = Typist().tap(E.KEY_CAPSLOCK, E.KEY_SEMICOLON, E.KEY_MINUS).enter().events
    assert texts(decode(de, "de")) == ["Öß"]
    fr = Typist().tap(E.KEY_CAPSLOCK, E.KEY_2, E.KEY_Q).enter().events
    assert texts(decode(fr, "fr")) == ["éA"]


def test_autorepeat_is_ignored():
    events = (Typist().key(E.KEY_4, DOWN).key(E.KEY_4, REPEAT).key(E.KEY_4, REPEAT)
              .key(E.KEY_4, UP).key(SHIFT, DOWN).key(SHIFT, REPEAT).tap(E.KEY_X).key(SHIFT, UP)
              .key(E.KEY_ENTER, DOWN).key(E.KEY_ENTER, REPEAT).key(E.KEY_ENTER, UP).events)
    assert texts(decode(events)) == ["4X"]


def test_enter_and_keypad_enter_end_scans_by_default_tab_is_a_character():
    events = (Typist().tap(E.KEY_1).enter().tap(E.KEY_2).tap(E.KEY_KPENTER)
              .tap(E.KEY_3, E.KEY_TAB, E.KEY_4).enter().events)
    assert texts(decode(events)) == ["1", "2", "3\t4"]


def test_tab_as_configured_terminator():
    events = Typist().tap(E.KEY_1, E.KEY_TAB, E.KEY_2, E.KEY_TAB).events
    assert texts(decode(events, terminators=terminator_codes(["tab"]))) == ["1", "2"]


def test_lone_terminators_are_not_scans():
    assert decode(Typist().enter().enter().tap(E.KEY_KPENTER).events) == []


def test_half_scan_is_discarded_after_inter_key_timeout_and_next_scan_survives():
    events = Typist().tap(E.KEY_1, E.KEY_2).pause(1.0).tap(E.KEY_3, E.KEY_4).enter().events
    outcomes = decode(events, inter_key_timeout=0.3)
    assert len(outcomes) == 2
    discarded, scan = outcomes
    assert isinstance(discarded, DiscardedKeys) and discarded.partial == "12"
    assert "incomplete scan" in discarded.reason
    assert scan == DecodedScan("34", scan.timestamp)


def test_slow_but_steady_typing_within_the_timeout_is_one_scan():
    events = Typist(step=0.25).tap(E.KEY_1, E.KEY_2, E.KEY_3).enter().events
    assert texts(decode(events, inter_key_timeout=0.3)) == ["123"]


def test_unknown_key_discards_that_scan_with_a_reason_only():
    events = Typist().tap(E.KEY_1, E.KEY_F13, E.KEY_2).enter().tap(E.KEY_5).enter().events
    discarded, scan = decode(events)
    assert isinstance(discarded, DiscardedKeys)
    assert "unknown key KEY_F13" in discarded.reason and "'us'" in discarded.reason
    assert discarded.partial == "1"
    assert scan.text == "5"


def test_key_missing_from_layout_at_shift_level_is_reported():
    events = Typist().shifted(E.KEY_102ND).enter().events  # US keyboards have no 102nd key
    (discarded,) = decode(events)
    assert isinstance(discarded, DiscardedKeys) and "KEY_102ND" in discarded.reason


def test_control_combinations_are_not_characters():
    events = Typist().key(E.KEY_LEFTCTRL, DOWN).tap(E.KEY_J).key(E.KEY_LEFTCTRL, UP).enter().events
    (discarded,) = decode(events)
    assert isinstance(discarded, DiscardedKeys) and "KEY_LEFTCTRL" in discarded.reason


def test_overlong_input_is_discarded():
    events = Typist().tap(*[E.KEY_1] * 20).enter().events
    (discarded,) = decode(events, max_length=10)
    assert isinstance(discarded, DiscardedKeys) and "more than 10" in discarded.reason


def test_releases_without_presses_and_odd_values_are_harmless():
    events = Typist().key(SHIFT, UP).key(E.KEY_A, UP).key(E.KEY_B, 7).tap(E.KEY_C).enter().events
    assert texts(decode(events)) == ["c"]


def test_reset_forgets_held_shift_and_caps_lock():
    decoder = WedgeDecoder()
    decoder.feed_all(Typist().key(SHIFT, DOWN).tap(E.KEY_CAPSLOCK).events)
    decoder.reset()
    assert texts(decoder.feed_all(Typist().tap(E.KEY_A).enter().events)) == ["a"]


@pytest.mark.parametrize("layout, steps, expected", [
    ("us", lambda t: t.tap(E.KEY_MINUS).shifted(E.KEY_2).tap(E.KEY_Y, E.KEY_SLASH), "-@y/"),
    ("uk", lambda t: t.shifted(E.KEY_2).shifted(E.KEY_APOSTROPHE).tap(E.KEY_BACKSLASH, E.KEY_102ND)
     .shifted(E.KEY_3), '"@#\\£'),
    ("de", lambda t: t.tap(E.KEY_Y, E.KEY_Z, E.KEY_SLASH).shifted(E.KEY_7)
     .key(ALTGR, DOWN).tap(E.KEY_Q).key(ALTGR, UP).tap(E.KEY_KPDOT), "zy-/@,"),
    ("fr", lambda t: t.tap(E.KEY_Q, E.KEY_1).shifted(E.KEY_1).tap(E.KEY_M, E.KEY_SEMICOLON)
     .key(ALTGR, DOWN).tap(E.KEY_0).key(ALTGR, UP), "a&1,m@"),
])
def test_each_layout_by_hand(layout, steps, expected):
    assert texts(decode(steps(Typist()).enter().events, layout)) == [expected]


def test_layout_mismatch_changes_the_text():
    events = wedge_events("zy-", "de")
    assert texts(decode(events, "us")) == ["yz/"]


def _typeable(layout: str) -> str:
    keys = keymap(layout)
    chars = {c for table in (keys.plain, keys.shifted, keys.altgr) for c in table.values()}
    return "".join(sorted(chars - {"\t"}))


@pytest.mark.parametrize("layout", sorted(set(LAYOUTS)))
@pytest.mark.parametrize("autorepeat", [False, True])
def test_generated_events_for_every_character_decode_back(layout, autorepeat):
    text = _typeable(layout)
    assert texts(decode(wedge_events(text, layout, autorepeat=autorepeat), layout)) == [text]


def test_generated_events_follow_the_kernel_shape():
    events = wedge_events("A", "us", start=10.0)
    kinds = [(e.type, e.code, e.value) for e in events]
    assert kinds[::2] == [(E.EV_KEY, SHIFT, 1), (E.EV_KEY, E.KEY_A, 1), (E.EV_KEY, E.KEY_A, 0),
                          (E.EV_KEY, SHIFT, 0), (E.EV_KEY, E.KEY_ENTER, 1), (E.EV_KEY, E.KEY_ENTER, 0)]
    assert all(e.type == E.EV_SYN for e in events[1::2])
    assert events[0].timestamp() == 10.0 and events[-1].timestamp() > events[0].timestamp()


def test_generator_refuses_characters_the_layout_cannot_type():
    with pytest.raises(EmulatorError, match="cannot be typed"):
        wedge_events("ß", "us")


def test_configuration_errors_are_clear():
    with pytest.raises(KeymapError, match="known: de, fr, gb, uk, us"):
        WedgeDecoder("dvorak")
    with pytest.raises(KeymapError, match="unknown terminator"):
        terminator_codes(["escape"])


def test_non_events_raise_the_decoders_own_error():
    with pytest.raises(WedgeDecodeError):
        WedgeDecoder().feed("not an event")
    with pytest.raises(WedgeDecodeError):
        WedgeDecoder().feed(InputEvent(0, 0, E.EV_KEY, "a", 1))


event_values = st.builds(InputEvent, st.integers(0, 2**40), st.integers(0, 999_999),
                         st.sampled_from([E.EV_SYN, E.EV_KEY, E.EV_MSC, E.EV_REL, 0x1F]),
                         st.one_of(st.integers(0, 0x2FF), st.integers(-(2**31), 2**31)),
                         st.integers(-3, 5))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(LAYOUTS)), st.lists(event_values, max_size=60))
def test_random_events_only_ever_give_outcomes(layout, events):
    for outcome in WedgeDecoder(layout, inter_key_timeout=0.5).feed_all(events):
        assert isinstance(outcome, (DecodedScan, DiscardedKeys))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(set(LAYOUTS))), st.data())
def test_random_typeable_text_round_trips(layout, data):
    text = data.draw(st.text(alphabet=_typeable(layout), min_size=1, max_size=30))
    decoded = texts(decode(wedge_events(text, layout, autorepeat=data.draw(st.booleans())), layout))
    assert decoded == [text]
