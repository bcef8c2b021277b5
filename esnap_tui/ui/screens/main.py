"""The main screen: clusters | repositories | snapshots, plus a detail preview when wide.

Why it is built this way:
- Every source connects in its own worker and reports into its own row, so one refused or
  unauthorised cluster never blanks the others.
- Each pane shows its own loading spinner (``widget.loading``); nothing else waits.
- The snapshot list is a cursor over server pages: the first page (newest first) is fetched
  when a repository is highlighted, the next one when the cursor or viewport nears the end.
- Workers are exclusive per pane, so moving quickly through repositories cancels stale
  requests; a listing token guards against a late page landing in the wrong list.
- On narrow terminals the sidebar stacks clusters over repositories and the detail opens as its
  own screen; at 110x32 and above a summary of the highlighted snapshot is shown beside it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from esnap_tui.models import SnapshotSummary
from esnap_tui.ui.bindings import MAIN, bindings_for
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.extensions import SnapshotContext, open_restore, screen_for
from esnap_tui.ui.services import (
    KIND_LABELS,
    SORTS,
    Page,
    RepoRef,
    Services,
    SnapshotFilter,
    Source,
    describe_error,
    fill_summary,
    format_duration,
    format_state,
    format_time,
    times_fill_limit,
)
from esnap_tui.ui.widgets.detail import summary_table
from esnap_tui.ui.widgets.panes import Pane, PaneList, SnapshotTable

PANES = ("sources", "repos", "snapshots")
NARROW_BELOW = 100  # columns: below, a narrower sidebar leaves snapshot names their dates
FILTER_DEBOUNCE = 0.3
DETAIL_DEBOUNCE = 0.2
MAX_AUTO_PAGES = 20  # pages fetched in one go while a filter hides most rows
TIMES_HINT = "times load on selection: catalogue predates 7.14"
TIMES_HINT_SHORT = "times on selection: pre-7.14 catalogue"  # what fits at 80 columns


@dataclass
class Listing:
    """One snapshot list being paged in: a new one replaces it on every change."""

    token: int
    source: Source
    repository: str
    sort_index: int
    filt: SnapshotFilter
    next: str | None = None
    started: bool = False
    loading: bool = False
    total: int | None = None
    error: str | None = None
    times_note: str | None = None  # why start times are missing, or how far filling them got

    @property
    def complete(self) -> bool:
        return self.started and self.next is None


class MainScreen(Screen):
    """Clusters, repositories and snapshots; posts ``Ready`` once its widgets exist."""

    BINDINGS = bindings_for(MAIN)

    class Ready(Message):
        """The panes exist: the app can attach its services."""
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (NARROW_BELOW, "-medium"), (110, "-wide")
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]

    def __init__(self, *, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only
        self.services: Services | None = None
        self.current_source: Source | None = None
        self.current_repo: RepoRef | None = None
        self.repo_cache: dict[str, list[RepoRef]] = {}
        self.sort_index = 0
        self.filter = SnapshotFilter()
        self.listing: Listing | None = None
        self.rows: dict[str, SnapshotSummary] = {}
        self._token = 0
        self._repos_token = 0
        self._pending_repo: str | None = None
        self._pending_snapshot: str | None = None
        self._prompts_narrow = False

    # layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(" esnap", id="title", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                with Pane(id="sources-pane", classes="pane") as pane:
                    pane.border_title = "Clusters"
                    yield PaneList(id="sources")
                with Pane(id="repos-pane", classes="pane") as pane:
                    pane.border_title = "Repositories"
                    yield PaneList(id="repos")
                    yield Static(id="repos-message", classes="pane-message", markup=False)
            with Vertical(id="main"):
                with Pane(id="snapshots-pane", classes="pane") as pane:
                    pane.border_title = "Snapshots"
                    yield SnapshotTable(id="snapshots")
                    yield Static(id="snapshots-message", classes="pane-message", markup=False)
                    yield Input(
                        id="filter", placeholder="filter: name  state:failed  policy:nightly"
                    )
                with VerticalScroll(id="detail-pane", classes="pane") as pane:
                    pane.border_title = "Snapshot"
                    pane.can_focus = False
                    yield Static(id="detail-summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#snapshots", SnapshotTable)
        # fixed widths: DataTable measures cells lazily, and a column that grows after the
        # first paint left stale rows on screen; only the name column flexes (fit_columns)
        table.add_column("Snapshot", key="name")
        table.add_column("State", key="state", width=10)
        table.add_column("Started (UTC)", key="start", width=16)
        table.add_column("Took", key="took", width=6)
        table.add_column("Idx", key="indices", width=4)
        table.add_column("Policy", key="policy", width=12)
        self.query_one("#filter", Input).display = False
        self._message("#repos-message", None)
        self._message("#snapshots-message", None)
        self.query_one("#sources", PaneList).focus()
        self._update_titles()
        self.post_message(self.Ready())

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_titles)  # the footer hint fits the new width
        narrow = self.narrow
        if narrow != self._prompts_narrow and self.services is not None:
            for source in self.services.sources:
                self._refresh_source_row(source)

    @property
    def narrow(self) -> bool:
        """Below 100 columns the sidebar is 22 wide and cluster lines abbreviate."""
        return self.app.size.width < NARROW_BELOW

    # wiring to services ------------------------------------------------------------------

    def attach(self, services: Services) -> None:
        """Show the sources of ``services`` and start connecting to each of them."""
        self.services = services
        sources = self.query_one("#sources", PaneList)
        sources.clear_options()
        if not services.sources:
            self._message(
                "#repos-message",
                "No clusters configured.\nAdd them to clusters.yaml, or run esnap --demo.",
            )
        for source in services.sources:
            sources.add_option(Option(self._source_prompt(source), id=source.key))
        self.query_one("#sources-pane").border_title = f"Clusters {len(services.sources)}"
        for source in services.sources:
            self.connect_source(source)
        if services.sources:
            sources.highlighted = 0

    def _source_prompt(self, source: Source) -> Content:
        state = source.state
        narrow = self._prompts_narrow = self.narrow
        flags = []
        if source.kind == "offline":
            flags.append("off" if narrow else "offline")
        if source.read_only or self.read_only:
            flags.append("ro")
        if source.protected:
            flags.append("⚠" if narrow else "protected")
        suffix = f" [{','.join(flags) if narrow else ', '.join(flags)}]" if flags else ""
        headline = state.headline
        if narrow:
            headline = headline.replace("OpenSearch ", "OS ")
        style = {True: "$success", False: "$error"}.get(state.ok, "$text-muted")  # type: ignore[arg-type]
        return Content.assemble(
            (f"{state.symbol} ", style),
            (source.name, "bold"),
            (suffix, "dim"),
            "\n  ",
            (headline, "" if state.ok else style),
        )

    @work(group="connect", exit_on_error=False)
    async def connect_source(self, source: Source) -> None:
        await source.connect()
        self._refresh_source_row(source)
        if source is self.current_source:
            self.load_repositories(source)

    def _refresh_source_row(self, source: Source) -> None:
        sources = self.query_one("#sources", PaneList)
        try:
            sources.replace_option_prompt(source.key, self._source_prompt(source))
        except Exception:  # the option list was rebuilt meanwhile
            return

    # sources -----------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#sources")
    def _source_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.services is None or event.option.id is None:
            return
        source = self.services.get(event.option.id)
        if source is self.current_source:
            return
        self.current_source = source
        self.current_repo = None
        self._apply_theme(source)
        self._clear_snapshots(None)
        self.load_repositories(source)
        self._update_titles()

    @on(OptionList.OptionSelected, "#sources")
    def _source_selected(self) -> None:
        self.query_one("#repos", PaneList).focus()

    def _apply_theme(self, source: Source) -> None:
        chooser = getattr(self.app, "theme_for_source", None)
        if chooser is not None:
            chooser(source)

    # repositories ------------------------------------------------------------------------

    @work(exclusive=True, group="repos", exit_on_error=False)
    async def load_repositories(self, source: Source, *, force: bool = False) -> None:
        repos = self.query_one("#repos", PaneList)
        repos.clear_options()
        self.query_one("#repos-pane").border_title = "Repositories"
        if source.state.ok is None:
            repos.loading = True
            self._message("#repos-message", None)
            return  # connect_source calls again when the cluster answers
        if source.state.ok is False:
            repos.loading = False
            label = source.state.headline
            self._message(
                "#repos-message",
                f"✗ {source.name}: {label}\n{source.state.detail}\n\nr retries.",
            )
            self._clear_snapshots(f"✗ {source.name} is unavailable: {label}")
            return
        self._repos_token += 1
        token = self._repos_token
        repos.loading = True
        self._message("#repos-message", None)
        try:
            if force or source.key not in self.repo_cache:
                self.repo_cache[source.key] = await source.repositories()
            refs = self.repo_cache[source.key]
        except Exception as error:
            kind, message = describe_error(error)
            self._message(
                "#repos-message",
                f"✗ repositories of {source.name}: {KIND_LABELS.get(kind, kind)}\n{message}",
            )
            self._clear_snapshots("✗ no repositories could be listed")
            return
        finally:
            if token == self._repos_token:
                repos.loading = False
        if source is not self.current_source:
            return
        repos.clear_options()
        for ref in refs:
            repos.add_option(Option(self._repo_prompt(ref), id=ref.name))
        self.query_one("#repos-pane").border_title = f"Repositories {len(refs)}"
        if not refs:
            self._message("#repos-message", f"{source.name} has no snapshot repositories.")
            self._clear_snapshots("No repository selected.")
            return
        index = 0
        if self._pending_repo is not None:
            names = [r.name for r in refs]
            if self._pending_repo in names:
                index = names.index(self._pending_repo)
            self._pending_repo = None
        repos.highlighted = index

    @staticmethod
    def _repo_prompt(ref: RepoRef) -> Content:
        kind = f" {ref.type}" if ref.type else ""
        return Content.assemble((ref.name, "bold"), (kind, "dim"))

    @on(OptionList.OptionHighlighted, "#repos")
    def _repo_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        source = self.current_source
        if source is None or event.option.id is None:
            return
        refs = {r.name: r for r in self.repo_cache.get(source.key, [])}
        ref = refs.get(event.option.id)
        if ref is None or ref == self.current_repo:
            return
        self.current_repo = ref
        self._start_listing()

    @on(OptionList.OptionSelected, "#repos")
    def _repo_selected(self) -> None:
        self.query_one("#snapshots", SnapshotTable).focus()

    # snapshots ---------------------------------------------------------------------------

    def _clear_snapshots(self, message: str | None) -> None:
        self._token += 1
        self.listing = None
        self.rows.clear()
        table = self.query_one("#snapshots", SnapshotTable)
        table.clear()
        table.loading = False
        self._message("#snapshots-message", message)
        self.query_one("#detail-summary", Static).update("")
        self._update_titles()

    def _start_listing(self, *, delay: float = 0.0) -> None:
        source, repo = self.current_source, self.current_repo
        self._clear_snapshots(None)
        if source is None or repo is None:
            return
        self.listing = Listing(self._token, source, repo.name, self.sort_index, self.filter)
        self.query_one("#snapshots", SnapshotTable).loading = True
        self._update_titles()
        self.load_first_page(self.listing, delay)

    @work(exclusive=True, group="snapshots", exit_on_error=False)
    async def load_first_page(self, listing: Listing, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self._fetch(listing)
        if listing.token == self._token and listing.started:
            self._check_times(listing)

    @work(group="more-snapshots", exit_on_error=False)
    async def load_more(self, listing: Listing) -> None:
        await self._fetch(listing)

    async def _fetch(self, listing: Listing) -> None:
        """Fetch the next page; with a filter, keep going until the screen has rows."""
        table = self.query_one("#snapshots", SnapshotTable)
        if listing.loading or listing.complete:
            return
        listing.loading = True
        self._update_titles()
        try:
            for _ in range(MAX_AUTO_PAGES):
                page: Page = await listing.source.snapshots_page(
                    listing.repository,
                    sort=SORTS[listing.sort_index],
                    filt=listing.filt,
                    after=listing.next,
                )
                if listing.token != self._token:
                    return
                listing.started = True
                listing.next = page.next
                listing.total = page.total if page.total is not None else listing.total
                self._append(page.items)
                wanted = max(table.size.height, 20)
                if listing.complete or not listing.filt.active or table.row_count >= wanted:
                    break
        except Exception as error:
            if listing.token != self._token:
                return
            kind, message = describe_error(error)
            listing.error = f"{KIND_LABELS.get(kind, kind)}: {message}"
            if table.row_count:
                self.notify(f"Loading more snapshots failed: {listing.error}", severity="error")
            else:
                self._message("#snapshots-message", f"✗ snapshots of {listing.repository}\n"
                              f"{listing.error}\n\nr retries.")
        finally:
            listing.loading = False
            if listing.token == self._token:
                table.loading = False
                self._update_titles()
        current = listing.token == self._token and listing.started
        if current and not table.row_count and listing.error is None:
            what = "match the filter" if listing.filt.active else "exist yet"
            self._message("#snapshots-message", f"No snapshots {what} in {listing.repository}.")

    def _append(self, items: list[SnapshotSummary]) -> None:
        table = self.query_one("#snapshots", SnapshotTable)
        first = table.row_count == 0
        for summary in items:
            if summary.name in self.rows:
                continue
            self.rows[summary.name] = summary
            table.add_row(
                Text(summary.name, no_wrap=True, overflow="ellipsis"),
                format_state(summary.state, short=True),
                format_time(summary.start_time_ms),
                format_duration(summary.duration_ms),
                "—" if summary.indices_count is None else str(summary.indices_count),
                Text(summary.slm_policy or "—", no_wrap=True, overflow="ellipsis"),
                key=summary.name,
            )
        table.fit_columns()
        if self._pending_snapshot is not None and self._pending_snapshot in self.rows:
            table.move_cursor(row=table.get_row_index(self._pending_snapshot))
            self._pending_snapshot = None
        elif first and table.row_count:
            self._snapshot_changed()
        if table.near_end():  # a page shorter than the viewport: ask for the next one
            self.call_after_refresh(table.post_message, SnapshotTable.NearEnd(table))

    # start times missing from old catalogues ---------------------------------------------

    def _check_times(self, listing: Listing) -> None:
        """Old catalogues (before 7.14) list no start times, so "newest first" has nothing to
        sort on: a small repository gets them from its snapshot blobs now (as ``esnap repo
        inspect`` does); a large one gets each when its snapshot is selected."""
        missing, total = listing.source.missing_times(listing.repository)
        if not missing:
            listing.times_note = None
        elif total <= times_fill_limit():
            listing.times_note = f"reading times 0/{missing}…"
            self.fill_times(listing, missing)
        else:
            listing.times_note = TIMES_HINT
        self._update_titles()

    @work(exclusive=True, group="times", exit_on_error=False)
    async def fill_times(self, listing: Listing, missing: int) -> None:
        done = 0
        async for filled in listing.source.fill_times(listing.repository):
            if listing.token != self._token:
                return  # a new listing starts its own filling; the summaries keep what we read
            for summary in filled:
                self._refresh_row(summary)
            done += len(filled)
            listing.times_note = f"reading times {done}/{missing}…"
            self._update_titles()
        if listing.token != self._token:
            return
        listing.times_note = None
        if SORTS[listing.sort_index].field == "start_time":  # now there is something to sort on
            selected = self.selected_snapshot()
            self._pending_snapshot = selected.name if selected is not None else None
            self._start_listing()
        else:
            self._update_titles()

    def _refresh_row(self, summary: SnapshotSummary) -> None:
        """Show what was filled into ``summary`` in its row, if the row is loaded."""
        if self.rows.get(summary.name) is not summary:
            return
        table = self.query_one("#snapshots", SnapshotTable)
        table.update_cell(summary.name, "state", format_state(summary.state, short=True))
        table.update_cell(summary.name, "start", format_time(summary.start_time_ms))
        table.update_cell(summary.name, "took", format_duration(summary.duration_ms))
        if summary.slm_policy:
            table.update_cell(
                summary.name, "policy", Text(summary.slm_policy, no_wrap=True, overflow="ellipsis")
            )

    @on(SnapshotTable.NearEnd)
    def _near_end(self) -> None:
        listing = self.listing
        if listing is None or listing.loading or listing.complete or listing.error:
            return
        if not listing.started or not self.query_one("#snapshots", SnapshotTable).near_end():
            return
        self.load_more(listing)

    @on(DataTable.RowHighlighted, "#snapshots")
    def _row_highlighted(self) -> None:
        self._snapshot_changed()

    def _snapshot_changed(self) -> None:
        self._update_titles()
        summary = self.selected_snapshot()
        if summary is not None and self._detail_visible():
            self.preview_detail(summary)

    def _detail_visible(self) -> bool:
        return self.has_class("-wide") and self.has_class("-tall")

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def preview_detail(self, summary: SnapshotSummary) -> None:
        body = self.query_one("#detail-summary", Static)
        source, repo = self.current_source, self.current_repo
        if source is None or repo is None:
            return
        body.update(summary_table(summary, repository=repo.name, source=source.name, compact=True))
        await asyncio.sleep(DETAIL_DEBOUNCE)
        try:
            detail = await source.snapshot(repo.name, summary.name)
        except Exception as error:
            kind, message = describe_error(error)
            body.update(f"✗ detail of {summary.name}: {KIND_LABELS.get(kind, kind)}\n{message}")
            return
        if fill_summary(summary, detail):  # an old catalogue's row learns its times
            self._refresh_row(summary)
        if self.selected_snapshot() is summary:
            body.update(
                summary_table(detail, repository=repo.name, source=source.name, compact=True)
            )

    @on(DataTable.RowSelected, "#snapshots")
    def _row_selected(self) -> None:
        self.action_open_detail()

    def selected_snapshot(self) -> SnapshotSummary | None:
        table = self.query_one("#snapshots", SnapshotTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self.rows.get(str(key))

    def snapshot_context(self) -> SnapshotContext | None:
        summary = self.selected_snapshot()
        if summary is None or self.current_source is None or self.current_repo is None:
            return None
        assert self.services is not None
        return SnapshotContext(
            self.services,
            self.current_source,
            self.current_repo.name,
            summary,
            read_only=self.read_only,
        )

    # titles and messages -----------------------------------------------------------------

    def _message(self, selector: str, text: str | None) -> None:
        """Show ``text`` in place of the pane's list (or the list again when None)."""
        widget = self.query_one(selector, Static)
        widget.update(text or "")
        widget.display = bool(text)
        partner = {"#repos-message": "#repos", "#snapshots-message": "#snapshots"}[selector]
        self.query_one(partner).display = not text

    def _update_titles(self) -> None:
        parts = ["esnap"]
        if self.current_source is not None:
            parts.append(self.current_source.name)
        if self.current_repo is not None:
            parts.append(self.current_repo.name)
        summary = self.selected_snapshot() if self.is_mounted else None
        if summary is not None:
            parts.append(summary.name)
        flags = []
        if self.read_only or (self.current_source is not None and self.current_source.read_only):
            flags.append("read-only")
        if self.current_source is not None and self.current_source.protected:
            flags.append("⚠ protected")
        title = " " + " › ".join(parts)
        if flags:
            title += "   [" + ", ".join(flags) + "]"
        self.query_one("#title", Static).update(title)

        pane = self.query_one("#snapshots-pane")
        pane.border_title = f"Snapshots · {SORTS[self.sort_index].label}"
        listing = self.listing
        table = self.query_one("#snapshots", SnapshotTable)
        subtitle = ""
        if listing is not None and listing.started:
            count = table.row_count
            if listing.loading:
                subtitle = f"{count} · loading…"
            elif listing.complete:
                subtitle = f"all {count}"
            elif listing.total is not None and not listing.filt.active:
                subtitle = f"{count} of {listing.total} · more ↓"
            else:
                subtitle = f"{count} · more ↓"
        if listing is not None and listing.times_note:  # first: the counts may be cut off
            note = listing.times_note
            if note == TIMES_HINT and len(note) + len(subtitle) + 9 > pane.size.width:
                note = TIMES_HINT_SHORT
            subtitle = f"{note} · {subtitle}".rstrip(" ·")
        if self.filter.active:
            subtitle = f"filter: {self.filter.text} · {subtitle}".rstrip(" ·")
        pane.border_subtitle = subtitle

    # actions -----------------------------------------------------------------------------

    def _focused_pane(self) -> str | None:
        focused = self.focused
        if focused is None:
            return None
        if focused.id == "filter":
            return "snapshots"
        return focused.id if focused.id in PANES else None

    def _focus_pane(self, name: str) -> None:
        # set_focus is immediate (Widget.focus is deferred): a fast "tab tab" must see the
        # first move before computing the second
        self.set_focus(self.query_one(f"#{name}", Widget))

    def action_next_pane(self) -> None:
        current = self._focused_pane() or "sources"
        self._focus_pane(PANES[(PANES.index(current) + 1) % len(PANES)])

    def action_prev_pane(self) -> None:
        current = self._focused_pane() or "sources"
        self._focus_pane(PANES[(PANES.index(current) - 1) % len(PANES)])

    def action_pane_left(self) -> None:
        current = self._focused_pane() or "sources"
        self._focus_pane(PANES[max(PANES.index(current) - 1, 0)])

    def action_pane_right(self) -> None:
        current = self._focused_pane() or "sources"
        self._focus_pane(PANES[min(PANES.index(current) + 1, len(PANES) - 1)])

    def action_open(self) -> None:
        pane = self._focused_pane()
        if pane == "snapshots":
            self.action_open_detail()
        elif pane is not None:
            self.action_pane_right()

    def action_open_detail(self) -> None:
        context = self.snapshot_context()
        if context is None:
            return

        def closed(_: object) -> None:
            if context.detail is not None and fill_summary(context.snapshot, context.detail):
                self._refresh_row(context.snapshot)  # an old catalogue's row learns its times

        self.app.push_screen(DetailScreen(context), closed)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        new = SnapshotFilter.parse(event.value)
        if new == self.filter:
            return
        self.filter = new
        self._start_listing(delay=FILTER_DEBOUNCE)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.value.strip():
            field.display = False
        self.query_one("#snapshots", SnapshotTable).focus()

    def action_back(self) -> None:
        field = self.query_one("#filter", Input)
        if field.display or self.filter.active:
            had_filter = self.filter.active
            field.value = ""
            field.display = False
            self.filter = SnapshotFilter()
            self.query_one("#snapshots", SnapshotTable).focus()
            if had_filter:
                self._start_listing()
            return
        self.action_pane_left()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._start_listing()

    def action_refresh(self) -> None:
        pane = self._focused_pane()
        source = self.current_source
        if source is None:
            return
        if pane == "sources" or source.state.ok is False:
            source.state.ok = None
            source.state.headline = "connecting"
            self._refresh_source_row(source)
            self.repo_cache.pop(source.key, None)
            self.current_repo = None
            self.load_repositories(source)
            self.connect_source(source)
        elif pane == "repos":
            self.current_repo = None
            self.load_repositories(source, force=True)
        else:
            self._start_listing()

    def action_find_index(self) -> None:
        if self.services is None:
            return
        from esnap_tui.ui.screens.find import FindIndexScreen

        self.app.push_screen(FindIndexScreen(self.services, read_only=self.read_only))

    def action_compat(self) -> None:
        context = self.snapshot_context()
        if context is None:
            self.notify("Highlight a snapshot first.", severity="warning")
            return
        self.app.push_screen(screen_for("compat", context))

    def action_restore(self) -> None:
        context = self.snapshot_context()
        if context is None:
            self.notify("Highlight a snapshot first.", severity="warning")
            return
        open_restore(self, context)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A read-only or offline source is still a fine place to restore FROM: the wizard only
        # offers writable targets (and reads an offline snapshot from its files), so only the
        # global --read-only flag takes R away.
        if action == "restore":
            return not self.read_only
        return True

    # jumps from the command palette ------------------------------------------------------

    def jump_to(
        self, source_key: str, repo: str | None = None, snapshot: str | None = None
    ) -> None:
        """Highlight a source (then a repository, then a loaded snapshot) and focus it."""
        sources = self.query_one("#sources", PaneList)
        self._pending_repo = repo
        self._pending_snapshot = snapshot
        same_source = self.current_source is not None and self.current_source.key == source_key
        if not same_source:
            sources.highlighted = sources.get_option_index(source_key)
            self._focus_pane("repos" if repo else "sources")
            if snapshot:
                self._focus_pane("snapshots")
            return
        if repo is not None and (self.current_repo is None or self.current_repo.name != repo):
            repos = self.query_one("#repos", PaneList)
            try:
                repos.highlighted = repos.get_option_index(repo)
            except Exception:
                self.load_repositories(self.current_source)  # type: ignore[arg-type]
            self._pending_repo = None
        if snapshot is not None and snapshot in self.rows:
            table = self.query_one("#snapshots", SnapshotTable)
            table.move_cursor(row=table.get_row_index(snapshot))
            self._pending_snapshot = None
        self._focus_pane("snapshots" if snapshot else "repos" if repo else "sources")
