"""A checkbox and option/selection lists whose state reads without colour.

Why: Textual draws ``▐X▌`` for both states and tells them apart by colour only, and shows the
cursor row and the focused widget by colour too; over SSH, with NO_COLOR, in a tmux capture or
for a colour-blind on-call engineer, they all looked the same. Here "on" is ``X`` and "off" a
blank, and the focused list's cursor row and the focused checkbox carry a ``▶``, whatever the
colours.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, SelectionList
from textual.widgets.selection_list import SelectionType

CURSOR = "▶"


class MarkedCheckbox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "

    def render(self) -> Content:
        # the label's left pad carries the focus mark: the width never changes
        mark = CURSOR if self.has_focus else " "
        label = Content.assemble(mark, self._label, " ").stylize_before(
            self.get_visual_style("toggle--label"))
        return Content.assemble(self._button, label)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _cursor_line(widget: OptionList, y: int) -> bool:
    """Whether line ``y`` of the view is the first line of the highlighted option of a
    focused list."""
    if not widget.has_focus or widget.highlighted is None:
        return False
    try:
        index, offset = widget._lines[widget.scroll_offset.y + y]
    except IndexError:
        return False
    return index == widget.highlighted and offset == 0


class MarkedOptionList(OptionList):
    """``▶`` before the cursor row while the list has focus (drawn where the left padding was,
    so the layout is unchanged)."""

    DEFAULT_CSS = """
    MarkedOptionList { padding-left: 0; }
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        width = strip.cell_length
        mark = CURSOR if _cursor_line(self, y) else " "
        style = next(iter(strip)).style if width else None
        return Strip([Segment(mark, style), *strip], width + 1).crop(0, width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class MarkedSelectionList(SelectionList[SelectionType]):
    """``X`` for chosen; ``▶`` before the cursor row while the list has focus (drawn where the
    left padding was, so the layout is unchanged)."""

    DEFAULT_CSS = """
    MarkedSelectionList { padding-left: 0; }
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        width = strip.cell_length
        lines = self._lines
        line = self.scroll_offset.y + y
        if line >= len(lines):
            return Strip([Segment(" "), *strip], width + 1).crop(0, width)
        segments = list(strip)
        if len(segments) < 2:
            return strip
        index, _offset = lines[line]
        chosen = self.get_option_at_index(index).value in self._selected
        inner = segments[1]
        segments[1] = Segment("X" if chosen else " ", inner.style, inner.control)
        mark = CURSOR if _cursor_line(self, y) else " "
        segments.insert(0, Segment(mark, segments[0].style))
        return Strip(segments, width + 1).crop(0, width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
