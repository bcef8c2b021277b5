"""A checkbox and a selection list whose state reads without colour.

Why: Textual draws ``▐X▌`` for both states and tells them apart by colour only; over SSH, with
NO_COLOR, in a tmux capture or for a colour-blind on-call engineer, on and off looked the same.
Here "on" is ``X`` and "off" a blank, whatever the colours.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.selection_list import SelectionType


class MarkedCheckbox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class MarkedSelectionList(SelectionList[SelectionType]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        segments = list(strip)
        if len(segments) < 2:
            return strip
        chosen = self.get_option_at_index(index).value in self._selected
        inner = segments[1]
        segments[1] = Segment("X" if chosen else " ", inner.style, inner.control)
        return Strip(segments, strip.cell_length)
