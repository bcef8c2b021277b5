"""The restore wizard (``R`` on a snapshot): what, where and how, checks, review, go.

Why five steps on one screen: each step fits 80x24 on its own, ``esc`` goes back without losing
anything (the widgets hold the choices; the plan is derived from them whenever needed), and the
step indicator says where one is. Facts come from workers through ``ui.services``: the snapshot
once when the wizard opens, the target whenever it is chosen (for the live rename preview) and
again, fresh, on the checks step. The request is sent once: the Go button is disabled before the
worker starts, and nothing in this screen can send a second time.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Footer,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from esnap_tui.restore.plan import REPLICAS_ZERO, RestorePlan
from esnap_tui.ui.bindings import WIZARD, bindings_for
from esnap_tui.ui.screens.extensions import SnapshotContext
from esnap_tui.ui.screens.restore.render import checks_content, rename_note
from esnap_tui.ui.screens.restore.runtime import runtime_for
from esnap_tui.ui.screens.restore.where import MarkedDataTable, MarkedSelect
from esnap_tui.ui.services import (
    ClusterSource,
    RestorePreparation,
    describe_error,
    evaluate_restore,
    format_bytes,
    prepare_restore,
    restore_snapshot_facts,
    restore_target_facts,
    restore_targets,
    run_fix_step,
    run_restore,
)
from esnap_tui.ui.widgets.marked import (
    CURSOR,
    MarkedCheckbox,
    MarkedOptionList,
    MarkedSelectionList,
)

STEPS = ("what", "where", "checks", "review", "go")
STEP_TITLES = {"what": "What", "where": "Where", "checks": "Checks", "review": "Review",
               "go": "Go"}
CONFIRMED_KINDS = ("close-index", "register-repository", "safety-snapshot")


def parse_settings(text: str) -> dict[str, Any]:
    """``key=value, key2=value2`` -> a dict (numbers and booleans typed). Raises ValueError."""
    settings: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{part!r}: expected key=value")
        raw = value.strip()
        typed: Any = raw
        if raw.isdigit():
            typed = int(raw)
        elif raw.lower() in ("true", "false"):
            typed = raw.lower() == "true"
        settings[key.strip()] = typed
    return settings


def split_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


class RestoreWizard(Screen):
    """Plan, check, show and send one restore of ``context.snapshot``."""

    BINDINGS = bindings_for(WIZARD)
    DEFAULT_CSS = """
    RestoreWizard #steps { height: 1; padding: 0 1; background: $boost; }
    RestoreWizard #wizard-body { height: 1fr; padding: 0 1; }
    RestoreWizard #hint { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    RestoreWizard .row { height: auto; }
    RestoreWizard .label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    RestoreWizard Input { width: 1fr; }
    RestoreWizard Checkbox { width: auto; margin: 0 1 0 0; }
    RestoreWizard #items { height: 1fr; border: none; }
    RestoreWizard #features { height: auto; max-height: 4; border: none; }
    RestoreWizard #preview { height: 1fr; }
    RestoreWizard #checks-scroll { height: 1fr; }
    RestoreWizard #fixes { height: auto; max-height: 6; border: none; }
    RestoreWizard #review-scroll { height: 1fr; }
    RestoreWizard .section { color: $text-muted; text-style: bold; height: 1; }
    RestoreWizard #go-button { margin: 1 0 0 0; }
    RestoreWizard #go-outcome { height: auto; margin: 1 0 0 0; }
    RestoreWizard Select { width: 1fr; }
    """

    def __init__(self, context: SnapshotContext) -> None:
        super().__init__()
        self.context = context
        self.step = "what"
        self.snapshot_facts: Any = None
        self.items: list[tuple[str, str, str]] = []  # (value, label, kind)
        self._chosen: set[str] = set()
        self._target_facts: dict[str, Any] = {}
        self.prep: RestorePreparation | None = None
        self.checked_plan: RestorePlan | None = None
        self.sent = False
        self.result: Any = None
        self.exported: Path | None = None
        read_only = context.read_only
        self.targets = restore_targets(context.services, read_only=read_only)

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ctx = self.context
        yield Static(
            f" esnap › restore › {ctx.source.name} › {ctx.repository} › {ctx.snapshot.name}",
            id="title", markup=False,
        )
        yield Static(id="steps")
        with ContentSwitcher(initial="what", id="wizard-body"):
            with Vertical(id="what"):
                with Horizontal(classes="row"):
                    yield self._label("filter", "item-filter")
                    yield Input(placeholder="type to narrow the list (name or glob) · ↓ into it",
                                id="item-filter", compact=True)
                yield MarkedSelectionList[str](id="items")
                with Horizontal(classes="row"):
                    yield self._label("patterns", "patterns")
                    yield Input(placeholder="also restore: logs-*, -logs-old", id="patterns",
                                compact=True)
                with Horizontal(classes="row"):
                    yield MarkedCheckbox("global state", False, id="global-state", compact=True)
                    yield MarkedCheckbox("aliases", True, id="aliases", compact=True)
                    yield MarkedCheckbox("partial", False, id="partial", compact=True)
                    yield MarkedCheckbox("ignore unavailable", False, id="ignore-unavailable",
                                   compact=True)
                yield Static("feature states (none restored unless chosen)", classes="section",
                             id="features-title")
                yield MarkedSelectionList[str](id="features")
            with Vertical(id="where"):
                with Horizontal(classes="row"):
                    yield self._label("target cluster", "target")
                    # protection is said here, not only at Go (where the name must be typed)
                    options = [(f"{s.name} (protected)" if s.protected else s.name, s.name)
                               for s in self.targets]
                    if options:
                        yield MarkedSelect(options, id="target", allow_blank=False,
                                           value=self._default_target(), compact=True)
                    else:
                        yield MarkedSelect([], id="target", compact=True,
                                           prompt="no writable cluster")
                with Horizontal(classes="row"):
                    yield self._label("repository there", "target-repo")
                    yield Input(ctx.repository, id="target-repo", compact=True)
                with Horizontal(classes="row"):
                    yield self._label("rename pattern", "rename-pattern")
                    yield Input(placeholder="regex, e.g. (.+)", id="rename-pattern", compact=True)
                    yield self._label("→", "rename-replacement")
                    yield Input(placeholder="e.g. restored-$1", id="rename-replacement",
                                compact=True)
                yield MarkedDataTable(id="preview", cursor_type="row", zebra_stripes=True)
                with Horizontal(classes="row"):
                    yield MarkedCheckbox("replicas 0", False, id="replicas-zero", compact=True)
                    yield self._label("index settings", "index-settings")
                    yield Input(placeholder="key=value, …", id="index-settings", compact=True)
                with Horizontal(classes="row"):
                    yield self._label("ignore index settings", "ignore-settings")
                    yield Input(placeholder="index.routing.allocation.require._name, …",
                                id="ignore-settings", compact=True)
            with Vertical(id="checks"):
                with VerticalScroll(id="checks-scroll"):
                    yield Static(id="checks-body")
                yield Static("fixes (enter applies; those that change the cluster ask first)",
                             classes="section", id="fixes-title")
                yield MarkedOptionList(id="fixes")
            with Vertical(id="review"), VerticalScroll(id="review-scroll"):
                yield Static(id="review-body")
            with VerticalScroll(id="go"):
                yield Static(id="go-summary")
                with Horizontal(classes="row", id="confirm-row"):
                    yield self._label("snapshot name", "confirm")
                    yield Input(placeholder="type the snapshot name to confirm", id="confirm",
                                compact=True)
                yield Button("Restore now", id="go-button", variant="error", compact=True)
                yield Static(id="go-outcome")
        yield Static(id="hint")
        yield Footer(compact=True)

    @staticmethod
    def _label(text: str, field_id: str) -> Static:
        """A field's label; it carries ``▶`` while its field has focus (readable without
        colour, where Textual's focus highlight is not)."""
        label = Static(f" {text}", classes="label", id=f"label-{field_id}", markup=False)
        label.field_text = text  # type: ignore[attr-defined]
        return label

    def on_descendant_focus(self) -> None:
        self._mark_focus()

    def on_descendant_blur(self) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        focused = self.focused
        around = set(focused.ancestors_with_self) if focused is not None else set()
        for label in self.query(".label"):
            text = getattr(label, "field_text", None)
            if text is None or not label.id:
                continue
            field_ = self.query_one(f"#{label.id.removeprefix('label-')}")
            label.update(f"{CURSOR if field_ in around else ' '}{text}")  # type: ignore[attr-defined]
        self._go_label(self.query_one("#go-button", Button) in around)

    def _go_label(self, focused: bool | None = None) -> None:
        """Go's label says when it is disabled and carries the focus mark: both are otherwise
        told by colour only."""
        button = self.query_one("#go-button", Button)
        if focused is None:
            focused = button.has_focus
        text = ("Restore now (type the snapshot name first)" if button.disabled and not self.sent
                else "Restore now")
        button.label = f"{CURSOR} {text}" if focused else text

    def on_mount(self) -> None:
        for field_ in self.query(Input):
            field_.cursor_blink = False  # no redraw traffic over SSH; stable screenshots
        table = self.query_one("#preview", DataTable)
        table.add_columns("in the snapshot", "restored as", "check")
        self._show_step()
        self._hint(f"… reading snapshot {self.context.snapshot.name}")
        # typing filters at once; down, tab or enter go on into the list
        self.query_one("#item-filter").focus()  # no loading overlay here: it would refuse focus
        self.load_snapshot()

    def _default_target(self) -> str | None:
        names = [s.name for s in self.targets]
        if self.context.source.name in names and isinstance(self.context.source, ClusterSource):
            return self.context.source.name
        return names[0] if names else None

    # ---- step 1 data ---------------------------------------------------------------------

    @work(exclusive=True, group="restore-snapshot", exit_on_error=False)
    async def load_snapshot(self) -> None:
        ctx = self.context
        try:
            facts = await restore_snapshot_facts(ctx.source, ctx.repository, ctx.snapshot.name)
        except Exception as error:
            kind, message = describe_error(error)
            self._hint(f"✗ could not read snapshot {ctx.snapshot.name}: {kind}: {message}")
            return
        self.snapshot_facts = facts
        self.items = self._build_items(facts)
        self._fill_items()
        features = self.query_one("#features", SelectionList)
        names = [f.feature_name for f in facts.detail.feature_states]
        features.add_options([Selection(n, n, False) for n in names])
        features.display = bool(names)
        title = self.query_one("#features-title", Static)
        if not names:
            title.update("feature states: none in this snapshot")
        global_state = self.query_one("#global-state", Checkbox)
        if facts.detail.include_global_state is False:
            global_state.label = "global state (not in snapshot)"
            global_state.disabled = True
        self._hint_selection()
        if self.step == "where":
            self.refresh_preview()

    def _build_items(self, facts: Any) -> list[tuple[str, str, str]]:
        detail = facts.detail
        streams = list(detail.data_streams)
        infos = {i.name: i for i in facts.indices}
        sizes = {n: d.size_in_bytes for n, d in detail.index_details.items()}
        shards = {n: d.shard_count for n, d in detail.index_details.items()}
        items: list[tuple[str, str, str]] = []
        names = list(detail.indices) or sorted(infos)
        backing = {
            n for n in names
            if (infos.get(n) is not None and infos[n].data_stream)
            or any(n.startswith((f".ds-{s}-", f".fs-{s}-")) for s in streams)
        }
        width = min(40, max([len(n) for n in [*streams, *names]] or [10]))
        for stream in streams:
            count = sum(1 for n in backing if stream in n)
            items.append((f"d:{stream}", f"{stream:<{width}}  data stream, {count} backing",
                          "data-stream"))
        for name in names:
            if name in backing:
                continue
            info = infos.get(name)
            extra = []
            if sizes.get(name) is not None:
                extra.append(format_bytes(sizes[name]))
            count = shards.get(name) or (info.primary_shards if info else None)
            if count:
                extra.append(f"{count} shard{'s' if count != 1 else ''}")
            if info is not None and info.system:
                extra.append("system")
            items.append((f"i:{name}", f"{name:<{width}}  {', '.join(extra)}".rstrip(),
                          "index"))
        return items

    def _visible(self) -> list[tuple[str, str, str]]:
        text = self.query_one("#item-filter", Input).value.strip()
        if not text:
            return self.items
        pattern = text if any(c in text for c in "*?") else f"*{text}*"
        return [i for i in self.items if fnmatch.fnmatchcase(i[0][2:], pattern)]

    def _fill_items(self) -> None:
        items = self.query_one("#items", SelectionList)
        self._chosen = self.chosen()
        items.clear_options()
        visible = self._visible()
        items.add_options([Selection(label, value, value in self._chosen)
                           for value, label, _ in visible])
        self._shown = {value for value, _, _ in visible}
        if visible:
            items.highlighted = 0

    def chosen(self) -> set[str]:
        """Values chosen in the list, including those a filter hides."""
        if not self.is_mounted:
            return set(self._chosen)
        shown = getattr(self, "_shown", set())
        selected = set(self.query_one("#items", SelectionList).selected)
        return (self._chosen - shown) | selected

    @on(Input.Changed, "#item-filter")
    def _filter_changed(self) -> None:
        self._fill_items()

    @on(SelectionList.SelectedChanged, "#items")
    @on(Input.Changed, "#patterns")
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged, "#features")
    def _what_changed(self) -> None:
        if self.snapshot_facts is None:
            return
        if self.step == "what":
            self._hint_selection()
        elif self.step == "where":
            self.refresh_preview()

    def _hint_selection(self) -> None:
        chosen = self.chosen()
        indices = sum(1 for c in chosen if c.startswith("i:"))
        streams = sum(1 for c in chosen if c.startswith("d:"))
        patterns = split_list(self.query_one("#patterns", Input).value)
        size = 0
        if self.snapshot_facts is not None:
            details = self.snapshot_facts.detail.index_details
            size = sum(details[c[2:]].size_in_bytes or 0 for c in chosen
                       if c.startswith("i:") and c[2:] in details)
        text = f"{indices} indices, {streams} data streams chosen"
        if patterns:
            text += f" + patterns {', '.join(patterns)}"
        if size:
            text += f" · {format_bytes(size)}"
        text += " · space toggles · ^n next"
        self._hint(text)

    # ---- the plan ------------------------------------------------------------------------

    def build_plan(self) -> RestorePlan:
        """The plan the widgets describe right now."""
        chosen = self.chosen()
        order = [v for v, _, _ in self.items]
        ordered = [v for v in order if v in chosen]
        patterns = split_list(self.query_one("#patterns", Input).value)
        pattern = self.query_one("#rename-pattern", Input).value
        replacement = self.query_one("#rename-replacement", Input).value
        settings: dict[str, Any] = {}
        with contextlib.suppress(ValueError):
            settings = parse_settings(self.query_one("#index-settings", Input).value)
        if self.query_one("#replicas-zero", Checkbox).value:
            settings.update(REPLICAS_ZERO)
        target = self.query_one("#target", Select).value
        target_repo = self.query_one("#target-repo", Input).value.strip()
        source = self.context.source
        return RestorePlan(
            repository=self.context.repository,
            snapshot=self.context.snapshot.name,
            target_cluster=str(target) if isinstance(target, str) else "",
            source_cluster=source.name if isinstance(source, ClusterSource) else None,
            target_repository=(target_repo if target_repo and target_repo !=
                               self.context.repository else None),
            indices=[v[2:] for v in ordered if v.startswith("i:")] + patterns,
            data_streams=[v[2:] for v in ordered if v.startswith("d:")],
            include_global_state=self.query_one("#global-state", Checkbox).value,
            feature_states=list(self.query_one("#features", SelectionList).selected),
            include_aliases=self.query_one("#aliases", Checkbox).value,
            partial=self.query_one("#partial", Checkbox).value,
            ignore_unavailable=self.query_one("#ignore-unavailable", Checkbox).value,
            rename_pattern=pattern or None,
            rename_replacement=replacement if pattern else None,
            index_settings=settings,
            ignore_index_settings=split_list(self.query_one("#ignore-settings", Input).value),
        )

    def _nothing_chosen(self, plan: RestorePlan) -> bool:
        return not (plan.indices or plan.data_streams or plan.include_global_state
                    or plan.feature_states)

    # ---- step 2: live preview ------------------------------------------------------------

    @on(Select.Changed, "#target")
    def _target_changed(self) -> None:
        if self.step == "where":
            self.refresh_preview()

    @on(Input.Changed, "#rename-pattern")
    @on(Input.Changed, "#rename-replacement")
    @on(Input.Changed, "#target-repo")
    @on(Input.Changed, "#index-settings")
    @on(Input.Changed, "#ignore-settings")
    def _where_changed(self) -> None:
        if self.step == "where":
            self.refresh_preview()

    def refresh_preview(self) -> None:
        """Recompute the source -> target names from facts already gathered (pure, quick);
        gather the target's facts first when this target was not seen yet."""
        if self.snapshot_facts is None:
            return
        plan = self.build_plan()
        if not plan.target_cluster:
            self._hint("✗ no writable cluster to restore into (read-only clusters are not "
                       "offered)")
            return
        facts = self._target_facts.get(plan.target_cluster)
        if facts is None:
            self.query_one("#preview").loading = True
            self.load_target(plan.target_cluster)
            return
        self.query_one("#preview").loading = False
        target = self.context.services.get(f"cluster:{plan.target_cluster}")
        prep = evaluate_restore(plan, self.snapshot_facts, facts, target.config)  # type: ignore[attr-defined]
        preview = prep.report.preview
        table = self.query_one("#preview", DataTable)
        table.clear()
        for entry in preview.entries:
            kind = " (data stream)" if entry.kind == "data-stream" else ""
            table.add_row(entry.source + kind, entry.target, rename_note(entry))
        problems = [e for e in preview.entries if not e.ok]
        if preview.error:
            self._hint(f"✗ rename: {preview.error}")
        elif problems:
            self._hint(f"✗ {len(problems)} name(s) cannot be restored as shown: rename them "
                       f"(e.g. (.+) → restored-$1) · ^n checks")
        else:
            self._hint(self._settings_hint() or f"✓ {len(preview.entries)} name(s) restore as "
                       "shown · ^n checks")

    def _settings_hint(self) -> str | None:
        try:
            parse_settings(self.query_one("#index-settings", Input).value)
        except ValueError as error:
            return f"✗ index settings: {error}"
        return None

    @work(group="restore-target", exit_on_error=False)
    async def load_target(self, name: str) -> None:
        plan = replace(self.build_plan(), target_cluster=name)
        try:
            self._target_facts[name] = await restore_target_facts(self.context.services, plan)
        except Exception as error:
            kind, message = describe_error(error)
            self.query_one("#preview").loading = False
            self._hint(f"✗ {name}: {kind}: {message}")
            return
        if self.step == "where":
            self.refresh_preview()

    # ---- step 3: checks ------------------------------------------------------------------

    @work(exclusive=True, group="restore-checks", exit_on_error=False)
    async def run_checks(self) -> None:
        plan = self.build_plan()
        box = self.query_one("#checks")
        box.loading = True
        self.prep = None
        try:
            prep = await prepare_restore(self.context.services, self.context.source, plan,
                                         snapshot=self.snapshot_facts)
        except Exception as error:
            kind, message = describe_error(error)
            box.loading = False
            self.query_one("#checks-body", Static).update(
                f"✗ could not check against {plan.target_cluster}: {kind}\n{message}"
            )
            self._hint("the checks need the target cluster: esc back, or ^n to try again")
            return
        self._target_facts[plan.target_cluster] = prep.target
        self.prep = prep
        self.checked_plan = plan
        box.loading = False
        self._show_checks(prep)

    def _show_checks(self, prep: RestorePreparation) -> None:
        self.query_one("#checks-body", Static).update(checks_content(prep.report, prep.notes))
        fixes = self.query_one("#fixes", OptionList)
        fixes.clear_options()
        self._fixes: list[tuple[Any, Any]] = []
        for result in prep.report.results:
            for action in result.actions:
                about = result.subject or result.id
                asks = "  (shows the request, asks first)" if action.confirm else ""
                fixes.add_option(Option(f"{about}: {action.label}{asks}"))
                self._fixes.append((result, action))
        fixes.display = bool(self._fixes)
        self.query_one("#fixes-title").display = bool(self._fixes)
        if self._fixes:
            fixes.highlighted = 0
            fixes.focus()
        else:
            self.query_one("#checks-scroll").focus()
        blockers = len(prep.report.blockers)
        if blockers:
            self._hint(f"✗ {blockers} blocker(s): apply a fix below or go back (esc) · "
                       "^n review")
        else:
            self._hint("✓ no blockers · ^n review the exact request")

    @on(OptionList.OptionSelected, "#fixes")
    def _fix_chosen(self, event: OptionList.OptionSelected) -> None:
        _result, action = self._fixes[event.option_index]
        self.apply_fix(action)

    def apply_fix(self, action: Any) -> None:
        """Plan changes are made in the widgets (so going back shows them); steps that change
        the cluster open a confirmation showing the exact request first."""
        kind, params = action.kind, action.params
        if kind == "rename":
            self.query_one("#rename-pattern", Input).value = params["rename_pattern"]
            self.query_one("#rename-replacement", Input).value = params["rename_replacement"]
            self.go_to("where")
            self.notify(f"Rename filled in: {action.label}. Check the preview, then ^n.")
            return
        if kind == "use-repository":
            self.query_one("#target-repo", Input).value = params["target_repository"]
        elif kind == "set-option":
            self._set_options(params)
        elif kind == "deselect":
            self._deselect(params["remove"])
        elif kind == "wait":
            self.app.action_watch_restores()  # type: ignore[attr-defined]
            return
        elif kind in CONFIRMED_KINDS:
            self._confirm_step(action)
            return
        else:
            self.notify(f"{action.label}: do this by hand", severity="warning")
            return
        self.run_checks()

    def _set_options(self, params: dict[str, Any]) -> None:
        if "include_global_state" in params:
            self.query_one("#global-state", Checkbox).value = bool(params["include_global_state"])
        if "partial" in params:
            self.query_one("#partial", Checkbox).value = bool(params["partial"])
        if "include_aliases" in params:
            self.query_one("#aliases", Checkbox).value = bool(params["include_aliases"])
        if "feature_states" in params:
            features = self.query_one("#features", SelectionList)
            features.deselect_all()
            for name in params["feature_states"]:
                features.select(name)
        if "index_settings" in params:
            settings = dict(params["index_settings"])
            if settings.pop("index.number_of_replicas", None) == 0:
                self.query_one("#replicas-zero", Checkbox).value = True
            if settings:
                field_ = self.query_one("#index-settings", Input)
                extra = ", ".join(f"{k}={v}" for k, v in settings.items())
                field_.value = f"{field_.value}, {extra}" if field_.value else extra

    def _deselect(self, name: str) -> None:
        for value in (f"i:{name}", f"d:{name}"):
            self._chosen.discard(value)
            if value in getattr(self, "_shown", set()):
                self.query_one("#items", SelectionList).deselect(value)
        patterns = [p for p in split_list(self.query_one("#patterns", Input).value) if p != name]
        self.query_one("#patterns", Input).value = ", ".join(patterns)

    def _confirm_step(self, action: Any) -> None:
        from esnap_tui.ui.screens.restore.confirm import ConfirmStepScreen

        assert self.prep is not None
        prep = self.prep

        def done(answer: dict[str, Any] | None) -> None:
            if answer is not None:
                self.run_side_step(prep, action, answer)

        self.app.push_screen(
            ConfirmStepScreen(self.context.services, prep.plan.target_cluster, action,
                              protected=self._target_protected()),
            done,
        )

    @work(exclusive=True, group="restore-side-step", exit_on_error=False)
    async def run_side_step(self, prep: RestorePreparation, action: Any,
                            answer: dict[str, Any]) -> None:
        runtime = runtime_for(self.app, prep.plan.target_cluster)
        self.query_one("#checks").loading = True
        try:
            done = await run_fix_step(
                self.context.services, prep, action, audit_path=runtime.audit_path,
                read_only=self.context.read_only, repository=answer.get("repository"),
                snapshot_name=answer.get("name"),
            )
        except Exception as error:
            _kind, message = describe_error(error)
            self.query_one("#checks").loading = False
            self.notify(f"{action.label} failed: {message}", severity="error", timeout=12)
            return
        self.notify(f"✓ {done}")
        if action.kind == "register-repository":
            self.query_one("#target-repo", Input).value = action.params["name"]
        self.run_checks()

    # ---- step 4: review ------------------------------------------------------------------

    def _show_review(self) -> None:
        body = self.query_one("#review-body", Static)
        prep = self.prep
        if prep is None:
            body.update("The checks have not run yet: esc back to them.")
            return
        parts: list[Any] = []
        if prep.request is None:
            parts += [("✗ the request cannot be built: ", "bold $error"), prep.request_error or ""]
            body.update(Content.assemble(*parts))
            return
        parts += [("request sent to ", "bold"), (prep.plan.target_cluster, "bold"),
                  (f" ({prep.target_url})\n", "$text-muted")]
        parts += [(prep.request.console(), ""), "\n\n"]
        parts += [("curl (secrets masked)\n", "bold"), prep.curl or "", "\n\n"]
        parts += [("y copies the curl command · e exports both to a file", "$text-muted")]
        if self.exported is not None:
            parts += [("\nexported to ", "$text-muted"), str(self.exported)]
        body.update(Content.assemble(*parts))
        self._hint("this is exactly what Go sends, once · ^n go")

    def action_copy_request(self) -> None:
        if self.prep is None or self.prep.curl is None:
            return
        self.app.copy_to_clipboard(self.prep.curl)
        self.notify("curl command copied (OSC 52: your terminal must allow it)")

    def action_export_request(self) -> None:
        prep = self.prep
        if prep is None or prep.request is None:
            return
        runtime = runtime_for(self.app, prep.plan.target_cluster)
        folder = runtime.exports()
        plan = prep.plan
        path = folder / f"restore-{plan.target_cluster}-{plan.snapshot}.sh"
        text = (
            "#!/bin/sh\n"
            f"# esnap restore of {plan.repository}:{plan.snapshot} into {plan.target_cluster}\n"
            "# Kibana console form:\n"
            + "".join(f"#   {line}\n" for line in prep.request.console().splitlines())
            + f"{prep.curl}\n"
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            self.notify(f"could not export: {error}", severity="error")
            return
        self.exported = path
        self.notify(f"exported to {path}")
        self._show_review()

    # ---- step 5: go ----------------------------------------------------------------------

    def _target_protected(self) -> bool:
        name = self.prep.plan.target_cluster if self.prep else None
        target = next((s for s in self.targets if s.name == name), None)
        return bool(target and target.protected)

    def needs_typed_confirmation(self) -> bool:
        plan = self.prep.plan if self.prep else None
        return self._target_protected() or bool(plan and plan.include_global_state)

    def why_not_go(self) -> str | None:
        """Why Go is not possible now (None: it is)."""
        if self.context.read_only:
            return "read-only mode (--read-only): esnap changes nothing, so it never sends"
        if not self.targets:
            return "every configured cluster is read-only: there is nowhere to restore into"
        if self.prep is None:
            return "the checks have not run for this plan: esc back to them"
        if self.checked_plan != self.build_plan():
            return "the plan changed since the checks ran: esc back to the checks"
        if self.prep.request is None:
            return f"the request cannot be built: {self.prep.request_error}"
        if self.prep.report.blockers:
            return (f"{len(self.prep.report.blockers)} blocking check(s): "
                    f"{self.prep.report.blockers[0].message}")
        return None

    def _show_go(self) -> None:
        summary = self.query_one("#go-summary", Static)
        confirm = self.query_one("#confirm", Input)
        button = self.query_one("#go-button", Button)
        reason = self.why_not_go()
        prep = self.prep
        parts: list[Any] = []
        if prep is not None:
            plan = prep.plan
            expected = prep.report.selection.indices
            there = (f" (as {plan.repository_on_target} there)"
                     if plan.repository_on_target != plan.repository else "")
            parts += [("restore ", "bold"), f"{plan.repository}:{plan.snapshot}",
                      (" into ", "bold"), plan.target_cluster, there, "\n",
                      f"{len(expected)} index(es)",
                      ", global state" if plan.include_global_state else "",
                      (f", feature states {', '.join(plan.feature_states)}"
                       if plan.feature_states else ""),
                      f" · {len(prep.report.warnings)} warning(s)\n"]
        if self.result is not None:
            pass
        elif reason is not None:
            parts += [("✗ cannot go: ", "bold $error"), reason]
        elif self.needs_typed_confirmation():
            why = []
            if self._target_protected():
                why.append(f"{prep.plan.target_cluster} is protected")  # type: ignore[union-attr]
            if prep is not None and prep.plan.include_global_state:
                why.append("global state overwrites cluster-wide settings")
            parts += [("! ", "bold $warning"), " and ".join(why),
                      f": type the snapshot name ({prep.plan.snapshot}) to confirm",  # type: ignore[union-attr]
                      ]
        else:
            parts += [("ready: ", "bold $success"),
                      "the request is sent once and never retried"]
        summary.update(Content.assemble(*parts))
        confirm.display = (reason is None and self.needs_typed_confirmation()
                           and self.result is None)
        self.query_one("#confirm-row").display = confirm.display
        button.display = reason is None and self.result is None
        button.disabled = self.sent or not self._confirmed()
        self._go_label()
        if reason is None and not self.sent:
            (confirm if confirm.display else button).focus()
        self._hint("enter on the button sends the restore · esc back" if reason is None
                   else "nothing is sent from here · esc back")

    def _confirmed(self) -> bool:
        if not self.needs_typed_confirmation():
            return True
        assert self.prep is not None
        return self.query_one("#confirm", Input).value == self.prep.plan.snapshot

    @on(Input.Changed, "#confirm")
    def _confirm_typed(self) -> None:
        button = self.query_one("#go-button", Button)
        button.disabled = self.sent or not self._confirmed()
        self._go_label()

    @on(Input.Submitted, "#confirm")
    def _confirm_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        button = self.query_one("#go-button", Button)
        if not button.disabled:
            button.focus()

    @on(Button.Pressed, "#go-button")
    def _go_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.sent or self.why_not_go() is not None or not self._confirmed():
            return
        self.sent = True  # before anything else: a second press cannot send again
        event.button.disabled = True
        assert self.prep is not None
        self.send_restore(self.prep)

    @work(exclusive=True, group="restore-go", exit_on_error=False)
    async def send_restore(self, prep: RestorePreparation) -> None:
        from esnap_tui.restore.execute import ExecutionRefused

        runtime = runtime_for(self.app, prep.plan.target_cluster)
        outcome = self.query_one("#go-outcome", Static)
        outcome.update(f"… sending to {prep.plan.target_cluster} (once; waiting up to "
                       f"{runtime.request_timeout:.0f}s for the answer)")
        confirmation = self.query_one("#confirm", Input).value or None
        try:
            result = await run_restore(
                self.context.services, prep, audit_path=runtime.audit_path,
                confirmation=confirmation, read_only=self.context.read_only,
                timeout=runtime.request_timeout,
            )
        except ExecutionRefused as refusal:
            outcome.update(Content.assemble(("✗ not sent: ", "bold $error"), str(refusal)))
            return
        except Exception as error:
            kind, message = describe_error(error)
            outcome.update(Content.assemble(("? unknown — check the cluster: ", "bold $warning"),
                                            f"{kind}: {message}. It was not resent."))
            return
        self.result = result
        self._show_outcome(result)
        if result.started and result.expected:
            from esnap_tui.ui.screens.restore.monitor import RestoreMonitorScreen

            # not awaited: switching removes this screen, and with it this worker
            monitor = RestoreMonitorScreen.started(self.context.services, prep, result)
            self.app.call_later(self.app.switch_screen, monitor)

    def _show_outcome(self, result: Any) -> None:
        outcome = self.query_one("#go-outcome", Static)
        self.query_one("#go-button").display = False
        self.query_one("#confirm").display = False
        self.query_one("#confirm-row").display = False
        value = result.outcome.value
        if value == "started":
            head = ("✓ started: ", "bold $success")
        elif value == "refused":
            head = (f"✗ refused ({result.status} {result.error_type}): ", "bold $error")
        elif value == "not-sent":
            head = ("✗ not sent: ", "bold $error")
        else:
            head = ("? unknown — check the cluster: ", "bold $warning")
        lines = [f"\n  {line}" for line in result.evidence]
        tail = ""
        if value == "unknown":
            tail = "\npress w to look for restores in flight before trying again"
        body = result.reason if value == "refused" and result.reason else result.message
        outcome.update(Content.assemble(head, body, *lines, tail))
        self._hint("esc closes the wizard; the request was sent once and is not resent")

    # ---- navigation ----------------------------------------------------------------------

    def _hint(self, text: str) -> None:
        self.query_one("#hint", Static).update(Content(text))

    def _show_step(self) -> None:
        parts: list[Any] = []
        current = STEPS.index(self.step)
        for position, step in enumerate(STEPS):
            label = f"{position + 1} {STEP_TITLES[step]}"
            if position:
                parts.append((" › ", "$text-muted"))
            if position == current:
                parts.append((f"[{label}]", "bold reverse $primary"))
            elif position < current:
                parts.append((f"✓{label}", "$text-muted"))
            else:
                parts.append((f" {label} ", "$text-muted"))
        self.query_one("#steps", Static).update(Content.assemble(*parts))
        self.query_one("#wizard-body", ContentSwitcher).current = self.step
        self.refresh_bindings()

    def go_to(self, step: str) -> None:
        self.step = step
        self._show_step()
        if step == "what":
            self._hint_selection()
            self.query_one("#item-filter").focus()
        elif step == "where":
            self.refresh_preview()
            self.query_one("#target").focus()
        elif step == "checks":
            self.query_one("#fixes").focus()
            self.run_checks()
        elif step == "review":
            self._show_review()
            self.query_one("#review-scroll").focus()
        elif step == "go":
            self._show_go()

    def action_next_step(self) -> None:
        position = STEPS.index(self.step)
        if self.step == "what":
            if self.snapshot_facts is None:
                return
            if self._nothing_chosen(self.build_plan()):
                self._hint("✗ choose at least one index, data stream, pattern, the global "
                           "state or a feature state")
                return
        if self.step == "where":
            if not self.build_plan().target_cluster:
                return
            problem = self._settings_hint()
            if problem:
                self._hint(problem)
                return
        if self.step == "checks" and (self.prep is None
                                      or self.checked_plan != self.build_plan()):
            self.run_checks()
            return
        if position + 1 < len(STEPS):
            self.go_to(STEPS[position + 1])

    def action_back_step(self) -> None:
        position = STEPS.index(self.step)
        if position == 0 or self.result is not None:
            self.dismiss()
            return
        self.go_to(STEPS[position - 1])

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("item-filter", "confirm"):
            if event.input.id == "item-filter":
                self.query_one("#items").focus()
            return
        self.action_next_step()

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

    def action_focus_items(self) -> None:
        # at once, not on the next turn (as .focus() does): the next key of a burst goes there
        self.set_focus(self.query_one("#items"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_items":
            return self.step == "what" and self.focused is self.query_one("#item-filter")
        if action in ("copy_request", "export_request"):
            return self.step == "review" and self.prep is not None and self.prep.request is not None
        if action == "next_step":
            return self.step != "go"
        return True


def open_wizard(context: SnapshotContext) -> Screen:
    return RestoreWizard(context)
