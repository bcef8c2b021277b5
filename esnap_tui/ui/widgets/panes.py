"""The list widgets of the main screen, with vim keys and lazy-paging hints.

Why subclasses: vim keys (``j/k/g/G``) come from the binding catalogue so they can be remapped,
and the snapshot table must tell its screen when the cursor or the viewport comes near the last
loaded row, so the next page is fetched before the user reaches the end.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.message import Message
from textual.widgets import DataTable, OptionList

from esnap_tui.ui.bindings import LIST, bindings_for

NEAR_END_ROWS = 10


class PaneList(OptionList):
    """An OptionList for the clusters and repositories panes."""

    BINDINGS = bindings_for(LIST)

    def action_cursor_top(self) -> None:
        self.action_first()

    def action_cursor_bottom(self) -> None:
        self.action_last()


class SnapshotTable(DataTable):
    """The snapshot list: rows are appended page by page as the user moves down."""

    BINDINGS = bindings_for(LIST)

    class NearEnd(Message):
        """The cursor or the viewport is close to the last loaded row: time for a page."""

        def __init__(self, table: SnapshotTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> SnapshotTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def action_cursor_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
        self.post_message(self.NearEnd(self))

    FLEX_COLUMN = "name"
    FLEX_MIN = 16

    def fit_columns(self) -> None:
        """Give the snapshot name the width the other columns leave (at least ``FLEX_MIN``).

        Generated SLM names are 40+ characters; left to size themselves they push state and
        time off an 80-column screen. The full name is in the title bar and the detail.
        """
        if self.FLEX_COLUMN not in self.columns or not self.size.width:
            return
        pad = 2 * self.cell_padding
        flex = self.columns[self.FLEX_COLUMN]  # type: ignore[index]
        others = sum(
            c.get_render_width(self) for key, c in self.columns.items() if key != flex.key
        )
        # always leave room for the vertical scrollbar, whether it is shown yet or not, so
        # the width does not depend on when DataTable gets round to measuring new rows
        room = self.content_region.width - self.styles.scrollbar_size_vertical
        available = room - others - pad
        wanted = max(cell_len(str(v)) for v in (flex.label, *self.get_column(flex.key)))
        width = wanted if wanted <= available else max(self.FLEX_MIN, available)
        if flex.auto_width or flex.width != width:
            flex.auto_width = False
            flex.width = width
            self._clear_caches()
            self.refresh(layout=True)

    def on_resize(self) -> None:
        self.fit_columns()


    def near_end(self) -> bool:
        """The cursor, or the bottom of the viewport, is within a few rows of the last one."""
        if not self.row_count:
            return False
        if self.cursor_row >= self.row_count - NEAR_END_ROWS:
            return True
        height = self.scrollable_content_region.height
        return height > 0 and self.scroll_y + height >= self.row_count - NEAR_END_ROWS

    def watch_cursor_coordinate(self, old, new) -> None:  # type: ignore[override]
        super().watch_cursor_coordinate(old, new)
        if self.near_end():
            self.post_message(self.NearEnd(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.near_end():
            self.post_message(self.NearEnd(self))
