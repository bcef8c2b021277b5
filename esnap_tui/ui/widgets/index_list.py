"""A virtual list of a snapshot's indices: thousands of rows without a freeze.

Why not a DataTable: it keeps a row object per index, measures every new cell on idle and
re-lays out the screen per batch of rows; for 3,000 indices the detail screen stalled for
~200-400 ms while it filled. Here the rows are plain tuples of strings, their column widths
are measured once (by :func:`measure_columns`, meant for a worker thread), and only the lines
in view are rendered, on demand, through the line API. Replacing all rows or one column is one
assignment and one refresh.

The cursor row is drawn reversed and marked "▶", so it stays visible without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from esnap_tui.ui.bindings import LIST, bindings_for

Row = tuple[str, ...]
MARK = "▶ "  # the cursor row's marker column (blank on other rows)
GAP = 2  # cells between columns


def measure_columns(headers: Sequence[str], rows: Sequence[Row]) -> list[int]:
    """Width of each column: its widest cell or its header. Pure, so a thread can run it."""
    widths = [cell_len(header) for header in headers]
    for column in range(len(headers)):
        distinct = {row[column] for row in rows}  # many rows share a size or a version
        if distinct:
            widths[column] = max(widths[column], max(map(cell_len, distinct)))
    return widths


class IndexList(ScrollView, can_focus=True):
    """Rows of strings under a fixed header line, with a row cursor and vim keys."""

    BINDINGS: ClassVar = [
        *bindings_for(LIST),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "index-list--header", "index-list--cursor", "index-list--even"}
    DEFAULT_CSS = """
    IndexList {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        & > .index-list--header { text-style: bold; background: $panel; color: $foreground; }
        & > .index-list--cursor { text-style: reverse bold; }
        & > .index-list--even { background: $surface-lighten-1; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    def __init__(self, headers: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.headers = tuple(headers)
        self.rows: list[Row] = []
        self.widths = measure_columns(self.headers, [])

    # data ------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[Row], widths: list[int] | None = None) -> None:
        """Show ``rows`` (all of them at once); ``widths`` from :func:`measure_columns`,
        measured here when not given."""
        self.rows = rows
        self.widths = widths or measure_columns(self.headers, rows)
        self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        self._resize()

    def set_column(self, column: int, values: Sequence[str], width: int | None = None) -> None:
        """Replace one column's value in every row (in row order)."""
        self.rows = [(*row[:column], value, *row[column + 1:])
                     for row, value in zip(self.rows, values, strict=True)]
        if width is None:
            width = max([cell_len(self.headers[column]), *map(cell_len, set(values))])
        self.widths[column] = width
        self._resize()

    def _resize(self) -> None:
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)  # + the header
        self.refresh()

    def _line_width(self) -> int:
        return cell_len(MARK) + sum(self.widths) + GAP * (len(self.widths) - 1) + 1

    # rendering -------------------------------------------------------------------------------

    def _text(self, cells: Sequence[str], mark: str) -> str:
        parts = [set_cell_size(cell, width) for cell, width in zip(cells, self.widths, strict=True)]
        return mark + (" " * GAP).join(parts) + " "

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            text = self._text(self.headers, " " * cell_len(MARK))
            style = base + self.get_component_rich_style("index-list--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            if index == self.cursor:
                text = self._text(self.rows[index], MARK)
                style = base + self.get_component_rich_style("index-list--cursor")
            else:
                text = self._text(self.rows[index], " " * cell_len(MARK))
                style = base
                if index % 2:
                    style += self.get_component_rich_style("index-list--even")
        full = Strip([Segment(text, style)], cell_len(text))
        return full.crop_extend(scroll_x, scroll_x + width, style if y else base)

    # cursor ----------------------------------------------------------------------------------

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # data lines in view

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        page = self._page()
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + page:
            self.scroll_to(y=new - page + 1, animate=False, immediate=True)
        self.refresh()

    def _move(self, row: int) -> None:
        if self.rows:
            self.cursor = max(0, min(row, len(self.rows) - 1))

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self._move(0)

    def action_cursor_bottom(self) -> None:
        self._move(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page())

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page())

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:  # not the header
            self._move(round(self.scroll_y) + event.y - 1)

