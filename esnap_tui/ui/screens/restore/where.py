"""Step 2's target picker and rename preview, marked so they read without colour.

Why: Textual shows the highlighted entry of a Select's drop-down, and the cursor row of a
DataTable, by colour only; with NO_COLOR (the ``ansi`` theme), over SSH or in a tmux capture the
target under the cursor, the target already chosen and the preview's cursor row all looked like
the rest. These reuse the wizard's other marks (``widgets.marked``): ``▶`` on the cursor row
while the widget has focus, and here ``●`` on the chosen target.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable, Select

# Select's drop-down and current-value widgets are only importable from the private module
from textual.widgets._select import SelectCurrent, SelectOverlay

from esnap_tui.ui.widgets.marked import CURSOR, MarkedOptionList

CHOSEN = "●"


class _MarkedOverlay(SelectOverlay, MarkedOptionList):
    """The drop-down: ``▶`` on the highlighted row (from :class:`MarkedOptionList`) and ``●``
    on the chosen one, then a space, before the option's text."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)  # the ▶ column, drawn by MarkedOptionList
        width = strip.cell_length
        if not width:
            return strip
        chosen = False
        select = self.parent
        if isinstance(select, MarkedSelect):
            try:
                index, offset = self._lines[self.scroll_offset.y + y]
            except IndexError:
                pass
            else:
                chosen = offset == 0 and index == select.chosen_index()
        head, rest = strip.crop(0, 1), strip.crop(1, width)
        style = next(iter(rest)).style if rest.cell_length else None
        mark = Segment(f"{CHOSEN if chosen else ' '} ", style)
        return Strip([*head, mark, *rest], width + 2).crop(0, width)


class MarkedSelect(Select[str]):
    """A Select whose open list marks the highlighted and the chosen entry in text."""

    def compose(self) -> ComposeResult:
        # Select.compose with the marked overlay in place of SelectOverlay
        yield SelectCurrent(self.prompt)
        yield _MarkedOverlay(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact)

    def chosen_index(self) -> int | None:
        """The drop-down row of the current value (rows follow ``_options``, as in Select);
        None while blank (the "no writable cluster" prompt is not a choice)."""
        if self.is_blank():
            return None
        return next((i for i, (_prompt, value) in enumerate(self._options)
                     if value == self.value), None)

    def watch_value(self) -> None:
        for overlay in self.query(_MarkedOverlay):
            overlay.refresh()  # the ● moves


class MarkedDataTable(DataTable):
    """``▶`` in the first cell (the column's padding) of the cursor row while the table has
    focus, whatever the horizontal scroll, so the row is found without colour."""

    def _cursor_on(self, y: int) -> bool:
        if not (self.has_focus and self.show_cursor and self.cursor_type == "row"
                and self.row_count):
            return False
        fixed = (self.header_height if self.show_header else 0) + sum(
            row.height for row in self.ordered_rows[: self.fixed_rows])
        line = y if y < fixed else y + self.scroll_offset.y  # as DataTable.render_line
        try:
            row_key, offset = self._get_offsets(line)
        except LookupError:
            return False
        return offset == 0 and self._row_locations.get(row_key) == self.cursor_row

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        width = strip.cell_length
        if not width or not self._cursor_on(y):
            return strip
        style = next(iter(strip)).style
        return Strip([Segment(CURSOR, style), *strip.crop(1, width)], width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
