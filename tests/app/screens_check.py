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
