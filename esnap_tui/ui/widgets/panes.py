"""The list widgets of the main screen, with vim keys and lazy-paging hints.

Why subclasses: vim keys (``j/k/g/G``) come from the binding catalogue so they can be remapped,
and the snapshot table must tell its screen when the cursor or the viewport comes near the last
loaded row, so the next page is fetched before the user reaches the end.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

from esnap_tui.ui.bindings import LIST, bindings_for

NEAR_END_ROWS = 10
FOCUS_MARK = "▶ "
_BASE_TITLE = Widget.__dict__["border_title"]  # Textual's descriptor: it renders the title


class Pane(Vertical):
    """A bordered pane whose title starts with ``▶`` while focus is inside it.

    Why a mark and not only the border colour: in a terminal without colour (NO_COLOR, a tmux
    capture, a screen reader) every theme must still say which pane the keys go to. Callers set
    ``border_title`` as usual; the mark is added (and kept) here.
    """

    _title_label: str | None = None

    @property  # type: ignore[override]
    def border_title(self) -> str | None:
        return _BASE_TITLE.__get__(self, type(self))

    @border_title.setter
    def border_title(self, title: str | None) -> None:
        self._title_label = None if title is None else str(title).removeprefix(FOCUS_MARK)
        self._show_title()

    def _show_title(self) -> None:
        label = self._title_label
        if label is None:
            _BASE_TITLE.__set__(self, None)
        else:
            _BASE_TITLE.__set__(self, (FOCUS_MARK if self.has_focus_within else "") + label)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_title()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._show_title()


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
    FLEX_ROOMY = 24  # below this the name column no longer shares the width with every column
    ESSENTIAL_COLUMNS = ("state", "start")

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
        if wanted <= available:
            width = wanted
        elif available >= self.FLEX_ROOMY:
            width = available
        else:
            # narrow: the name, its state and its start time stay on screen, the rest scroll
            # sideways; a name cut to FLEX_MIN hid the date of every SLM name (all rows alike)
            essential = sum(
                self.columns[key].get_render_width(self)  # type: ignore[index]
                for key in self.ESSENTIAL_COLUMNS if key in self.columns
            )
            width = max(self.FLEX_MIN, min(wanted, room - essential - pad))
        if flex.auto_width or flex.width != width:
            flex.auto_width = False
            flex.width = width
            # DataTable recomputes its virtual width only when rows arrive: without this the
            # sideways scrollbar kept the old width (and pictures differed run to run)
            total = sum(c.get_render_width(self) for c in self.columns.values())
            self.virtual_size = Size(total + self._row_label_column_width,
                                     self.virtual_size.height)
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
