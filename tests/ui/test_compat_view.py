"""The compatibility view (``c``): pick a target, read each index's verdict, get the way forward.

Pilot presses the keys a user would; assertions read what the view shows. Offline tests read a
real repository written by Elasticsearch 6.8; live tests talk real HTTP to sandbox clusters.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from esnap_tui.config import ClusterConfig, EsnapConfig, parse_config
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.compat import AdviceScreen, CompatScreen, TargetPicker
from esnap_tui.ui.screens.help import help_rows
from esnap_tui.ui.widgets.detail import VimTable
from tests.ui.workers import settle_workers

# --------------------------------------------------------------------------- helpers


async def settle(app: EsnapApp, pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await settle_workers(app)
        await pilot.pause()


def head(screen: CompatScreen, name: str) -> str:
    return str(screen.query_one(f"#head-{name}").render())


def table_rows(screen: CompatScreen) -> list[list[str]]:
    table = screen.query_one("#compat-table", VimTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def detail(screen: CompatScreen) -> str:
    return "\n".join(
        str(screen.query_one(f"#compat-detail-{part}").render()) for part in ("title", "body")
    )


async def open_compat(app: EsnapApp, pilot) -> TargetPicker:
    """From the main screen: to the snapshot list, then ``c``; the target picker opens."""
    await settle(app, pilot)
    await pilot.press("tab", "tab", "c")
    await settle(app, pilot)
    assert isinstance(app.screen, TargetPicker)
    return app.screen


async def type_target(app: EsnapApp, pilot, text: str, licence_steps: int | None = 0) -> None:
    """Tab to the version field, type ``text``, Enter; then pick the licence ``licence_steps``
    down the list (None: the text carries its own licence, no list appears)."""
    picker = app.screen
    assert isinstance(picker, TargetPicker)
    picker.query_one("#target-version").focus()
    await pilot.press(*text, "enter")
    await pilot.pause()
    if licence_steps is not None:
        assert app.screen is picker and picker.has_class("-licence")
        await pilot.press(*["down"] * licence_steps, "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, CompatScreen)


# --------------------------------------------------------------------------- offline


@pytest.fixture
def offline_app(real_repositories: Path, monkeypatch: pytest.MonkeyPatch) -> EsnapApp:
    monkeypatch.delenv("NO_COLOR", raising=False)
    config = parse_config(
        f"""
offline:
  - name: es68
    path: {real_repositories / "ES_6_8_Updates_Deletes_Merged"}
"""
    )
    return EsnapApp(config)


async def test_a_5x_index_is_incompatible_with_7_17_and_the_advice_names_6_8(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await open_compat(offline_app, pilot)
        await type_target(offline_app, pilot, "7.17.0")  # licence: not known
        screen = offline_app.screen
        assert isinstance(screen, CompatScreen)
        assert "typed version · Elasticsearch 7.17.0 · licence not known" in head(screen, "target")
        assert "✓ compatible" in head(screen, "snapshot")  # 6.8 snapshots restore into 7.17
        assert "repository files at" in head(screen, "read")
        [row] = table_rows(screen)
        index, created, source, verdict, reason = row
        assert (index, created, source, verdict) == (
            "test_updates_deletes", "5.6.16", "repository", "✗ incompatible",
        )
        assert "5.6.16" in reason
        assert "1 blocked" in head(screen, "summary")
        # the full reason sits below the table, with the way forward in one line
        below = detail(screen)
        assert below.startswith(
            "test_updates_deletes · ✗ incompatible · created 5.6.16 (repository)"
        )
        assert "created in 5.6.16" in below and "7.17.0" in below and "Enter" in below
        await pilot.press("enter")
        await settle(offline_app, pilot)
        advice = offline_app.screen
        assert isinstance(advice, AdviceScreen)
        text = str(advice.query_one("#advice-body").render())
        assert "Newest version it restores into: 6.8" in text
        assert "reindex from remote" in text
        await pilot.press("escape")
        await pilot.pause()
        assert offline_app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert offline_app.screen is offline_app.main_screen


async def test_with_an_enterprise_licence_8_15_takes_it_as_a_read_only_archive(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        await open_compat(offline_app, pilot)
        await type_target(offline_app, pilot, "8.15", licence_steps=3)  # enterprise
        screen = offline_app.screen
        assert "licence enterprise" in head(screen, "target")
        [row] = table_rows(screen)
        assert row[3] == "◐ read-only archive"
        assert "1 read-only archive" in head(screen, "summary")
        # the same version without the licence: archive indices are not unlocked
        await pilot.press("t")
        await settle(offline_app, pilot)
        await type_target(offline_app, pilot, "8.15.0 basic", licence_steps=None)
        assert "licence basic" in head(screen, "target")
        assert table_rows(screen)[0][3] == "✗ incompatible"


async def test_a_typed_version_that_is_not_a_version_says_so_and_keeps_the_picker(
    offline_app: EsnapApp,
) -> None:
    async with offline_app.run_test(size=(80, 24)) as pilot:
        picker = await open_compat(offline_app, pilot)
        picker.query_one("#target-version").focus()
        await pilot.press(*"banana", "enter")
        await pilot.pause()
        assert offline_app.screen is picker
        assert "not a version" in str(picker.query_one("#picker-error").render())
        await pilot.press("escape")  # no target chosen: the view says how to pick one
        await settle(offline_app, pilot)
        screen = offline_app.screen
        assert isinstance(screen, CompatScreen)
        assert "none yet" in head(screen, "target")
        assert "t picks" in str(screen.query_one("#compat-message").render())


# --------------------------------------------------------------------------- live


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SCENARIO = {
    "seed": 5,
    "now": "2026-01-15T12:00:00Z",
    "clusters": [
        {"name": "old", "dialect": "es-7.17",
         "indices": [
             {"name": "logs-6", "created": "6.8.23", "docs": 200000, "size": "2gb"},
             {"name": "logs-7", "created": "7.10.2", "docs": 1000, "size": "10mb"},
             {"name": "users", "created": "7.17.0", "docs": 10, "size": "10kb"},
         ],
         "repositories": [{"name": "backups", "path": "repos/old"}]},
        {"name": "new", "dialect": "es-9.1", "license": "enterprise"},
        {"name": "eight", "dialect": "es-8.15", "license": "basic"},
    ],
    "repositories": [
        {"path": "repos/old", "dialect": "es-7.17", "snapshots": [
            {"name": "before-upgrade", "start": "-1d", "indices_from": "old"},
        ]},
    ],
}


@pytest.fixture
async def live(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[EsnapConfig]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as sandbox:
        clusters = [ClusterConfig(name=name, urls=[cluster.url])
                    for name, cluster in sandbox.clusters.items()]
        clusters.append(ClusterConfig(name="stopped", urls=[f"http://127.0.0.1:{unused_port()}"]))
        yield EsnapConfig(clusters=clusters)


def cluster_lines(picker: TargetPicker) -> dict[str, str]:
    from textual.widgets import OptionList

    options = picker.query_one("#target-clusters", OptionList).options
    return {str(o.id).split(":", 1)[1]: str(o.prompt) for o in options}


async def test_a_live_target_cluster_shows_its_version_and_licence(live: EsnapConfig) -> None:
    app = EsnapApp(live)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_compat(app, pilot)
        lines = cluster_lines(picker)
        assert lines["new"].startswith("✓ new") and "Elasticsearch 9.1" in lines["new"]
        assert "licence enterprise" in lines["new"]
        assert lines["eight"].startswith("✓ eight") and "8.15" in lines["eight"]
        assert "licence basic" in lines["eight"]
        assert lines["stopped"].startswith("✗ stopped") and "connection refused" in lines["stopped"]
        await pilot.press("down", "down", "enter")  # eight (8.15, basic)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CompatScreen)
        assert head(screen, "target").startswith("eight · Elasticsearch 8.15")
        assert "cluster old, repository backups" in head(screen, "read")
        verdicts = {row[0]: row[3] for row in table_rows(screen)}
        assert verdicts == {
            "logs-6": "✗ incompatible", "logs-7": "✓ compatible", "users": "✓ compatible",
        }
        assert head(screen, "summary") == (
            "3 indices: 2 compatible, 0 read-only archive, 1 blocked, 0 unknown"
        )
        # only the problems, then everything again
        await pilot.press("p")
        await pilot.pause()
        assert [row[0] for row in table_rows(screen)] == ["logs-6"]
        assert "1 of 3" in str(screen.query_one("#compat-pane").border_title)
        # the advice estimates restore and reindex time from the index size
        await pilot.press("enter")
        await settle(app, pilot)
        text = str(app.screen.query_one("#advice-body").render())
        assert "Newest version it restores into: 7.17" in text
        assert "then reindex about" in text and "assuming" in text
        await pilot.press("escape", "p")
        await pilot.pause()
        assert len(table_rows(screen)) == 3


async def test_an_unreachable_target_says_why_and_another_can_be_chosen(
    live: EsnapConfig,
) -> None:
    app = EsnapApp(live)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compat(app, pilot)
        await pilot.press("end", "enter")  # stopped: nothing listens there
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CompatScreen)
        target = head(screen, "target")
        assert "✗ stopped is unreachable: connection refused" in target
        assert "pick another or type a version" in target
        assert table_rows(screen) == []
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("home", "enter")  # old: the source itself, 7.17
        await settle(app, pilot)
        assert head(screen, "target").startswith("old · Elasticsearch 7.17")
        assert {row[3] for row in table_rows(screen)} == {"✓ compatible"}


def test_every_compat_key_is_in_the_help() -> None:
    ids = {row[3] for row in help_rows({}, read_only=True)}
    assert {"compat-back", "compat-target", "compat-problems", "compat-advice"} <= ids
