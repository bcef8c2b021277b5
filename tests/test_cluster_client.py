"""The live cluster client over real HTTP on loopback.

Clusters are the project's sandbox (one simulated cluster per dialect). Failure modes that the
sandbox cannot be (nothing listening, a server that never answers, a web server that is not
Elasticsearch) are tiny servers started by the tests themselves.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from esnap_tui.cluster import (
    ClusterClient,
    ClusterUnavailable,
    HttpError,
    RepositoryInfo,
    local_repository_path,
    open_local_reader,
)
from esnap_tui.config import ClusterConfig
from esnap_tui.models import SnapshotState, SnapshotSummary
from esnap_tui.sandbox import Sandbox, Scenario
from esnap_tui.versions import Product, decode_version_id

SECRET = "s3cret-Pa55word"

# one event loop for the module, so the sandbox fixture can be started once
pytestmark = pytest.mark.asyncio(loop_scope="module")


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def web_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """A one-route aiohttp server on an ephemeral loopback port; yields its URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and reads, but never answers."""
    connections: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.read()  # until the client gives up and closes

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


def cluster(name: str, url: str, **extra: object) -> ClusterConfig:
    return ClusterConfig(name=name, urls=[url], **extra)  # type: ignore[arg-type]


async def failure_of(config: ClusterConfig, **client_options: float) -> ClusterUnavailable:
    async with ClusterClient(config, **client_options) as client:  # type: ignore[arg-type]
        with pytest.raises(ClusterUnavailable) as caught:
            await client.connect()
        assert client.info is None
    return caught.value


# --- failures that need no sandbox -------------------------------------------------------


async def test_nothing_listening_is_refused() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    failure = await failure_of(cluster("stopped", url), retry_backoff=(0.01, 0.02))
    assert failure.kind == "refused"
    assert str(failure) == f"connection refused at {url}"
    assert failure.reached_server is False  # a write could safely be sent again


async def test_server_that_never_answers_times_out() -> None:
    async with silent_server() as url:
        failure = await failure_of(cluster("hung", url), request_timeout=0.2, read_retries=1)
    assert failure.kind == "timeout"
    assert str(failure) == f"timeout: no answer from {url} within 0.2s"
    assert failure.reached_server is None  # sent, fate unknown: a write must be checked


async def test_html_web_server_is_not_elasticsearch() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="<html><body>It works!</body></html>", content_type="text/html")

    async with web_server(handler) as url:
        failure = await failure_of(cluster("web", url))
    assert failure.kind == "not-elasticsearch"
    assert str(failure) == (
        f"{url} is not Elasticsearch or OpenSearch (HTTP 200, text/html instead of cluster info)"
    )


async def test_other_json_service_is_not_elasticsearch() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": {"number": "3.2.1"}})

    async with web_server(handler) as url:
        failure = await failure_of(cluster("json", url))
    assert failure.kind == "not-elasticsearch"
    assert "unknown product" in str(failure)


async def test_plain_http_server_behind_https_url_is_a_tls_error() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({})

    async with web_server(handler) as url:
        https = url.replace("http://", "https://")
        failure = await failure_of(cluster("tls", https), retry_backoff=(0.01, 0.02))
    assert failure.kind == "tls"
    assert str(failure).startswith(f"TLS error at {https}: ")


async def test_missing_password_variable_is_named_before_any_request() -> None:
    config = cluster(
        "prod", f"http://127.0.0.1:{unused_port()}", username="admin",
        password_env="ESNAP_TEST_UNSET_PASSWORD",
    )
    failure = await failure_of(config)
    assert failure.kind == "credentials"
    assert failure.reached_server is False
    assert "ESNAP_TEST_UNSET_PASSWORD" in str(failure) and "is not set" in str(failure)


async def test_secret_never_reaches_messages_from_a_rejecting_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        # a hostile/misconfigured proxy echoing the credentials back in its error
        return web.json_response(
            {"error": {"type": "security_exception", "reason": f"bad {seen[-1]}"}}, status=403
        )

    monkeypatch.setenv("ESNAP_TEST_PASSWORD", SECRET)
    config = cluster("proxy", "", username="admin", password_env="ESNAP_TEST_PASSWORD")
    async with web_server(handler) as url:
        config.urls = [url]
        failure = await failure_of(config)
    assert seen and seen[0].startswith("Basic ")
    assert failure.kind == "forbidden"
    assert SECRET not in str(failure) and seen[0].split()[1] not in str(failure)
    assert SECRET not in repr(config)


async def test_plain_json_media_types_and_no_product_headers_are_sent() -> None:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        return web.json_response({"acknowledged": True})

    async with web_server(handler) as url, ClusterClient(cluster("c", url)) as client:
        await client.request("PUT", "/_snapshot/r", body={"type": "fs"})
    headers = seen[0]
    assert headers["accept"] == "application/json"
    assert headers["content-type"] == "application/json"
    assert "x-elastic-client-meta" not in headers


async def test_writes_are_not_retried_but_reads_are() -> None:
    calls: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(request.method)
        return web.json_response({"error": "busy", "status": 503}, status=503)

    async with web_server(handler) as url, ClusterClient(
        cluster("c", url), read_retries=2, retry_backoff=(0.01, 0.02)
    ) as client:
        with pytest.raises(ClusterUnavailable) as write:
            await client.request("POST", "/_snapshot/r/s/_restore", body={})
        assert calls == ["POST"]
        with pytest.raises(ClusterUnavailable) as read:
            await client.request("GET", "/_cluster/health")
    assert calls == ["POST", "GET", "GET", "GET"]
    assert write.value.kind == read.value.kind == "http-error"
    assert write.value.reached_server is True
    assert str(write.value) == f"HTTP 503 from POST /_snapshot/r/s/_restore at {url}: busy"


# --- local repository path ------------------------------------------------------------------


async def test_local_path_prefers_config_mapping_then_existing_fs_location(tmp_path: Path) -> None:
    mapped = tmp_path / "mapped"
    mapped.mkdir()
    location = tmp_path / "location"
    location.mkdir()
    (location / "index.latest").write_bytes(b"\0" * 8)
    fs = RepositoryInfo("backups", "fs", {"location": str(location)}, location=str(location))
    config = cluster("c", "http://h:9200")
    assert local_repository_path(fs, config) == location
    config.repositories = {"backups": str(mapped)}
    assert local_repository_path(fs, config) == mapped
    elsewhere = RepositoryInfo("other", "fs", {}, location="/no/such/dir")
    relative = RepositoryInfo("rel", "fs", {}, location="backups")
    s3 = RepositoryInfo("s3", "s3", {"bucket": "b"}, location=None)
    assert [local_repository_path(r, config) for r in (elsewhere, relative, s3)] == [None] * 3


# --- against the sandbox: every dialect ------------------------------------------------------

DIALECTS = ["es-6.8", "es-7.13", "es-7.17", "es-8.15", "es-9.1", "os-1.3", "os-2.11"]
NIGHTLY = 6


def client_scenario() -> Scenario:
    """One cluster per dialect, each with its own repository ``backups`` written by itself:
    a PARTIAL manual snapshot with metadata and a shard failure, and six SLM nightlies."""
    clusters: list[dict[str, Any]] = []
    repositories: list[dict[str, Any]] = []
    for dialect in DIALECTS:
        clusters.append(
            {
                "name": dialect,
                "dialect": dialect,
                "indices": [{"name": "logs", "docs": 10, "size": "10kb", "shards": 2}],
                "repositories": [{"name": "backups", "path": f"repos/{dialect}"}],
            }
        )
        repositories.append(
            {
                "path": f"repos/{dialect}",
                "snapshots": [
                    {
                        "name": "manual-1",
                        "start": "2026-01-10T08:00:00Z",
                        "duration": "2m",
                        "state": "PARTIAL",
                        "indices": [{"name": "logs", "shards": 2}],
                        "metadata": {"taken_by": "ops"},
                        "failures": [{"index": "logs", "shard": 1, "reason": "disk full"}],
                    },
                    {
                        "generate": {
                            "count": NIGHTLY,
                            "name": "nightly",
                            "policy": "nightly",
                            "every": "1d",
                            "start": "2026-01-01T01:30:00Z",
                            "indices": ["logs"],
                        }
                    },
                ],
            }
        )
    clusters.append(
        {
            "name": "secure",
            "dialect": "es-8.15",
            "credentials": {"username": "elastic", "password": SECRET},
        }
    )
    return Scenario.from_dict(
        {"seed": 5, "now": "2026-01-15T12:00:00Z", "clusters": clusters,
         "repositories": repositories}
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def clusters() -> AsyncIterator[Sandbox]:
    """Started once for this module: the tests only read from it."""
    async with Sandbox(client_scenario(), fixed_clock=True) as running:
        yield running


def config_for(sandbox: Sandbox, name: str, **extra: Any) -> ClusterConfig:
    return ClusterConfig(name=name, urls=[sandbox.clusters[name].url], **extra)


def is_paged_by_server(dialect: str) -> bool:
    return dialect.startswith("es-") and dialect not in ("es-6.8", "es-7.13")


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_dialect_is_detected(clusters: Sandbox, dialect: str) -> None:
    expected = clusters.clusters[dialect].version
    async with ClusterClient(config_for(clusters, dialect)) as client:
        info = await client.connect()
        health = await client.health()
    opensearch = dialect.startswith("os-")
    assert info.product is (Product.OPENSEARCH if opensearch else Product.ELASTICSEARCH)
    assert info.version == expected and info.version.product is info.product
    assert info.build_flavor == (None if opensearch else "default")
    assert info.minimum_index_compatibility is not None
    assert info.label.startswith("OpenSearch " if opensearch else "Elasticsearch ")
    assert client.capabilities is not None
    assert client.capabilities.server_pagination is is_paged_by_server(dialect)
    assert health.status in ("green", "yellow") and health.number_of_nodes


async def walk(client: ClusterClient, **options: Any) -> tuple[list[SnapshotSummary], list[Any]]:
    items: list[SnapshotSummary] = []
    pages = []
    after = None
    while True:
        page = await client.snapshots_page("backups", after=after, **options)
        pages.append(page)
        items.extend(page.items)
        after = page.next
        if after is None:
            return items, pages


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_dialect_pages_snapshots_newest_first(clusters: Sandbox, dialect: str) -> None:
    async with ClusterClient(config_for(clusters, dialect)) as client:
        items, pages = await walk(client, size=3)
    names = [item.name for item in items]
    assert len(names) == len(set(names)) == NIGHTLY + 1
    starts = [item.start_time_ms for item in items]
    assert all(start is not None for start in starts)
    assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    assert names[0] == "manual-1"  # 2026-01-10 is newer than every nightly
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert all(page.server_paged is is_paged_by_server(dialect) for page in pages)
    product = Product.OPENSEARCH if dialect.startswith("os-") else Product.ELASTICSEARCH
    for item in items:
        assert item.repository == "backups"
        assert item.version is not None and item.version.product is product
        assert item.indices_count == 1
    assert pages[0].total in (None, NIGHTLY + 1)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_dialect_filters_by_state_and_sorts_by_name(
    clusters: Sandbox, dialect: str
) -> None:
    async with ClusterClient(config_for(clusters, dialect)) as client:
        partial, _ = await walk(client, size=2, state="PARTIAL")
        by_name, _ = await walk(client, size=4, sort="name", order="asc")
    assert [item.name for item in partial] == ["manual-1"]
    assert [item.name for item in by_name] == sorted(item.name for item in by_name)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_dialect_gives_snapshot_detail(clusters: Sandbox, dialect: str) -> None:
    async with ClusterClient(config_for(clusters, dialect)) as client:
        detail = await client.snapshot("backups", "manual-1")
        nightly = (await client.snapshots_page("backups", size=1)).items
        caps = client.capabilities
    assert caps is not None
    assert detail.name == "manual-1" and detail.state is SnapshotState.PARTIAL
    assert detail.indices == ["logs"]
    assert detail.duration_ms == 120_000
    assert [(f.index, f.shard_id) for f in detail.failures] == [("logs", 1)]
    assert detail.total_shards == 2 and detail.failed_shards == 1
    if caps.snapshot_metadata:
        assert detail.metadata == {"taken_by": "ops"}
    if caps.index_details:
        assert detail.index_details["logs"].shard_count == 2
    else:
        assert detail.index_details == {}
    assert nightly and nightly[0].name == "manual-1"
    async with ClusterClient(config_for(clusters, dialect)) as client:
        nightlies, _ = await walk(client, size=10, state="SUCCESS")
    if caps.snapshot_metadata:
        assert {item.slm_policy for item in nightlies} == {"nightly"}


async def test_old_cluster_with_many_snapshots_pages_the_cheap_listing(clusters: Sandbox) -> None:
    """Above the full-fetch limit a 6.8 list comes from verbose=false (names only, so name
    order stands in for time and the page says so); details are fetched for each page only."""
    config = config_for(clusters, "es-6.8")
    async with ClusterClient(config, full_fetch_limit=0) as cheap:
        cheap_items, pages = await walk(cheap, size=3)
    async with ClusterClient(config) as full:
        full_items, full_pages = await walk(full, size=3)
    assert [(p.server_paged, p.sorted_exactly) for p in pages] == [(False, False)] * 3
    assert all(p.sorted_exactly for p in full_pages)
    names = [item.name for item in cheap_items]
    assert names == sorted(names, reverse=True)
    by_name = {item.name: item for item in full_items}
    assert set(names) == set(by_name)
    for item in cheap_items:  # the page's details came from a verbose fetch
        assert item.start_time_ms == by_name[item.name].start_time_ms is not None
        assert item.version == by_name[item.name].version is not None


async def test_missing_repository_and_snapshot_are_http_errors(clusters: Sandbox) -> None:
    async with ClusterClient(config_for(clusters, "es-9.1")) as client:
        with pytest.raises(HttpError) as repo:
            await client.snapshots_page("nope")
        with pytest.raises(HttpError) as snapshot:
            await client.snapshot("backups", "no-such-snapshot")
    assert repo.value.status == 404 and repo.value.error_type == "repository_missing_exception"
    assert snapshot.value.status == 404
    assert snapshot.value.error_type == "snapshot_missing_exception"
    assert "\n" not in str(repo.value)


@pytest.mark.parametrize("dialect", ["es-6.8", "es-9.1", "os-2.11"])
async def test_indices_and_created_version(clusters: Sandbox, dialect: str) -> None:
    async with ClusterClient(config_for(clusters, dialect)) as client:
        indices = await client.indices()
        settings = await client.index_settings("logs")
    logs = next(index for index in indices if index.name == "logs")
    assert logs.primary_shards == 2 and logs.status == "open" and logs.docs_count == 10
    created = decode_version_id(settings["index.version.created"])
    assert clusters.clusters[dialect].version in created


async def test_fs_repository_readable_here_opens_offline(clusters: Sandbox) -> None:
    config = config_for(clusters, "es-7.13")
    async with ClusterClient(config) as client:
        (repo,) = await client.repositories()
        live, _ = await walk(client, size=50)
    assert repo.name == "backups" and repo.type == "fs"
    reader = open_local_reader(repo, config)
    assert reader is not None
    assert {s.name for s in reader.snapshots()} == {s.name for s in live}


async def test_basic_auth(clusters: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESNAP_TEST_SECURE_PASSWORD", SECRET)
    monkeypatch.setenv("ESNAP_TEST_WRONG_PASSWORD", "not-the-password")
    good = config_for(clusters, "secure", username="elastic",
                      password_env="ESNAP_TEST_SECURE_PASSWORD")
    wrong = config_for(clusters, "secure", username="elastic",
                       password_env="ESNAP_TEST_WRONG_PASSWORD")
    async with ClusterClient(good) as client:
        assert (await client.connect()).version == clusters.clusters["secure"].version
    failure = await failure_of(wrong)
    url = clusters.clusters["secure"].url
    assert failure.kind == "unauthorized"
    assert str(failure) == (
        f"401 unauthorized at {url}: check username and password_env ESNAP_TEST_WRONG_PASSWORD"
    )
    assert "not-the-password" not in str(failure)
    anonymous = await failure_of(config_for(clusters, "secure"))
    assert anonymous.kind == "unauthorized" and "needs credentials" in str(anonymous)


async def test_each_broken_endpoint_gets_its_own_state_while_others_work(
    clusters: Sandbox,
) -> None:
    """Acceptance (issue 4): 6.8, 7.13 and OpenSearch list fine next to a stopped cluster, a
    401 and a web server that is not Elasticsearch; each failure has its own kind."""

    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<h1>Welcome to nginx!</h1>", content_type="text/html")

    async with web_server(html) as nginx:
        configs = [
            config_for(clusters, "es-6.8"),
            config_for(clusters, "es-7.13"),
            config_for(clusters, "os-2.11"),
            cluster("stopped", f"http://127.0.0.1:{unused_port()}"),
            config_for(clusters, "secure"),
            cluster("nginx", nginx),
        ]

        async def state(config: ClusterConfig) -> str:
            async with ClusterClient(config, retry_backoff=(0.01, 0.02)) as client:
                try:
                    await client.connect()
                    page = await client.snapshots_page("backups", size=2)
                except ClusterUnavailable as failure:
                    return failure.kind
                return f"ok:{len(page.items)}"

        states = await asyncio.gather(*(state(c) for c in configs))
    assert dict(zip([c.name for c in configs], states, strict=True)) == {
        "es-6.8": "ok:2",
        "es-7.13": "ok:2",
        "os-2.11": "ok:2",
        "stopped": "refused",
        "secure": "unauthorized",
        "nginx": "not-elasticsearch",
    }
