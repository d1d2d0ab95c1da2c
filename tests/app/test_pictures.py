"""The pictures are real canvas drawings: built on the screens that show them, inside their box,
scaled with it, in the theme's colours, drawn once (nothing redraws while the kiosk waits), and the
row marks differ in shape, not only in colour."""

from __future__ import annotations

from kivy.core.window import Window
from kivy.graphics import Color, Ellipse, Line, Mesh, Rectangle

from sip2.emulator.demo_data import DEMO

from kiosk.screens.marks import MARKS, REFUSED
from kiosk.screens.pictures import CardPicture, ItemsPicture, OutcomeIcon, Picture

from tests.app.screens_check import overlapping_widgets
from tests.app.screenshots import log_in


def drawn_points(picture: Picture) -> list[tuple[float, float]]:
    """Every corner and line point the picture's canvas holds."""
    points = []
    for instruction in picture.canvas.children:
        if isinstance(instruction, (Rectangle, Ellipse)):  # RoundedRectangle is a Rectangle
            x, y = instruction.pos
            w, h = instruction.size
            points += [(x, y), (x + w, y + h)]
        elif isinstance(instruction, Line):
            flat = instruction.points
            points += list(zip(flat[::2], flat[1::2]))
        elif isinstance(instruction, Mesh):
            flat = instruction.vertices
            points += list(zip(flat[::4], flat[1::4]))
    return points


def bounds(picture: Picture) -> tuple[float, float, float, float]:
    points = drawn_points(picture)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def shape(picture: Picture) -> list[tuple[float, float]]:
    """Where a picture draws, leaving colours out: its points in its own box, rounded to a twentieth."""
    return [(round((x - picture.x) / picture.width * 20), round((y - picture.y) / picture.height * 20))
            for x, y in drawn_points(picture)]


def colours(picture: Picture) -> set[tuple[float, ...]]:
    return {tuple(round(c, 3) for c in i.rgba) for i in picture.canvas.children if isinstance(i, Color)}


def placed(app, picture: Picture, size: tuple[float, float]) -> Picture:
    """The picture on the screen at `size`, drawn."""
    picture.size_hint = (None, None)
    picture.size = size
    picture.pos = (10, 10)
    app.screen.add_widget(picture)
    app.pump(0.1)
    return picture


def test_each_picture_draws_inside_its_box_and_scales_with_it(kiosk_app):
    app = kiosk_app()
    for make in (CardPicture, lambda: ItemsPicture(pad=True), lambda: ItemsPicture(pad=False),
                 lambda: OutcomeIcon(mark="done")):
        small = placed(app, make(), (170, 119))
        large = placed(app, make(), (340, 238))
        for picture in (small, large):
            left, bottom, right, top = bounds(picture)
            assert picture.x - 1 <= left and right <= picture.right + 1, type(picture).__name__
            assert picture.y - 1 <= bottom and top <= picture.top + 1, type(picture).__name__
        small_w, small_h = bounds(small)[2] - bounds(small)[0], bounds(small)[3] - bounds(small)[1]
        large_w, large_h = bounds(large)[2] - bounds(large)[0], bounds(large)[3] - bounds(large)[1]
        assert abs(large_w / small_w - 2) < 0.05 and abs(large_h / small_h - 2) < 0.05, type(small).__name__
        for picture in (small, large):
            app.screen.remove_widget(picture)


def test_the_pad_is_drawn_only_for_a_kiosk_with_one(kiosk_app):
    app = kiosk_app()
    with_pad = placed(app, ItemsPicture(pad=True), (340, 140))
    without = placed(app, ItemsPicture(pad=False), (340, 140))
    assert with_pad.aspect > 2 * without.aspect
    assert len(shape(with_pad)) > len(shape(without))
    width = lambda p: bounds(p)[2] - bounds(p)[0]  # noqa: E731
    assert width(without) < width(with_pad) * 0.6  # as tall, and only the scanner's half
    for picture in (with_pad, without):
        app.screen.remove_widget(picture)


def test_marks_differ_in_shape_and_an_empty_mark_draws_nothing(kiosk_app):
    app = kiosk_app()
    icons = {mark: placed(app, OutcomeIcon(mark=mark), (48, 48)) for mark in ("", *MARKS)}
    assert icons[""].canvas.children == []
    shapes = [shape(icons[mark]) for mark in MARKS]
    assert all(shapes) and len({repr(s) for s in shapes}) == len(MARKS), shapes
    for icon in icons.values():
        app.screen.remove_widget(icon)


def test_pictures_take_the_theme_colours_and_stay_still(kiosk_app):
    app = kiosk_app()
    card = placed(app, CardPicture(), (300, 210))
    assert tuple(round(c, 3) for c in app.app.color_fg) in colours(card)
    app.app.high_contrast = True
    app.pump(0.1)
    assert tuple(round(c, 3) for c in app.app.color_fg) in colours(card)
    assert tuple(round(c, 3) for c in app.app.color_button) in colours(card)  # the contrast theme's yellow
    drawn = list(card.canvas.children)
    app.pump(0.5)
    assert list(card.canvas.children) == drawn  # nothing changed: nothing drawn again
    app.app.high_contrast = False
    app.screen.remove_widget(card)
    app.pump(0.1)  # the theme's rules run while the app is still there


def test_the_screens_show_their_pictures_and_each_row_its_mark(kiosk_app):
    app = kiosk_app()
    card = next(w for w in app.widgets() if isinstance(w, CardPicture))
    assert app.visible(card) and drawn_points(card)
    log_in(app)
    app.pump(0.1)
    items = next(w for w in app.widgets() if isinstance(w, ItemsPicture))
    assert app.visible(items) and drawn_points(items) and items.pad == app.app.has_pad
    app.scan(DEMO.available_items[0])
    app.scan(DEMO.item_on_hold_for_other)
    app.wait_for(lambda: len(app.screen.outcomes) == 2)
    app.pump(0.1)
    marks = {row.item_id: row.ids.icon.mark for row in app.screen.ids.rows.box.children}
    assert marks == {DEMO.available_items[0]: "done", DEMO.item_on_hold_for_other: REFUSED}
    assert all(drawn_points(row.ids.icon) for row in app.screen.ids.rows.box.children)


def keypad_layout_problems(app) -> list[str]:
    """What is wrong with the PIN screen on show, at 800x480 and at 1920x1080."""
    problems = []
    try:
        for size, roomy in (((800, 480), False), ((1920, 1080), True)):
            Window.size = size
            app.pump(0.3)
            screen, pad = app.screen, app.screen.ids.pad
            key = next(b for b in pad.children if b.text == "5")
            if screen.roomy is not roomy:
                problems.append(f"{size}: roomy is {screen.roomy}")
            elif roomy:
                form = screen.ids.form
                left, right = form.to_window(form.x, 0)[0], Window.width - pad.to_window(pad.right, 0)[0]
                if abs(left - right) > 2:
                    problems.append(f"form and keypad not centred: {left:.0f} px left, {right:.0f} px right")
                if key.height < 0.6 * key.width or key.width < 120:
                    problems.append(f"keys of {key.width:.0f}x{key.height:.0f} px are bars, not keys")
                if form.width < 1.2 * pad.width:
                    problems.append(f"a form {form.width:.0f} px wide beside a keypad {pad.width:.0f} px wide")
            elif key.height < 48:
                problems.append(f"keys {key.height:.0f} px tall")
            problems += [f"{size}: {p}" for p in overlapping_widgets(app)]
    finally:
        Window.size = (800, 480)
        app.pump(0.1)
    return problems


def test_pin_screens_on_a_large_screen_centre_form_and_keypad_with_keypad_sized_keys(kiosk_app):
    app = kiosk_app()
    app.press("Type my card number")
    app.wait_for(lambda: app.screen_name == "login")
    assert keypad_layout_problems(app) == []
    app.press("Cancel")
    app.scan("TECH-0001")
    app.wait_for(lambda: app.screen_name == "technician_login")
    assert keypad_layout_problems(app) == []


def test_a_picture_too_small_to_say_anything_is_left_out(kiosk_app):
    app = kiosk_app()
    card = placed(app, CardPicture(least_height=64), (300, 63))
    assert card.canvas.children == []
    card.height = 70
    app.pump(0.1)
    assert drawn_points(card)
    app.screen.remove_widget(card)
