"""Pure pieces of the UI: themes, the binding catalogue, the filter language, formatting."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from esnap_tui.models import SnapshotState, SnapshotSummary
from esnap_tui.ui import bindings
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.compat import CompatScreen
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.extensions import PlaceholderScreen
from esnap_tui.ui.screens.help import help_rows
from esnap_tui.ui.screens.main import MainScreen
from esnap_tui.ui.screens.restore.inflight import RestoresInFlightScreen
from esnap_tui.ui.screens.restore.monitor import RestoreMonitorScreen
from esnap_tui.ui.screens.restore.wizard import RestoreWizard
from esnap_tui.ui.services import (
    SnapshotFilter,
    format_duration,
    format_state,
    format_time,
    matches_index,
    sort_find_matches,
)
from esnap_tui.ui.themes import BUILTIN_DIR, ThemeError, load_theme_file, load_themes
from esnap_tui.ui.widgets.panes import PaneList, SnapshotTable


def test_every_shipped_theme_loads_and_the_four_required_ones_exist() -> None:
    themes, problems = load_themes(BUILTIN_DIR)
    assert problems == []
    names = {t.theme.name for t in themes}
    assert {"esnap-dark", "esnap-light", "esnap-high-contrast", "esnap-production",
            "esnap-ansi"} <= names
    ansi = next(t.theme for t in themes if t.theme.name == "esnap-ansi")
    assert ansi.ansi is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: x\ncolors: {primary: '#zzzzzz'}\n", "colors.primary: not a colour"),
        ("name: x\ncolors: {primary: red, shiny: blue}\n", "colors.shiny: unknown colour name"),
        ("colors: {primary: red}\n", "name: required"),
        ("name: x\ncolors: {primary: red}\nbogus: 1\n", "unknown field 'bogus'"),
        ("name: x\ncolors: {primary: red}\ndark: maybe\n", "dark: expected true or false"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_bad_theme_file_names_the_file_and_the_field(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_bad_user_theme_is_reported_and_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("name: broken\ncolors: {primary: 12}\n")
    (tmp_path / "mine.yaml").write_text("name: mine\ncolors: {primary: '#123456'}\n")
    themes, problems = load_themes(BUILTIN_DIR, tmp_path)
    assert "mine" in {t.theme.name for t in themes}
    assert len(problems) == 1 and "broken.yaml" in problems[0]


def test_no_color_switches_to_the_ansi_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = EsnapApp(None)
    assert app.theme == "esnap-ansi"
    assert app.native_ansi_color is True


def test_an_unknown_configured_theme_falls_back_with_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = EsnapApp(None, theme="no-such-theme")
    assert app.theme == "esnap-dark"
    assert any("no-such-theme" in p for p in app.problems)


def test_binding_ids_are_unique_and_every_action_exists_where_it_is_bound() -> None:
    ids = [spec.id for spec in bindings.CATALOGUE]
    assert len(ids) == len(set(ids))
    owners = {
        bindings.APP: [EsnapApp],
        bindings.MAIN: [MainScreen],
        bindings.LIST: [PaneList, SnapshotTable],
        bindings.DETAIL: [DetailScreen],
        bindings.COMPAT: [CompatScreen],
        bindings.WIZARD: [RestoreWizard],
        bindings.MONITOR: [RestoreMonitorScreen],
        bindings.INFLIGHT: [RestoresInFlightScreen],
        bindings.MODAL: [PlaceholderScreen],
    }
    assert set(owners) == set(bindings.SCOPE_TITLES)
    for spec in bindings.CATALOGUE:
        for owner in owners[spec.scope]:
            method = getattr(owner, f"action_{spec.action}", None)
            assert method is not None and inspect.isroutine(method), (spec.id, owner)


def test_help_lists_every_binding_with_the_users_keys_and_hides_restore_when_read_only() -> None:
    rows = help_rows({"find-index": "F"}, read_only=False)
    by_id = {row[3]: row for row in rows}
    assert set(by_id) >= {spec.id for spec in bindings.CATALOGUE}
    assert by_id["find-index"][1] == "F"
    assert by_id["help"][1] == "? f1"
    read_only_ids = {row[3] for row in help_rows({}, read_only=True)}
    assert "restore" not in read_only_ids and "detail-restore" not in read_only_ids
    assert "find-index" in read_only_ids
    # the restore keys are catalogued: watching stays in read-only mode, the wizard does not
    assert by_id["watch-restores"][1] == "w" and "watch-restores" in read_only_ids
    assert "monitor-back" in read_only_ids and "wizard-next" not in read_only_ids


def test_keymap_problems_name_unknown_ids() -> None:
    assert bindings.check_keymap({"find-index": "F"}) == []
    assert bindings.check_keymap({"fnd-index": "F"}) == ["keymap: unknown binding id 'fnd-index'"]


def summary(name: str, state: SnapshotState | None = SnapshotState.SUCCESS,
            start: int | None = 0, policy: str | None = None) -> SnapshotSummary:
    return SnapshotSummary(name=name, uuid=name, repository="r", state=state,
                           start_time_ms=start, end_time_ms=start, slm_policy=policy)


def test_filter_words_match_names_states_and_policies() -> None:
    filt = SnapshotFilter.parse("nightly failed policy:daily")
    assert filt.server_pattern == "*nightly*"
    assert filt.states == {SnapshotState.FAILED}
    assert filt.matches(summary("nightly-1", SnapshotState.FAILED, policy="daily-snap"))
    assert not filt.matches(summary("nightly-1", SnapshotState.SUCCESS, policy="daily-snap"))
    assert not filt.matches(summary("weekly-1", SnapshotState.FAILED, policy="daily-snap"))
    assert not filt.matches(summary("nightly-1", SnapshotState.FAILED, policy=None))
    assert SnapshotFilter.parse("state:partial,in_progress").states == {
        SnapshotState.PARTIAL, SnapshotState.IN_PROGRESS}
    assert not SnapshotFilter.parse("   ").active


def test_index_patterns_follow_elasticsearch_rules() -> None:
    assert matches_index("logs-*", "logs-2024")
    assert not matches_index("logs", "logs-2024")  # a plain name is the whole name
    assert matches_index("a,b", "b")
    assert not matches_index("logs-*,-logs-old*", "logs-old-1")
    assert matches_index("logs-*,-logs-old*", "logs-new-1")


def test_find_results_put_the_newest_successful_snapshot_first() -> None:
    matches = [
        (summary("old-ok", start=1), ["i"]),
        (summary("new-failed", SnapshotState.FAILED, start=9), ["i"]),
        (summary("new-ok", start=5), ["i"]),
    ]
    assert [m[0].name for m in sort_find_matches(matches)] == ["new-ok", "old-ok", "new-failed"]


def test_times_are_absolute_utc_and_states_read_without_colour() -> None:
    assert format_time(0) == "1970-01-01 00:00"
    assert format_time(None) == "—"
    assert format_duration(63_000) == "1m03s"
    assert format_duration(1_500) == "1.5s"
    assert format_duration(3 * 3600_000 + 60_000) == "3h01m"
    assert format_state(SnapshotState.PARTIAL) == "◐ PARTIAL"
    assert format_state(None) == "? unknown"
