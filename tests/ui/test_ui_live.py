"""The app against the sandbox: simulated clusters of every dialect over real HTTP on loopback.

Failure modes are real too: a port nothing listens on (a stopped cluster), a cluster that
demands credentials the config lacks (401), and a web server that is not Elasticsearch.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from esnap_tui.config import ClusterConfig, EsnapConfig
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.screens.detail import DetailScreen
from esnap_tui.ui.screens.find import FindIndexScreen
from esnap_tui.ui.services import PAGE_SIZE
from esnap_tui.ui.widgets.detail import VimTable
from esnap_tui.ui.widgets.panes import PaneList, SnapshotTable
from tests.ui.workers import settle_workers

NIGHTLIES = 130  # more than two pages

SCENARIO = {
    "seed": 11,
    "now": "2026-01-15T12:00:00Z",
    "clusters": [
        {"name": "es91", "dialect": "es-9.1",
         "indices": [{"name": "logs-2026.01", "docs": 100, "size": "1mb"},
                     {"name": "orders", "docs": 10, "size": "10kb"}],
         "repositories": [{"name": "backups", "path": "repos/big"}]},
        {"name": "es713", "dialect": "es-7.13",
         "indices": [{"name": "legacy-7", "docs": 10, "size": "10kb"}],
         "repositories": [{"name": "seven", "path": "repos/seven"}]},
        {"name": "es68", "dialect": "es-6.8",
         "indices": [{"name": "legacy-6", "docs": 10, "size": "10kb"}],
         "repositories": [{"name": "six", "path": "repos/six"}]},
        {"name": "os211", "dialect": "os-2.11",
         "indices": [{"name": "os-logs", "docs": 10, "size": "10kb"}],
         "repositories": [{"name": "os-backups", "path": "repos/os"}]},
        {"name": "locked", "dialect": "es-8.15",
         "credentials": {"username": "elastic", "password": "changeme"}},
    ],
    "repositories": [
        {"path": "repos/big", "snapshots": [
            {"generate": {"count": NIGHTLIES, "name": "nightly", "policy": "nightly",
                          "every": "1d", "start": "-140d", "indices_from": "es91",
                          "failed_every": 13}},
            {"name": "special-orders", "start": "-2h", "indices": ["orders-archive"]},
        ]},
        {"path": "repos/seven", "snapshots": [
            {"name": "seven-1", "start": "-10d", "indices_from": "es713"},
            {"name": "seven-2", "start": "-5d", "indices": ["orders-archive", "legacy-7"]},
        ]},
        {"path": "repos/six", "snapshots": [
            {"name": "six-1", "start": "-400d", "indices_from": "es68"},
        ]},
        {"path": "repos/os", "snapshots": [
            {"name": "os-1", "start": "-3d", "indices_from": "os211"},
        ]},
    ],
}


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def web_page() -> AsyncIterator[str]:
    """A web server that is not Elasticsearch (an HTML page on every path)."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html><body>It works!</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def live(tmp_path: Path, web_page: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[
    tuple[Sandbox, EsnapConfig]
]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    async with Sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as sandbox:
        clusters = []
        for name, cluster in sandbox.clusters.items():
            repos = dict(cluster.repositories) if name == "es713" else {}
            clusters.append(ClusterConfig(name=name, urls=[cluster.url], repositories=repos))
        clusters.append(ClusterConfig(name="stopped", urls=[f"http://127.0.0.1:{unused_port()}"]))
        clusters.append(ClusterConfig(name="webpage", urls=[web_page]))
        yield sandbox, EsnapConfig(clusters=clusters)


async def settle(app: EsnapApp, pilot) -> None:
    for _ in range(2):
        await settle_workers(app)
        await pilot.pause()


def rows(app: EsnapApp) -> dict[str, str]:
    sources = app.main_screen.query_one("#sources", PaneList)
    return {str(o.id).split(":", 1)[1]: str(o.prompt) for o in sources.options}


async def test_every_dialect_is_listed_and_each_failure_has_its_own_state(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shown = rows(app)
        assert "✓ es91" in shown["es91"] and "ES 9.1" in shown["es91"]
        assert "yellow" in shown["es91"]  # one node: replicas unassigned
        assert "ES 7.13" in shown["es713"]
        assert "ES 6.8" in shown["es68"]
        assert "OpenSearch 2.11" in shown["os211"]
        assert shown["stopped"].startswith("✗ stopped") and "connection refused" in shown["stopped"]
        assert shown["locked"].startswith("✗ locked") and "401" in shown["locked"]
        assert shown["webpage"].startswith("✗ webpage") and "not Elasticsearch" in shown["webpage"]
        # the healthy first cluster still lists its snapshots
        table = app.main_screen.query_one("#snapshots", SnapshotTable)
        assert table.row_count > 0


async def test_a_failed_cluster_explains_itself_and_the_next_one_still_works(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        names = [str(o.id).split(":", 1)[1] for o in main.query_one("#sources", PaneList).options]
        await pilot.press(*["j"] * names.index("locked"))
        await settle(app, pilot)
        message = str(main.query_one("#repos-message").render())
        assert "401" in message and "credentials" in message
        assert "changeme" not in message
        await pilot.press(*["k"] * names.index("locked"))  # back to es91
        await settle(app, pilot)
        assert main.current_source.name == "es91"
        assert main.query_one("#snapshots", SnapshotTable).row_count > 0


async def test_snapshots_page_in_newest_first_as_the_cursor_moves(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        table = main.query_one("#snapshots", SnapshotTable)
        assert table.row_count == PAGE_SIZE  # one page, not the whole repository
        first = main.selected_snapshot()
        assert first is not None and first.name == "special-orders"
        starts = [main.rows[str(table.get_row_at(i)[0])].start_time_ms for i in range(10)]
        assert starts == sorted(starts, reverse=True)
        await pilot.press("tab", "tab", "G")  # to the end: loads the next page
        await settle(app, pilot)
        assert table.row_count == 2 * PAGE_SIZE
        await pilot.press("G")
        await settle(app, pilot)
        assert table.row_count == NIGHTLIES + 1
        assert main.listing is not None and main.listing.complete
        assert "all 131" in str(main.query_one("#snapshots-pane").border_subtitle)


async def test_filtering_by_state_and_name_reaches_past_the_first_page(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        table = main.query_one("#snapshots", SnapshotTable)
        await pilot.press("slash", *"failed")
        await settle(app, pilot)
        states = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert table.row_count == NIGHTLIES // 13
        assert states == {"✗ FAILED"}
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("slash", *"special")
        await settle(app, pilot)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["special-orders"]


async def test_detail_of_a_live_snapshot(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "tab", "j", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.detail is not None and screen.detail.name.startswith("nightly")
        await pilot.press("l")  # the indices tab is built on first view
        await settle(app, pilot)
        table = screen.query_one("#indices-table", VimTable)
        names = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert {"logs-2026.01", "orders"} <= names


async def test_find_index_across_clusters_newest_successful_first(live) -> None:
    _, config = live
    app = EsnapApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        assert isinstance(app.screen, FindIndexScreen)
        await pilot.press(*"orders-archive", "enter")
        await settle(app, pilot)
        table = app.screen.query_one("#find-results", VimTable)
        found = [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1]))
                 for i in range(table.row_count)]
        assert sorted(found) == [("es713/seven", "seven-2"), ("es91/backups", "special-orders")]
