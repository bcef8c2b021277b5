"""``c``: will this snapshot restore into that cluster, index by index?

The view reads the snapshot's facts (created version of every index and where it came from)
once, in a worker, and checks them against whichever target the user picks: a configured
cluster (its version and licence read live) or a version typed in for a cluster that does not
exist yet. Picking another target re-runs only the pure check. Every verdict is a symbol and a
word, never colour alone; the reason column is cut to the terminal's width and the highlighted
row's full reason is printed below the table; Enter opens the way forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from esnap_tui.ui.bindings import BY_ID, COMPAT, MODAL, bindings_for
from esnap_tui.ui.screens.extensions import SnapshotContext, register_screen
from esnap_tui.ui.services import (
    KIND_LABELS,
    LICENCE_CHOICES,
    Source,
    compat_check,
    compat_facts,
    compat_target,
    compat_target_sources,
    compat_typed_target,
    describe_error,
)
from esnap_tui.ui.widgets.detail import VimTable

VERDICT_SYMBOLS = {
    "compatible": "✓",
    "read-only-archive": "◐",
    "unknown": "?",
    "incompatible": "✗",
}
HEAD_ROWS = (
    ("target", "Target"),
    ("snapshot", "Snapshot"),
    ("read", "Read"),
    ("summary", "Summary"),
)
_SHORT_LABELS = {"unknown": "unknown"}  # the table's word; the full label sits below


def verdict_text(verdict: Any, *, short: bool = False) -> str:
    """"✗ incompatible", "◐ read-only archive", "? unknown" (symbol and words)."""
    value = str(verdict.value)
    label = _SHORT_LABELS.get(value, verdict.label) if short else verdict.label
    return f"{VERDICT_SYMBOLS.get(value, '?')} {label}"


def target_text(target: Any) -> str:
    """"prod-eu · Elasticsearch 9.1.0 · licence enterprise" (or "typed" for a typed version)."""
    product = "OpenSearch" if str(target.product) == "opensearch" else "Elasticsearch"
    where = target.name if target.name else "typed version"
    licence = target.license if target.license else "not known"
    return f"{where} · {product} {target.version} · licence {licence}"


_PATH = re.compile(r"(?<![\w.])/[^\s()]+")


def short_paths(text: str) -> str:
    """Absolute paths cut to their last two parts ("…/mounts/legacy"): the head line has one
    row; the way-forward dialog shows the full origin."""

    def cut(match: re.Match[str]) -> str:
        parts = [part for part in match.group(0).split("/") if part]
        return match.group(0) if len(parts) <= 2 else "…/" + "/".join(parts[-2:])

    return _PATH.sub(cut, text)


@dataclass(frozen=True)
class TargetChoice:
    """What the picker returns: a configured cluster, or a typed target."""

    source: Source | None = None
    typed: Any = None  # TargetCluster


# --------------------------------------------------------------------------- the view


class CompatTable(VimTable):
    """The verdict table: Enter opens the way forward (the catalogue's ``compat-advice``, so a
    keymap that moves it moves it here too) instead of DataTable's own row selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        replace(BY_ID["compat-advice"].binding(), action="screen.advice")
    ]


class CompatScreen(Screen):
    BINDINGS = bindings_for(COMPAT)

    DEFAULT_CSS = """
    CompatScreen #compat-head {
        height: auto;
        padding: 0 1;
    }
    CompatScreen .head-row {
        height: auto;
        max-height: 3;
    }
    CompatScreen .head-key {
        width: 9;
        text-style: bold;
    }
    CompatScreen .head-value {
        width: 1fr;
        height: auto;
        max-height: 3;
        text-overflow: ellipsis;
    }
    CompatScreen #head-row-read .head-value {
        text-wrap: nowrap;
    }
    CompatScreen #compat-pane {
        height: 1fr;
    }
    CompatScreen #compat-detail {
        height: 4;
        padding: 0 1;
        background: $panel;
    }
    CompatScreen #compat-detail-title {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        text-style: bold;
    }
    CompatScreen.-tall #compat-detail {
        height: 6;
    }
    """

    def __init__(self, context: SnapshotContext, *, target: Any = None) -> None:
        super().__init__()
        self.context = context
        self.facts: Any = None
        self.facts_error: str | None = None
        self.target: Any = target
        self.target_label: str | None = None  # what is being looked up, while it is
        self.target_error: str | None = None
        self.report: Any = None
        self.problems_only = False
        self.shown: list[Any] = []  # IndexVerdicts in table order
        self._target_generation = 0

    def compose(self) -> ComposeResult:
        ctx = self.context
        yield Static(
            f" esnap › {ctx.source.name} › {ctx.repository} › {ctx.snapshot.name} › compatibility",
            id="title",
            markup=False,
        )
        with Vertical(id="compat-head"):
            for name, label in HEAD_ROWS:
                with Horizontal(id=f"head-row-{name}", classes="head-row"):
                    yield Static(label, classes="head-key", markup=False)
                    yield Static(id=f"head-{name}", classes="head-value", markup=False)
        with Vertical(id="compat-pane", classes="pane") as pane:
            pane.border_title = "Indices"
            yield CompatTable(id="compat-table")
            yield Static(id="compat-message", classes="pane-message", markup=False)
        with Vertical(id="compat-detail"):
            yield Static(id="compat-detail-title", markup=False)
            yield Static(id="compat-detail-body", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_class(self.app.size.height >= 32, "-tall")
        table = self.query_one("#compat-table", VimTable)
        table.loading = True
        table.focus()
        self._render_head()
        self.load_facts()
        if self.target is None:  # once the table has focus and the footer its keys
            self.call_after_refresh(self.action_pick_target)
        else:
            self.run_check()

    def on_resize(self) -> None:
        self.set_class(self.app.size.height >= 32, "-tall")
        if self.report is not None:
            self._fill()

    # workers ------------------------------------------------------------------------------

    @work(group="compat-facts", exit_on_error=False)
    async def load_facts(self) -> None:
        ctx = self.context
        try:
            self.facts = await compat_facts(ctx.source, ctx.repository, ctx.snapshot.name)
        except Exception as error:
            kind, message = describe_error(error)
            label = KIND_LABELS.get(kind, kind)
            self.facts_error = message if kind == "error" else f"{label}: {message}"
        self._render_head()
        self.run_check()

    # Later requests supersede earlier ones by a generation number rather than by cancelling
    # workers: a lookup that finishes after the user picked again is simply ignored.

    @work(group="compat-target", exit_on_error=False)
    async def resolve_target(self, source: Source) -> None:
        self._target_generation += 1
        generation = self._target_generation
        self.target, self.report, self.target_error = None, None, None
        self.target_label = source.name
        self._loading()
        self._render_head()
        target, problem = None, None
        try:
            target = await compat_target(source)
        except Exception as error:
            kind, message = describe_error(error)
            problem = f"{source.name} is unreachable: {KIND_LABELS.get(kind, kind)}"
            if message and message not in problem:
                problem += f" ({message})"
        if generation != self._target_generation:
            return
        self.target, self.target_error, self.target_label = target, problem, None
        self._render_head()
        self.run_check()

    @work(group="compat-check", exit_on_error=False)
    async def run_check(self) -> None:
        facts, target = self.facts, self.target
        if facts is None or target is None:
            self._loading()
            return
        try:
            report = await compat_check(facts, target)
        except Exception as error:
            report = None
            self.facts_error = describe_error(error)[1]
        if facts is not self.facts or target is not self.target:
            return  # superseded while it ran
        self.report = report
        self._render_head()
        self._fill()

    # rendering ----------------------------------------------------------------------------

    def _loading(self) -> None:
        """The spinner shows while a lookup that the table waits for is under way."""
        waiting = (self.facts is None and self.facts_error is None) or self.target_label is not None
        table = self.query_one("#compat-table", VimTable)
        table.loading = waiting
        if self.report is None:
            table.clear()
            self.shown = []
            message = self.query_one("#compat-message", Static)
            if waiting:
                message.update("")
            elif self.facts_error:
                message.update("The snapshot could not be read, so nothing can be checked.")
            else:
                message.update(
                    "No target yet. t picks a configured cluster or takes a version typed in."
                )
            message.display = not waiting
            self._render_detail()

    def _render_head(self) -> None:
        ctx = self.context
        snapshot: str
        if self.facts_error:
            snapshot = f"✗ {self.facts_error}"
        elif self.facts is None:
            snapshot = f"… reading it from {ctx.source.name}"
        elif self.report is not None:
            verdict = self.report.snapshot
            snapshot = f"{verdict_text(verdict.verdict)}: {verdict.reason}"
        else:
            version = self.facts.snapshot_version
            snapshot = f"taken by {version if version is not None else 'an unknown version'}"
        rows = {
            "target": self._target_line(),
            "snapshot": snapshot,
            "read": f"from {short_paths(self.facts.origin)}" if self.facts is not None else "",
            "summary": self.report.summary if self.report is not None else "",
        }
        for name, value in rows.items():
            self.query_one(f"#head-{name}", Static).update(value)
            self.query_one(f"#head-row-{name}").display = bool(value)

    def _target_line(self) -> str:
        if self.target_label is not None:
            return f"… asking {self.target_label} for its version and licence"
        if self.target_error:
            return f"✗ {self.target_error}. t: pick another or type a version"
        if self.target is None:
            return "none yet (t picks one)"
        return target_text(self.target)

    def _visible(self) -> list[Any]:
        if self.report is None:
            return []
        return list(self.report.problems if self.problems_only else self.report.indices)

    def _fill(self) -> None:
        table = self.query_one("#compat-table", VimTable)
        message = self.query_one("#compat-message", Static)
        pane = self.query_one("#compat-pane")
        previous = self._highlighted()
        cursor = table.cursor_row
        table.loading = False
        table.clear(columns=True)
        self.shown = self._visible()
        report = self.report
        total = len(report.indices) if report is not None else 0
        if self.problems_only:
            pane.border_title = f"Problem indices {len(self.shown)} of {total}"
            pane.border_subtitle = "p: show all"
        else:
            pane.border_title = f"Indices {total}"
            pane.border_subtitle = "p: only problems"
        rows = [
            (
                verdict.index,
                verdict.created_label,
                verdict.created_source.value,
                verdict_text(verdict.verdict, short=True),
                verdict.reason,
            )
            for verdict in self.shown
        ]
        widths = self._widths(rows, self.size.width - 2)  # inside the pane's border
        for title, width in zip(("Index", "Created", "Source", "Verdict", "Reason"), widths,
                                strict=True):
            table.add_column(title, width=width, key=title.lower())
        for row in rows:
            table.add_row(
                *(Text(cell, no_wrap=True, overflow="ellipsis") for cell in row), key=row[0]
            )
        if not self.shown:
            message.update(
                "No problems: every index restores as it is." if self.problems_only and total
                else "The snapshot holds no index."
            )
        message.display = not self.shown
        if self.shown:
            names = [v.index for v in self.shown]
            row = names.index(previous) if previous in names else min(cursor, len(names) - 1)
            table.move_cursor(row=max(row, 0))
        self._render_detail()

    @staticmethod
    def _widths(rows: list[tuple[str, ...]], width: int) -> list[int]:
        """Fixed widths so the whole table fits: the reason takes what is left (at least 12)."""
        available = max(width, 60) - 1 - 2 * 5  # scrollbar, cell padding
        caps = (28, 16, 14, 19)
        widths = []
        for column, cap in enumerate(caps):
            longest = max([len(r[column]) for r in rows] + [len(("Index", "Created", "Source",
                                                                   "Verdict")[column])])
            widths.append(min(longest, cap))
        reason = available - sum(widths)
        if reason < 12:  # give the reason room by narrowing the index and created columns
            short = 12 - reason
            cut = min(short, max(widths[0] - 12, 0))
            widths[0] -= cut
            short -= cut
            widths[1] -= min(short, max(widths[1] - 8, 0))
            reason = max(available - sum(widths), 12)
        longest_reason = max([len(r[4]) for r in rows] + [6])
        return [*widths, min(reason, longest_reason) if rows else reason]

    def _highlighted(self) -> str | None:
        table = self.query_one("#compat-table", VimTable)
        if not self.shown or not table.row_count:
            return None
        row = table.cursor_row
        return self.shown[row].index if 0 <= row < len(self.shown) else None

    def highlighted_verdict(self) -> Any:
        name = self._highlighted()
        return next((v for v in self.shown if v.index == name), None)

    def _render_detail(self) -> None:
        """The highlighted index in full: name, verdict, created version and its source on
        one line; the whole reason and the way forward's first sentence below."""
        title = self.query_one("#compat-detail-title", Static)
        body = self.query_one("#compat-detail-body", Static)
        verdict = self.highlighted_verdict()
        if verdict is None:
            notes = list(getattr(self.facts, "notes", []) or [])
            title.update("Notes" if notes else "")
            body.update("\n".join(notes))
            return
        title.update(
            f"{verdict.index} · {verdict_text(verdict.verdict)} · created "
            f"{verdict.created_label} ({verdict.created_source.value})"
        )
        text = Text(verdict.reason)
        if verdict.advice is not None:
            text.append("\nEnter: ", "bold")
            text.append(verdict.advice.summary)
        body.update(text)

    @on(DataTable.RowHighlighted, "#compat-table")
    def _highlight(self, event: DataTable.RowHighlighted) -> None:
        self._render_detail()

    @on(DataTable.RowSelected, "#compat-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_advice()

    # actions ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_problems(self) -> None:
        self.problems_only = not self.problems_only
        if self.report is not None:
            self._fill()

    def action_advice(self) -> None:
        verdict = self.highlighted_verdict()
        if verdict is None or self.report is None:
            return
        self.app.push_screen(AdviceScreen(verdict, self.report, self.facts))

    def action_pick_target(self) -> None:
        self.app.push_screen(TargetPicker(self.context), self._picked)

    def _picked(self, choice: TargetChoice | None) -> None:
        if choice is None:
            return
        if choice.source is not None:
            self.resolve_target(choice.source)
            return
        self._target_generation += 1  # a cluster lookup still under way no longer counts
        self.target, self.target_error, self.target_label, self.report = (
            choice.typed, None, None, None
        )
        self._render_head()
        self.run_check()


# --------------------------------------------------------------------------- way forward


class AdviceScreen(ModalScreen[None]):
    """One index: its verdict in full, and the way forward with time estimates."""

    BINDINGS = bindings_for(MODAL)

    DEFAULT_CSS = """
    AdviceScreen #advice-dialog {
        height: auto;
        max-height: 90%;
    }
    AdviceScreen #advice-scroll {
        height: auto;
        max-height: 100%;
    }
    """

    def __init__(self, verdict: Any, report: Any, facts: Any) -> None:
        super().__init__()
        self.verdict = verdict
        self.report = report
        self.facts = facts

    def compose(self) -> ComposeResult:
        with Vertical(id="advice-dialog", classes="dialog") as box:
            box.border_title = f"Way forward · {self.verdict.index}"
            box.border_subtitle = "esc close"
            with VerticalScroll(id="advice-scroll"):
                yield Static(advice_text(self.verdict, self.report, self.facts), id="advice-body",
                             markup=False)

    def on_mount(self) -> None:
        self.query_one("#advice-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def advice_text(verdict: Any, report: Any, facts: Any) -> Text:
    """The advice pane's words: verdict, created version and its source, steps, estimate."""
    text = Text()

    def heading(words: str) -> None:
        text.append(f"\n{words}\n", "bold")

    text.append(f"{verdict_text(verdict.verdict)} in {report.target.label}\n", "bold")
    text.append(f"{verdict.reason}\n")
    snapshot = report.snapshot
    if snapshot.verdict.value != "compatible":
        heading("Snapshot")
        text.append(f"{verdict_text(snapshot.verdict)}: {snapshot.reason}\n")
    heading("Created version")
    text.append(f"{verdict.created_label} (from {verdict.created_source.value})\n")
    if verdict.created_basis:
        text.append(f"bounds: {verdict.created_basis}\n")
    advice = verdict.advice
    heading("Way forward")
    if advice is None:
        if verdict.verdict.value == "compatible":
            text.append("Nothing to do: it restores as it is.\n")
        else:
            text.append("No way forward can be named from what is known.\n")
    else:
        if advice.restore_into_label:
            text.append(f"Newest version it restores into: {advice.restore_into_label}\n")
        for number, step in enumerate(advice.steps, 1):
            text.append(f"{number}. {step}\n")
        estimate = advice.estimate
        if estimate is not None:
            heading("Estimate")
            text.append(f"{estimate.describe()}\n")
            text.append("assuming:\n")
            for line in estimate.assumptions:
                text.append(f"  · {line}\n")
        elif advice.restore_into is not None:
            text.append("No estimate: this index's size is not known.\n")
    if facts is not None:
        heading("Read")
        text.append(f"from {short_paths(facts.origin)}\n")
        for note in facts.notes:
            text.append(f"note: {note}\n")
    text.rstrip()
    return text


# --------------------------------------------------------------------------- target picker


class TargetPicker(ModalScreen[TargetChoice | None]):
    """A configured cluster (version and licence read live as the list opens), or a version
    typed in, then its licence (only archive indices care)."""

    BINDINGS = bindings_for(MODAL)

    DEFAULT_CSS = """
    TargetPicker #picker-dialog {
        height: auto;
        max-height: 95%;
    }
    TargetPicker OptionList, TargetPicker OptionList:focus {
        height: auto;
        max-height: 10;
        border: none;
        background: $surface;
        margin: 0 0 1 0;
    }
    TargetPicker .picker-label {
        color: $text-muted;
        height: auto;
    }
    TargetPicker #target-version {
        height: 1;
        border: none;
        padding: 0 1;
        background: $panel;
    }
    TargetPicker #target-version:focus {
        background: $boost;
    }
    TargetPicker #target-licence, TargetPicker #licence-label {
        display: none;
    }
    TargetPicker.-licence #target-licence, TargetPicker.-licence #licence-label {
        display: block;
    }
    TargetPicker.-licence #target-clusters, TargetPicker.-licence #clusters-label {
        display: none;
    }
    TargetPicker #picker-error {
        height: auto;
    }
    """

    def __init__(self, context: SnapshotContext) -> None:
        super().__init__()
        self.context = context
        self.sources = compat_target_sources(context.services)
        self.name_width = min(max((len(s.name) for s in self.sources), default=0), 20)
        self.typed: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="dialog") as box:
            box.border_title = "Target for the compatibility check"
            box.border_subtitle = "enter choose · tab next · esc close"
            yield Static("A configured cluster", id="clusters-label", classes="picker-label")
            yield OptionList(
                *(
                    Option(f"… {s.name.ljust(self.name_width)}  asking", id=s.key)
                    for s in self.sources
                ),
                id="target-clusters",
            )
            yield Static(
                "Or a version, for a cluster that does not exist yet", classes="picker-label"
            )
            yield Input(placeholder="e.g. 8.15.0  opensearch-2.11.0  8.15.0 enterprise",
                        id="target-version")
            yield Static(id="licence-label", classes="picker-label", markup=False)
            yield OptionList(
                *(Option(label, id=f"licence:{value or ''}") for value, label in LICENCE_CHOICES),
                id="target-licence",
            )
            yield Static(id="picker-error", markup=False)

    def on_mount(self) -> None:
        clusters = self.query_one("#target-clusters", OptionList)
        if self.sources:
            clusters.focus()
            clusters.highlighted = 0
        else:
            clusters.add_option(Option("(no cluster is configured)", disabled=True))
            self.query_one("#target-version", Input).focus()
        for source in self.sources:
            self.describe(source)

    @work(exit_on_error=False)
    async def describe(self, source: Source) -> None:
        clusters = self.query_one("#target-clusters", OptionList)
        name = source.name.ljust(self.name_width)
        try:
            target = await compat_target(source)
            line = f"✓ {name}  {target_text(target).split(' · ', 1)[1]}"
        except Exception as error:
            kind, _ = describe_error(error)
            line = f"✗ {name}  unreachable: {KIND_LABELS.get(kind, kind)}"
        clusters.replace_option_prompt(source.key, line)

    @on(OptionList.OptionSelected, "#target-clusters")
    def _cluster(self, event: OptionList.OptionSelected) -> None:
        chosen = next((s for s in self.sources if s.key == event.option.id), None)
        if chosen is not None:
            self.dismiss(TargetChoice(source=chosen))

    @on(Input.Submitted, "#target-version")
    def _typed(self, event: Input.Submitted) -> None:
        error = self.query_one("#picker-error", Static)
        try:
            target = compat_typed_target(event.value)
        except ValueError as problem:
            error.update(f"✗ {problem}")
            return
        error.update("")
        if target.license is not None:
            self.dismiss(TargetChoice(typed=target))
            return
        self.typed = target
        self.query_one("#licence-label", Static).update(
            "Its licence? Only archive indices (5.x/6.x in 8.3+) care: they need enterprise"
        )
        self.add_class("-licence")
        licences = self.query_one("#target-licence", OptionList)
        licences.highlighted = 0
        licences.focus()

    @on(OptionList.OptionSelected, "#target-licence")
    def _licence(self, event: OptionList.OptionSelected) -> None:
        if self.typed is None:
            return
        value = str(event.option.id).removeprefix("licence:") or None
        self.dismiss(TargetChoice(typed=replace(self.typed, license=value)))

    def action_close(self) -> None:
        if self.has_class("-licence"):  # one step back: to the version
            self.remove_class("-licence")
            self.query_one("#licence-label", Static).update("")
            self.typed = None
            self.query_one("#target-version", Input).focus()
            return
        self.dismiss(None)


register_screen("compat", CompatScreen)
