"""Return: items scanned or placed on the pad are returned, with staff / sort-bin / hold messages."""

from __future__ import annotations

from kivy.properties import NumericProperty

from kiosk.screens.item_list import ItemListScreen


class ReturnsScreen(ItemListScreen):
    """Every item scanned here is returned."""

    count = NumericProperty(0)


SCREEN = ReturnsScreen
