"""Pictures drawn with canvas instructions: "scan your card", "scan or place items" and the mark on
each item row (done, refused, needs attention, saved to send later, not confirmed).

They take the theme's colours (rules in pictures.kv) and scale with their box. Each draws once
when its size, colours or subject change and never animates, so an idle screen stays still.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Mesh, RoundedRectangle
from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, ColorProperty, NumericProperty, OptionProperty
from kivy.uix.widget import Widget

from kiosk.screens.marks import MARKS

Point = tuple[float, float]
SCAN_LINE_AT = 1.75  # height of the scanner's line across a barcode, in picture units


class Pen:
    """Draws on a canvas in a picture's own units (y up), scaled by `unit` pixels and moved to `origin`."""

    def __init__(self, canvas, origin: Point, unit: float) -> None:
        self.canvas = canvas
        self.x0, self.y0 = origin
        self.unit = unit

    def _flat(self, points: Sequence[Point]) -> list[float]:
        return [c for x, y in points for c in (self.x0 + x * self.unit, self.y0 + y * self.unit)]

    def _width(self, width: float) -> float:
        return max(1.0, width * self.unit)

    def colour(self, rgba: Sequence[float], alpha: float = 1.0) -> None:
        """Draw what follows in `rgba`, made `alpha` times as opaque."""
        self.canvas.add(Color(rgba[0], rgba[1], rgba[2], rgba[3] * alpha))

    def box(self, x: float, y: float, w: float, h: float, radius: Sequence[float] = (0, 0, 0, 0)) -> None:
        """A filled rectangle; `radius` rounds its corners (top left, top right, bottom right, bottom left)."""
        self.canvas.add(RoundedRectangle(pos=self._flat([(x, y)]), size=(w * self.unit, h * self.unit),
                                         radius=[r * self.unit for r in radius]))

    def outline(self, x: float, y: float, w: float, h: float, width: float, radius: float = 0.0) -> None:
        """The edge of a rectangle, `width` units thick."""
        px, py = self._flat([(x, y)])
        self.canvas.add(Line(rounded_rectangle=(px, py, w * self.unit, h * self.unit, max(1.0, radius * self.unit)),
                             width=self._width(width)))

    def line(self, points: Sequence[Point], width: float) -> None:
        """A line through `points` with round ends."""
        self.canvas.add(Line(points=self._flat(points), width=self._width(width), cap="round", joint="round"))

    def polygon(self, points: Sequence[Point]) -> None:
        """A filled convex polygon."""
        flat = self._flat(points)
        vertices = [c for i in range(0, len(flat), 2) for c in (flat[i], flat[i + 1], 0, 0)]  # x, y, u, v
        self.canvas.add(Mesh(vertices=vertices, indices=list(range(len(points))), mode="triangle_fan"))

    def disc(self, cx: float, cy: float, r: float) -> None:
        """A filled circle."""
        self.canvas.add(Ellipse(pos=self._flat([(cx - r, cy - r)]), size=(2 * r * self.unit, 2 * r * self.unit)))

    def arc(self, cx: float, cy: float, r: float, start: float, end: float, width: float) -> None:
        """Part of a circle from `start` to `end` degrees (0 is straight up, clockwise)."""
        px, py = self._flat([(cx, cy)])
        self.canvas.add(Line(circle=(px, py, r * self.unit, start, end), width=self._width(width), cap="round"))


def barcode(pen: Pen, x: float, y: float, w: float, h: float) -> None:
    """A barcode's bars across the box, in the pen's current colour."""
    pattern = (2, 1, 1, 2, 3, 1, 1, 1, 2, 3, 1, 2, 1, 1, 3, 2, 1, 1, 2, 1, 1, 3, 2)  # bar, gap, bar, ...
    step = w / sum(pattern)
    at = x
    for index, size in enumerate(pattern):
        if index % 2 == 0:
            pen.box(at, y, size * step, h)
        at += size * step


def polygon_around(cx: float, cy: float, r: float, corners: int, turn: float = 0.0) -> list[Point]:
    """The corners of a regular polygon, the first `turn` degrees clockwise from straight up."""
    return [(cx + r * math.sin(math.radians(turn + i * 360 / corners)),
             cy + r * math.cos(math.radians(turn + i * 360 / corners))) for i in range(corners)]


class Picture(Widget):
    """A drawing `units` wide and high, as large as fits the widget (and `most_height`), centred."""

    units: Point = (1.0, 1.0)
    redraw_on: tuple[str, ...] = ()  # a subclass's own properties that change the drawing

    ink = ColorProperty("#1d1d1b")  # outlines and bars
    paper = ColorProperty("#ffffff")  # light fills (the card, a label)
    accent = ColorProperty("#1f5f8b")  # the kiosk's own parts (scanner, pad)
    cover = ColorProperty("#8a5a00")  # a book's cover
    beam = ColorProperty("#b3261e")  # the scanner's light
    most_height = NumericProperty(0)  # the drawing is no taller than this (px); 0: as tall as the widget
    least_height = NumericProperty(4)  # smaller than this (px) it says nothing: it is left out
    aspect = AliasProperty(lambda self: self.units[0] / self.units[1], bind=())  # width / height, for kv rules

    def __init__(self, **kwargs) -> None:
        self._redraw = Clock.create_trigger(self.redraw, -1)  # in the frame that shows the change, not the next
        super().__init__(**kwargs)
        for name in ("pos", "size", "ink", "paper", "accent", "cover", "beam", "most_height", "least_height",
                     *self.redraw_on):
            self.fbind(name, self._redraw)
        self._redraw()

    def frame(self) -> tuple[Point, float]:
        """Where the drawing goes: its lower left corner and the size of one unit, in pixels."""
        wide, high = self.units
        unit = max(0.0, min(self.width / wide, self.height / high))
        if self.most_height:
            unit = min(unit, self.most_height / high)
        return (self.center_x - wide * unit / 2, self.center_y - high * unit / 2), unit

    def redraw(self, *args) -> None:
        """Draw the picture again for the widget's size and colours."""
        self.canvas.clear()
        origin, unit = self.frame()
        if unit * self.units[1] >= self.least_height:
            self.draw(Pen(self.canvas, origin, unit))

    def draw(self, pen: Pen) -> None:
        """Draw in the picture's own units."""
        raise NotImplementedError


def scanner(picture: Picture, pen: Pen, cx: float, top: float, aim: Point) -> None:
    """The kiosk's scanner at the top, its light falling on a barcode between aim[0] and aim[1] (x),
    at the height of the scan line (see `scan_line`)."""
    left, right = aim
    at = SCAN_LINE_AT
    pen.colour(picture.beam, 0.18)
    pen.polygon([(cx - 1.4, top - 1.2), (cx + 1.4, top - 1.2), (right, at), (left, at)])
    pen.colour(picture.accent)
    pen.box(cx - 2.0, top - 1.2, 4.0, 1.2, (0.3, 0.3, 0.3, 0.3))
    pen.colour(picture.ink)
    pen.outline(cx - 2.0, top - 1.2, 4.0, 1.2, 0.07, 0.3)
    pen.colour(picture.beam)
    pen.box(cx - 1.4, top - 1.2, 2.8, 0.22)


def scan_line(picture: Picture, pen: Pen, left: float, right: float) -> None:
    """The bright line the scanner draws across a barcode."""
    pen.colour(picture.beam)
    pen.line([(left, SCAN_LINE_AT), (right, SCAN_LINE_AT)], 0.08)


class CardPicture(Picture):
    """A library card under the scanner's light: "scan your card"."""

    units = (10.0, 7.0)

    def draw(self, pen: Pen) -> None:
        pen.colour(self.paper)
        pen.box(1.8, 0.3, 6.4, 4.0, (0.35,) * 4)
        pen.colour(self.accent)
        pen.box(1.8, 3.5, 6.4, 0.8, (0.35, 0.35, 0, 0))
        pen.colour(self.paper)
        pen.line([(2.4, 3.9), (4.6, 3.9)], 0.12)
        pen.colour(self.ink)
        pen.outline(1.8, 0.3, 6.4, 4.0, 0.08, 0.35)
        pen.disc(3.05, 2.45, 0.42)  # the card holder's photo
        pen.box(2.45, 0.85, 1.2, 1.05, (0.5, 0.5, 0.05, 0.05))
        barcode(pen, 4.4, 0.85, 3.2, 1.75)
        scanner(self, pen, 5.0, 6.9, (4.2, 7.8))
        scan_line(self, pen, 4.1, 7.9)


class ItemsPicture(Picture):
    """A book's barcode under the scanner's light and, when the kiosk has one, a stack of books on the
    RFID pad: "scan or place your items"."""

    pad = BooleanProperty(True)
    redraw_on = ("pad",)

    @property
    def units(self) -> Point:  # type: ignore[override]
        return (17.0, 7.0) if self.pad else (8.0, 7.0)

    aspect = AliasProperty(lambda self: self.units[0] / self.units[1], bind=("pad",))

    def draw(self, pen: Pen) -> None:
        self._book_under_scanner(pen)
        if self.pad:
            self._stack_on_pad(pen)

    def _book(self, pen: Pen, x: float, y: float, w: float, h: float, fill) -> None:
        pen.colour(fill)
        pen.box(x, y, w, h, (0.12,) * 4)
        pen.colour(self.ink)
        pen.outline(x, y, w, h, 0.07, 0.12)

    def _book_under_scanner(self, pen: Pen) -> None:
        self._book(pen, 1.2, 0.3, 5.6, 4.1, self.cover)
        pen.colour(self.ink, 0.35)
        pen.box(1.2, 0.3, 0.6, 4.1, (0.12, 0, 0, 0.12))  # the spine
        pen.colour(self.paper)
        pen.line([(2.5, 3.6), (5.6, 3.6)], 0.14)  # the title on the cover
        pen.box(2.4, 0.8, 3.6, 1.9, (0.1,) * 4)  # the barcode label
        pen.colour(self.ink)
        barcode(pen, 2.7, 1.05, 3.0, 1.4)
        scanner(self, pen, 4.0, 6.9, (2.6, 5.8))
        scan_line(self, pen, 2.5, 5.9)

    def _stack_on_pad(self, pen: Pen) -> None:
        pen.colour(self.ink)
        pen.box(9.4, 0.3, 7.2, 0.75, (0.2,) * 4)
        pen.colour(self.accent)
        pen.line([(10.0, 0.68), (16.0, 0.68)], 0.12)  # the pad's light strip
        self._book(pen, 10.3, 1.05, 5.4, 0.9, self.cover)
        self._book(pen, 10.7, 1.95, 4.6, 0.8, self.paper)
        self._book(pen, 10.5, 2.75, 5.0, 0.8, self.accent)
        pen.colour(self.accent)
        for radius in (1.3, 2.0, 2.7):  # the pad's radio field, reading the whole stack
            pen.arc(13.0, 3.55, radius, -42, 42, 0.16)


class OutcomeIcon(Picture):
    """How one item went, told by shape as well as colour: a tick in a circle (done), a cross in an
    octagon (refused), "!" in a triangle (done, but see the note), a clock (saved, sent later),
    "?" in a diamond (not confirmed). An empty `mark` draws nothing."""

    mark = OptionProperty("", options=("", *MARKS))
    ok = ColorProperty("#1e7b34")
    bad = ColorProperty("#b3261e")
    warn = ColorProperty("#8a5a00")
    redraw_on = ("mark", "ok", "bad", "warn")

    def draw(self, pen: Pen) -> None:
        glyph = self.paper
        if self.mark == "done":
            pen.colour(self.ok)
            pen.disc(0.5, 0.5, 0.48)
            pen.colour(glyph)
            pen.line([(0.27, 0.52), (0.43, 0.35), (0.74, 0.67)], 0.085)
        elif self.mark == "refused":
            pen.colour(self.bad)
            pen.polygon(polygon_around(0.5, 0.5, 0.5, 8, 22.5))
            pen.colour(glyph)
            pen.line([(0.33, 0.33), (0.67, 0.67)], 0.085)
            pen.line([(0.33, 0.67), (0.67, 0.33)], 0.085)
        elif self.mark == "attention":
            pen.colour(self.warn)
            pen.polygon([(0.5, 0.97), (0.98, 0.1), (0.02, 0.1)])
            pen.colour(glyph)
            pen.line([(0.5, 0.68), (0.5, 0.42)], 0.08)
            pen.disc(0.5, 0.25, 0.065)
        elif self.mark == "saved":
            pen.colour(self.accent)
            pen.disc(0.5, 0.5, 0.48)
            pen.colour(glyph)
            pen.arc(0.5, 0.5, 0.37, 0, 360, 0.05)  # the clock's face
            pen.line([(0.5, 0.75), (0.5, 0.5), (0.68, 0.4)], 0.075)
        elif self.mark == "unconfirmed":
            pen.colour(self.warn)
            pen.polygon(polygon_around(0.5, 0.5, 0.52, 4))
            pen.colour(glyph)
            pen.arc(0.5, 0.6, 0.14, -80, 160, 0.075)
            pen.line([(0.55, 0.47), (0.5, 0.42), (0.5, 0.37)], 0.075)
            pen.disc(0.5, 0.24, 0.06)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
