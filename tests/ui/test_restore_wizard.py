"""The restore wizard end to end in the app, against the sandbox over real HTTP.

The sandbox runs a fixed clock; the app's restore runtime sleeps by moving that clock on (no real
waiting), so a restore is watched to its end deterministically.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable, Input, OptionList, SelectionList, Static
from textual.widgets._select import SelectOverlay

from esnap_tui.config import ClusterConfig, EsnapConfig
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.sandbox.state import Fault
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.restore.monitor import RestoreMonitorScreen
from esnap_tui.ui.screens.restore.runtime import RestoreRuntime
from esnap_tui.ui.screens.restore.wizard import RestoreWizard
from tests.restore_sandbox import SCENARIO, VirtualTime
from tests.ui.workers import settle_workers

RESTORE_PATH = "/_snapshot/*/*/_restore"


@contextlib.asynccontextmanager
async def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, eight_read_only: bool
                  ) -> AsyncIterator[tuple[Sandbox, EsnapConfig]]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    scenario = json.loads(json.dumps(SCENARIO))
    scenario["clusters"][1]["read_only"] = eight_read_only
    async with Sandbox(Scenario.from_dict(scenario), fixed_clock=True) as sandbox:
        nine = sandbox.clusters["nine"].cluster
        nine.state.persistent_settings["indices.recovery.max_bytes_per_sec"] = "2mb"
        clusters = [
            ClusterConfig(name=name, urls=[c.url], repositories=dict(c.repositories),
                          read_only=eight_read_only and name == "eight")
            for name, c in sandbox.clusters.items()
        ]
        yield sandbox, EsnapConfig(clusters=clusters, offline=[])


@pytest.fixture
async def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[
    tuple[Sandbox, EsnapConfig]
]:
    # "eight" may be browsed, never restored into
    async with running(tmp_path, monkeypatch, eight_read_only=True) as started:
        yield started


@pytest.fixture
async def two_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[
    tuple[Sandbox, EsnapConfig]
]:
    """Both clusters writable: the target picker has a choice to make."""
    async with running(tmp_path, monkeypatch, eight_read_only=False) as started:
        yield started


def make_app(sandbox: Sandbox, config: EsnapConfig, tmp_path: Path, **runtime: Any) -> EsnapApp:
    app = EsnapApp(config)
    time = VirtualTime(sandbox.clusters["nine"].cluster)
    app.restore_runtime = RestoreRuntime(  # type: ignore[attr-defined]
        clock=time.clock, sleep=time.sleep, poll_interval=1.0,
        audit_path=tmp_path / "audit.jsonl", export_dir=tmp_path / "exports", **runtime,
    )
    return app


async def settle(app: EsnapApp, pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await settle_workers(app)
        await pilot.pause()


async def open_wizard(app: EsnapApp, pilot) -> RestoreWizard:
    await settle(app, pilot)
    await pilot.press("tab", "tab")  # clusters -> repositories -> snapshots
    await settle(app, pilot)
    await pilot.press("R")
    await settle(app, pilot)
    wizard = app.screen
    assert isinstance(wizard, RestoreWizard), app.screen
    return wizard


async def choose(wizard: RestoreWizard, pilot, *names: str) -> None:
    items = wizard.query_one("#items", SelectionList)
    for name in names:
        items.select(f"i:{name}")
    await pilot.pause()


async def next_step(app: EsnapApp, pilot) -> None:
    await pilot.press("ctrl+n")
    await settle(app, pilot)


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_two_renamed_indices_restore_into_9x_and_are_watched_to_the_end(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    nine = sandbox.clusters["nine"].cluster
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        items = wizard.query_one("#items", SelectionList)
        assert [str(o.prompt).split()[0] for o in items.options] == ["logs-a", "logs-b"]
        assert app.focused is wizard.query_one("#item-filter")  # typing filters at once
        await pilot.press("down", "space", "down", "space")  # into the list, as a person would
        assert sorted(wizard.build_plan().indices) == ["logs-a", "logs-b"]
        await next_step(app, pilot)
        assert wizard.step == "where"
        target = wizard.query_one("#target")
        assert target.value == "nine"  # the source; "eight" is read-only and not offered
        assert [t.name for t in wizard.targets] == ["nine"]
        preview = wizard.query_one("#preview", DataTable)
        assert "exists on target" in str(preview.get_row_at(0)[2])  # logs-a is open there
        wizard.query_one("#rename-pattern", Input).value = "(.+)"
        wizard.query_one("#rename-replacement", Input).value = "restored-$1"
        await settle(app, pilot)
        rows = [preview.get_row_at(i) for i in range(preview.row_count)]
        assert [(r[0], r[1]) for r in rows] == [
            ("logs-a", "restored-logs-a"), ("logs-b", "restored-logs-b")]
        assert all(str(r[2]).startswith("✓") for r in rows)
        await next_step(app, pilot)
        assert wizard.step == "checks" and wizard.prep is not None
        assert wizard.prep.report.can_proceed
        await next_step(app, pilot)
        review = text_of(wizard, "#review-body")
        assert "POST _snapshot/backups/snap/_restore?wait_for_completion=false" in review
        assert '"rename_replacement": "restored-$1"' in review
        assert "curl -sS -X POST" in review
        await next_step(app, pilot)
        button = wizard.query_one("#go-button", Button)
        assert not button.disabled and app.focused is button
        await pilot.press("enter")
        await settle(app, pilot, rounds=6)
        monitor = app.screen
        assert isinstance(monitor, RestoreMonitorScreen)
        assert monitor.last is not None and monitor.last.done
        table = monitor.query_one("#monitor-table", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("restored-logs-a", "logs-a", "DONE"), ("restored-logs-b", "logs-b", "DONE")]
        verify = text_of(monitor, "#monitor-verify")
        assert "✓ verified" in verify and "restored-logs-a: " in verify
        assert "100.0%" in text_of(monitor, "#monitor-line")
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    assert nine.index("restored-logs-b") is not None


async def test_open_index_conflict_is_caught_before_sending_and_resolved_by_rename(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    nine = sandbox.clusters["nine"].cluster
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a")
        await next_step(app, pilot)
        await next_step(app, pilot)
        assert wizard.step == "checks"
        body = text_of(wizard, "#checks-body")
        assert "✗ BLOCKER logs-a already exists and is open on nine" in body
        assert "fix: rename" in body
        # go is refused while a blocker exists, with the reason
        await next_step(app, pilot)
        await next_step(app, pilot)
        assert wizard.step == "go"
        assert "✗ cannot go: 1 blocking check(s)" in text_of(wizard, "#go-summary")
        assert not wizard.query_one("#go-button").display
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        fixes = wizard.query_one("#fixes", OptionList)
        labels = [str(fixes.get_option_at_index(i).prompt) for i in range(fixes.option_count)]
        rename = next(i for i, label in enumerate(labels) if "rename with pattern" in label)
        assert any("close the existing index logs-a" in label and "asks first" in label
                   for label in labels)
        fixes.focus()
        fixes.highlighted = rename
        await pilot.press("enter")
        await settle(app, pilot)
        assert wizard.step == "where"  # the rename fix fills step 2 to be looked at
        assert wizard.query_one("#rename-pattern", Input).value
        preview = wizard.query_one("#preview", DataTable)
        assert str(preview.get_row_at(0)[2]).startswith("✓")
        await next_step(app, pilot)
        assert wizard.prep is not None and wizard.prep.report.can_proceed
        assert nine.received("POST", RESTORE_PATH) == []  # nothing was ever sent
        await next_step(app, pilot)
        await next_step(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, rounds=6)
        assert isinstance(app.screen, RestoreMonitorScreen)
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    assert nine.index("logs-a").state == "open"  # the existing index was never touched


async def test_closing_the_existing_index_shows_the_request_and_asks_first(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    nine = sandbox.clusters["nine"].cluster
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a")
        await next_step(app, pilot)
        await next_step(app, pilot)
        fixes = wizard.query_one("#fixes", OptionList)
        labels = [str(fixes.get_option_at_index(i).prompt) for i in range(fixes.option_count)]
        fixes.focus()
        fixes.highlighted = next(i for i, t in enumerate(labels) if "close the existing" in t)
        await pilot.press("enter")
        await settle(app, pilot)
        dialog = app.screen
        assert "POST logs-a/_close" in text_of(dialog, "#confirm-request")
        assert app.focused is dialog.query_one("#confirm-cancel")  # no default to slip into
        await pilot.press("escape")
        await settle(app, pilot)
        assert nine.index("logs-a").state == "open"
        await pilot.press("enter")  # the same fix again, now confirmed
        await settle(app, pilot)
        app.screen.query_one("#confirm-run", Button).press()
        await settle(app, pilot, rounds=4)
        assert nine.index("logs-a").state == "close"
        assert app.screen is wizard and wizard.prep is not None
        body = text_of(wizard, "#checks-body")
        assert "closed index logs-a will be overwritten" in body  # re-checked
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [e["event"] for e in entries] == ["close-index:attempt", "close-index:outcome"]


async def test_a_global_state_restore_shows_what_it_overwrites_and_needs_the_name_typed(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    nine = sandbox.clusters["nine"].cluster
    repo = sandbox.clusters["nine"].repositories["backups"]
    from esnap_tui.repository.writer import RepositoryWriter, SnapshotToWrite
    from esnap_tui.versions import Version

    RepositoryWriter(repo, "8.15").add_snapshot(SnapshotToWrite(
        name="with-state", uuid="withstateuuid000000001", version=Version(8, 15, 0),
        start_time_ms=1_769_900_000_000, end_time_ms=1_769_900_060_000,
        include_global_state=True,
        global_metadata={"settings": {"cluster": {"routing": {"allocation": {
            "enable": "primaries"}}}},
            "index_template": {"index_template": {"logs-tpl": {"index_patterns": ["logs-*"]}}}},
    ))
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "tab")
        await settle(app, pilot)
        snapshots = app.main_screen.query_one("#snapshots", DataTable)
        snapshots.move_cursor(row=snapshots.get_row_index("with-state"))
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        wizard = app.screen
        assert isinstance(wizard, RestoreWizard)
        wizard.query_one("#global-state").value = True
        await pilot.pause()
        await next_step(app, pilot)
        await next_step(app, pilot)
        body = text_of(wizard, "#checks-body")
        assert "! WARNING global state overwrites cluster-wide configuration of nine" in body
        assert "persistent settings: replaced" in body
        assert "cluster.routing.allocation.enable" in body
        assert "index templates: replaces with logs-tpl" in body
        assert "safety snapshot" in body
        await next_step(app, pilot)
        assert '"include_global_state": true' in text_of(wizard, "#review-body")
        assert '"feature_states": [\n    "none"\n  ]' in text_of(wizard, "#review-body")
        await next_step(app, pilot)
        assert "type the snapshot name (with-state)" in text_of(wizard, "#go-summary")
        button = wizard.query_one("#go-button", Button)
        assert button.disabled
        await pilot.press(*"with-stat")
        assert button.disabled
        assert "type the snapshot name first" in str(button.label)  # disabled, said in words
        assert text_of(wizard, "#label-confirm") == "▶snapshot name"
        await pilot.press("e", "enter")
        assert not button.disabled and app.focused is button
        assert str(button.label) == "▶ Restore now"
    assert nine.received("POST", RESTORE_PATH) == []


async def test_a_timed_out_restore_call_is_reconciled_and_never_sent_twice(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    nine = sandbox.clusters["nine"].cluster
    nine.faults.append(Fault(path="/_snapshot/backups/snap/_restore", method="POST",
                             latency_ms=30_000, after=True))
    app = make_app(sandbox, config, tmp_path, request_timeout=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-b")
        await next_step(app, pilot)
        wizard.query_one("#rename-pattern", Input).value = "logs-(.+)"
        wizard.query_one("#rename-replacement", Input).value = "late-$1"
        await next_step(app, pilot)
        await next_step(app, pilot)
        await next_step(app, pilot)
        assert wizard.step == "go"
        await pilot.press("enter", "enter", "enter")  # impatient: one request all the same
        await settle(app, pilot, rounds=6)
        assert wizard.result is not None and wizard.result.reconciled
        assert wizard.result.outcome.value == "started"
        monitor = app.screen
        assert isinstance(monitor, RestoreMonitorScreen)
        assert "not resent" in text_of(monitor, "#monitor-origin")
        assert monitor.last is not None and monitor.last.done
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [e["event"] for e in entries] == ["attempt", "no-answer", "reconciled"]


async def test_review_copies_the_curl_and_exports_it_to_a_file(live, tmp_path: Path) -> None:
    sandbox, config = live
    app = make_app(sandbox, config, tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-b")
        for _ in range(3):
            await next_step(app, pilot)
        assert wizard.step == "review"
        await pilot.press("y", "e")
        await settle(app, pilot)
        assert copied and copied[0].startswith("curl -sS -X POST ")
        assert "/_snapshot/backups/snap/_restore?wait_for_completion=false" in copied[0]
        exported = tmp_path / "exports" / "restore-nine-snap.sh"
        assert exported.read_text().rstrip().endswith(copied[0])
        assert str(exported) in text_of(wizard, "#review-body")


async def test_read_only_mode_never_reaches_go(live, tmp_path: Path) -> None:
    sandbox, config = live
    from esnap_tui.ui.screens.extensions import SnapshotContext, screen_for

    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        await pilot.press("tab", "tab")
        await settle(app, pilot)
        context = main.snapshot_context()
        assert context is not None
        context = SnapshotContext(context.services, context.source, context.repository,
                                  context.snapshot, read_only=True)
        await app.push_screen(screen_for("restore", context))
        await settle(app, pilot)
        wizard = app.screen
        assert isinstance(wizard, RestoreWizard)
        await choose(wizard, pilot, "logs-b")
        await next_step(app, pilot)
        assert "no writable cluster" in text_of(wizard, "#hint")
        await next_step(app, pilot)
        assert wizard.step == "where"  # nowhere to go without a target
        wizard.go_to("go")
        await settle(app, pilot)
        assert "read-only mode" in text_of(wizard, "#go-summary")
        assert not wizard.query_one("#go-button").display


async def test_tab_moves_from_the_rename_pattern_to_the_replacement(live, tmp_path: Path) -> None:
    sandbox, config = live
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a")
        await next_step(app, pilot)
        pattern = wizard.query_one("#rename-pattern", Input)
        replacement = wizard.query_one("#rename-replacement", Input)
        pattern.focus()
        await pilot.press(*"(.+)", "tab", *"restored-$1")
        await settle(app, pilot)
        assert (pattern.value, replacement.value) == ("(.+)", "restored-$1")
        assert app.focused is replacement
        preview = wizard.query_one("#preview", DataTable)
        assert str(preview.get_row_at(0)[1]) == "restored-logs-a"


async def test_a_burst_of_keys_with_a_tab_splits_across_the_fields(
    live, tmp_path: Path
) -> None:
    """Keys arriving together (a paste, SSH batching keystrokes): the terminal driver posts
    them all before any is handled; the text after the tab belongs to the next field."""
    from textual import events

    sandbox, config = live
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a")
        await next_step(app, pilot)
        pattern = wizard.query_one("#rename-pattern", Input)
        replacement = wizard.query_one("#rename-replacement", Input)
        pattern.focus()
        await pilot.pause()
        for char in "(.+)\tnew-$1":
            key = "tab" if char == "\t" else events.Key(char, char).key
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        assert (pattern.value, replacement.value) == ("(.+)", "new-$1")


async def test_the_wizard_opens_with_typing_filtering_the_list(live, tmp_path: Path) -> None:
    sandbox, config = live
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        items = wizard.query_one("#items", SelectionList)
        assert items.option_count == 2
        await pilot.press(*"-b")
        await settle(app, pilot)
        assert wizard.query_one("#item-filter", Input).value == "-b"
        assert [str(o.prompt).split()[0] for o in items.options] == ["logs-b"]
        await pilot.press("down", "space")  # down leaves the filter for the list
        assert app.focused is items
        assert wizard.build_plan().indices == ["logs-b"]


async def test_the_cursor_row_and_the_focused_field_read_without_colour(
    live, tmp_path: Path
) -> None:
    sandbox, config = live
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(app, pilot)
        items = wizard.query_one("#items", SelectionList)

        def row(y: int) -> str:
            return items.render_line(y).text

        assert text_of(wizard, "#label-item-filter") == "▶filter"
        assert not row(0).startswith("▶")  # the list has no cursor mark while unfocused
        await pilot.press("down", "down", "space")
        assert text_of(wizard, "#label-item-filter") == " filter"
        assert row(0).startswith(" ▐ ▌ logs-a") and row(1).startswith("▶▐X▌ logs-b")
        await pilot.press("tab")  # on to the patterns field
        assert text_of(wizard, "#label-patterns") == "▶patterns"
        assert not row(1).startswith("▶")


async def test_without_colour_the_target_list_marks_the_highlighted_and_the_chosen_target(
    two_targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, config = two_targets
    monkeypatch.setenv("NO_COLOR", "1")  # over SSH: the ansi theme, no colour at all
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "esnap-ansi"
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a")
        await next_step(app, pilot)
        target = wizard.query_one("#target")
        assert app.focused is target and target.value == "nine"
        assert [t.name for t in wizard.targets] == ["nine", "eight"]
        overlay = target.query_one(SelectOverlay)

        def rows() -> list[str]:
            return [overlay.render_line(y).text.rstrip() for y in range(overlay.option_count)]

        await pilot.press("enter")  # open the list: the cursor starts on the chosen target
        await settle(app, pilot)
        assert app.focused is overlay
        assert rows() == ["▶● nine", "   eight"]
        await pilot.press("down")  # the cursor moves; the chosen target stays marked
        assert rows() == [" ● nine", "▶  eight"]
        await pilot.press("enter")  # choose eight
        await settle(app, pilot)
        assert target.value == "eight" and app.focused is target
        assert text_of(wizard, "#label-target") == "▶target cluster"
        await pilot.press("enter")
        await settle(app, pilot)
        assert rows() == ["   nine", "▶● eight"]
        await pilot.press("up")
        assert rows() == ["▶  nine", " ● eight"]
        await pilot.press("escape")  # dismissed: nothing changes
        await settle(app, pilot)
        assert target.value == "eight" and app.focused is target


async def test_without_colour_the_rename_preview_marks_its_cursor_row(
    live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, config = live
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(sandbox, config, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "esnap-ansi"
        wizard = await open_wizard(app, pilot)
        await choose(wizard, pilot, "logs-a", "logs-b")
        await next_step(app, pilot)
        preview = wizard.query_one("#preview", DataTable)

        def rows() -> list[str]:  # the header line, then one line per name
            return [preview.render_line(y).text for y in range(1 + preview.row_count)]

        assert rows()[1].startswith(" logs-a") and rows()[2].startswith(" logs-b")
        assert not any("▶" in row for row in rows())  # unfocused: no cursor to follow
        await pilot.press("tab", "tab", "tab", "tab")  # target, repository, rename, → preview
        assert app.focused is preview
        assert rows()[0].startswith(" in the snapshot")
        assert rows()[1].startswith("▶logs-a") and rows()[2].startswith(" logs-b")
        await pilot.press("down")
        assert rows()[1].startswith(" logs-a") and rows()[2].startswith("▶logs-b")
        await pilot.press("up")
        assert rows()[1].startswith("▶logs-a") and rows()[2].startswith(" logs-b")
        await pilot.press("tab")  # on to "replicas 0": the preview's mark goes
        assert not any("▶" in row for row in rows())
