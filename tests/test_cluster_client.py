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

import pytest
from aiohttp import web

from esnap_tui.cluster import (
    ClusterClient,
    ClusterUnavailable,
    local_repository_path,
)
from esnap_tui.cluster.models import RepositoryInfo
from esnap_tui.config import ClusterConfig

SECRET = "s3cret-Pa55word"


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


async def test_server_that_never_answers_times_out() -> None:
    async with silent_server() as url:
        failure = await failure_of(cluster("hung", url), request_timeout=0.2, read_retries=1)
    assert failure.kind == "timeout"
    assert str(failure) == f"timeout: no answer from {url} within 0.2s"


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
    assert str(write.value) == f"HTTP 503 from POST /_snapshot/r/s/_restore at {url}: busy"


# --- local repository path ------------------------------------------------------------------


def test_local_path_prefers_config_mapping_then_existing_fs_location(tmp_path) -> None:
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
