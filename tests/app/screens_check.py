"""What a person would notice in a screenshot: a blank screen, text cut off or running out of its box."""

from __future__ import annotations

from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from kivy.metrics import dp
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

SLACK = 2  # pixels of rounding


def distinct_colours(step: int = 7) -> int:
    """How many different colours the window shows (sampled every `step` pixels)."""
    width, height = Window.size
    pixels = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    seen = set()
    for offset in range(0, len(pixels) - 4, 4 * step):
        seen.add(pixels[offset:offset + 3])
        if len(seen) > 50:
            break
    return len(seen)


def _scroll_parent(widget):
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            return node
        node = node.parent
    return None


def overflowing_labels(driver) -> list[str]:
    """Visible labels whose text does not fit their box, or whose box leaves the window or its
    scroll view's width."""
    problems = []
    win_w, win_h = Window.size
    for widget in driver.widgets():
        if not isinstance(widget, Label) or not widget.text or not driver.visible(widget):
            continue
        widget.texture_update()
        tex_w, tex_h = widget.texture_size
        name = f"{type(widget).__name__} {widget.text[:40]!r}"
        if tex_w > widget.width + SLACK or tex_h > widget.height + SLACK:
            problems.append(f"{name}: text {tex_w}x{tex_h} in a box {widget.width:.0f}x{widget.height:.0f}")
            continue
        x, y = widget.to_window(widget.x, widget.y)
        right, top = x + widget.width, y + widget.height
        scroll = _scroll_parent(widget)
        if scroll is not None:
            sx, _ = scroll.to_window(scroll.x, scroll.y)
            if x < sx - SLACK or right > sx + scroll.width + SLACK:
                problems.append(f"{name}: wider than its scrolling list")
        elif x < -SLACK or y < -SLACK or right > win_w + SLACK or top > win_h + SLACK:
            problems.append(f"{name}: box {x:.0f},{y:.0f}-{right:.0f},{top:.0f} outside the "
                            f"{win_w}x{win_h} window")
    return problems


def small_touch_targets(driver) -> list[str]:
    """Visible buttons smaller than 48 dp either way (too small for a finger)."""
    return [f"button {b.text[:30]!r} is {b.width:.0f}x{b.height:.0f} px"
            for b in driver.widgets() if isinstance(b, Button) and driver.visible(b)
            and (b.width < dp(48) - SLACK or b.height < dp(48) - SLACK)]


def _window_rect(widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - SLACK and inner[1] >= outer[1] - SLACK
            and inner[2] <= outer[2] + SLACK and inner[3] <= outer[3] + SLACK)


def _apart(a, b) -> bool:
    return a[2] <= b[0] + SLACK or b[2] <= a[0] + SLACK or a[3] <= b[1] + SLACK or b[3] <= a[1] + SLACK


def _contains(outer, inner) -> bool:
    node = inner.parent
    while node is not None and node is not node.parent:
        if node is outer:
            return True
        node = node.parent
    return False


def _on_show(driver):
    """(widget, window rectangle, top-level parent) of each visible text, button and picture that a
    scrolling list does not hide; labels cut by their list's edge are left to `clipped_text`."""
    from kivy.uix.image import Image

    from kiosk.screens.pictures import Picture

    for top in list(Window.children):
        for widget in driver.widgets(top):
            if not isinstance(widget, (Label, Image, Picture)) or not driver.visible(widget):
                continue
            if isinstance(widget, Label) and not widget.text:
                continue
            rect = _window_rect(widget)
            scroll = _scroll_parent(widget)
            if scroll is not None and not _inside(rect, _window_rect(scroll)):
                continue
            yield widget, rect, top


def clipped_text(driver) -> list[str]:
    """Visible labels whose lines are cut vertically: text taller than its box, a box past the top or
    bottom of the window, or a row that a scrolling list shows only in part (at rest)."""
    problems = []
    _, win_h = Window.size
    for widget in driver.widgets():
        if not isinstance(widget, Label) or not widget.text or not driver.visible(widget):
            continue
        widget.texture_update()
        name = f"{type(widget).__name__} {widget.text[:40]!r}"
        if widget.texture_size[1] > widget.height + SLACK:
            problems.append(f"{name}: text {widget.texture_size[1]:.0f} px tall in a {widget.height:.0f} px box")
            continue
        rect = _window_rect(widget)
        scroll = _scroll_parent(widget)
        if scroll is not None:
            view = _window_rect(scroll)
            if not _inside(rect, view) and not _apart(rect, view):
                problems.append(f"{name}: cut by its list's edge (y {rect[1]:.0f}-{rect[3]:.0f}, "
                                f"list {view[1]:.0f}-{view[3]:.0f})")
        elif rect[1] < -SLACK or rect[3] > win_h + SLACK:
            problems.append(f"{name}: cut by the window's edge (y {rect[1]:.0f}-{rect[3]:.0f} of {win_h})")
    return problems


def overlapping_widgets(driver) -> list[str]:
    """Pairs of visible texts, buttons or pictures of the same layer that lie one over the other
    (a modal dialog over the screen is meant to)."""
    shown = list(_on_show(driver))
    problems = []
    for i, (a, rect_a, top_a) in enumerate(shown):
        for b, rect_b, top_b in shown[i + 1:]:
            if top_a is not top_b or _apart(rect_a, rect_b):
                continue
            if _contains(a, b) or _contains(b, a):
                continue
            problems.append(f"{type(a).__name__} {getattr(a, 'text', '')[:30]!r} and "
                            f"{type(b).__name__} {getattr(b, 'text', '')[:30]!r} overlap")
    return problems


def lists_without_cue(driver) -> list[str]:
    """Scrolling lists whose content is taller than the list but that show no "more below" cue, and
    empty lists that show one."""
    problems = []
    for widget in driver.widgets():
        rows = getattr(widget.parent, "box", None)  # a RowList's cue: its rows are beside it
        if getattr(widget, "shown", False) and rows is not None and not rows.children and driver.visible(widget):
            problems.append(f"an empty list shows a \"more\" cue ({widget.text!r})")
        if not isinstance(widget, ScrollView) or not driver.visible(widget) or not widget.children:
            continue
        content = widget.children[0]
        if content.height > widget.height + SLACK and not getattr(widget, "cue_shown", False):
            problems.append(f"a list shows {widget.height:.0f} of {content.height:.0f} px with no cue")
    return problems


def broken_words(driver) -> list[str]:
    """Visible labels whose wrapping had to cut a word in two ("m***@example.or" / "g"): the word
    is wider than the label's line, so Kivy breaks it between letters."""
    problems = []
    for widget in driver.widgets():
        if not isinstance(widget, Label) or not widget.text or widget.markup or not driver.visible(widget):
            continue
        widget.texture_update()
        laid_out = [word for line in widget._label._cached_lines
                    for word in " ".join(part.text for part in line.words).split()]
        if laid_out != widget.text.split():
            pieces = [word for word in laid_out if word not in widget.text.split()]
            problems.append(f"{type(widget).__name__} {widget.text[:40]!r}: a word cut in two "
                            f"({' / '.join(pieces[:2])})")
    return problems
