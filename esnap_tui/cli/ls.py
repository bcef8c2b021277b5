"""``esnap ls clusters|repos|snapshots``: the browsing panes, for scripts.

Every unreachable cluster gets its own line (kind and reason) and never hides the others;
the exit status is 1 when any requested source failed, so scripts notice. ``--json`` prints
the same models the app shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from esnap_tui.cluster import (
    ClusterClient,
    ClusterUnavailable,
    RepositoryInfo,
    local_repository_path,
)
from esnap_tui.config import ConfigError, EsnapConfig, OfflineRepositoryConfig, load_config
from esnap_tui.models import SnapshotSummary
from esnap_tui.versions import Product, Version, VersionRange

PAGE_SIZE = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ls",
        help="list clusters, repositories or snapshots",
        description="List configured clusters (with health), repositories or snapshots.",
    )
    parser.add_argument("what", choices=("clusters", "repos", "snapshots"))
    parser.add_argument("--cluster", metavar="C", help="cluster name from the config")
    parser.add_argument(
        "--repo", metavar="R", help="repository (on --cluster, or an offline repository name)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_config_option(parser)
    parser.add_argument("--limit", type=int, metavar="N", help="at most N snapshots")
    parser.add_argument(
        "--sort",
        default="start_time",
        choices=("start_time", "name", "duration", "index_count"),
        help="snapshot order (default start_time)",
    )
    parser.add_argument("--order", default="desc", choices=("asc", "desc"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    async with open_config(args) as config:
        if config is None:
            return 1
        if args.what == "clusters":
            return await list_clusters(config, as_json=args.json)
        if args.what == "repos":
            return await list_repositories(config, args.cluster, as_json=args.json)
        if not args.repo:
            print("esnap ls snapshots: --repo is required", file=sys.stderr)
            return 2
        return await list_snapshots(
            config,
            args.cluster,
            args.repo,
            as_json=args.json,
            limit=args.limit,
            sort=args.sort,
            order=args.order,
        )


# --- shared with `esnap show` -------------------------------------------------------------


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """``--config`` accepted after the subcommand too; SUPPRESS keeps the global value when it
    is absent here, so ``esnap --config X ls`` and ``esnap ls --config X`` mean the same."""
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="clusters.yaml to use"
    )


@contextlib.asynccontextmanager
async def open_config(args: argparse.Namespace) -> AsyncIterator[EsnapConfig | None]:
    """The config of ``--config`` (or XDG), or with ``--demo`` the in-process demo sandbox's.
    Yields None after printing the error when the file is bad."""
    if getattr(args, "demo", False):
        from esnap_tui.sandbox import Sandbox, load_scenario

        async with Sandbox(load_scenario("demo"), fixed_clock=True) as sandbox:
            with tempfile.TemporaryDirectory(prefix="esnap-demo-") as folder:
                path = Path(folder) / "clusters.yaml"
                sandbox.write_config(path)
                os.environ.update(sandbox.secrets())  # the config names these variables
                yield load_config(path)
        return
    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as error:
        print(f"esnap: {error}", file=sys.stderr)
        yield None
        return
    yield config


def jsonable(value: Any) -> Any:
    """Models -> JSON values: versions as their release strings, enums as values."""
    if isinstance(value, Version | VersionRange):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, SnapshotSummary):
            result["duration_ms"] = value.duration_ms
        return result
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[("-" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))
    # the last column is free text (URLs, reasons): never padded
    for line in [list(headers), *cells]:
        parts = [cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])] + [line[-1]]
        print("  ".join(parts).rstrip())


def format_time(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_duration(ms: int | None) -> str | None:
    if ms is None:
        return None
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def find_offline(config: EsnapConfig, name: str) -> OfflineRepositoryConfig | None:
    return next((repo for repo in config.offline if repo.name == name), None)


def error(message: str) -> None:
    print(f"esnap: {message}", file=sys.stderr)


# --- clusters -------------------------------------------------------------------------------


async def _cluster_row(client: ClusterClient) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": client.name,
        "url": client.where,
        "status": "ok",
        "product": None,
        "version": None,
        "build_flavor": None,
        "cluster_name": None,
        "health": None,
        "nodes": None,
        "error": None,
        "read_only": client.config.read_only,
        "protected": client.config.protected,
    }
    try:
        info = await client.connect()
        row.update(
            product="OpenSearch" if info.product is Product.OPENSEARCH else "Elasticsearch",
            version=str(info.version),
            build_flavor=info.build_flavor,
            cluster_name=info.cluster_name,
        )
        health = await client.health()
        row.update(health=health.status, nodes=health.number_of_nodes)
    except ClusterUnavailable as failure:
        row.update(status=failure.kind, error=str(failure))
    finally:
        await client.close()
    return row


async def list_clusters(config: EsnapConfig, *, as_json: bool) -> int:
    clients = [ClusterClient(cluster) for cluster in config.clusters]
    rows = await asyncio.gather(*(_cluster_row(client) for client in clients))
    offline = [{"name": o.name, "path": o.path} for o in config.offline]
    if as_json:
        print_json({"clusters": rows, "offline": offline})
        return 0
    if not rows and not offline:
        where = config.path or "the config file"
        print(f"no clusters configured (add them to {where}; see `esnap --help`)")
        return 0
    print_table(
        ("NAME", "STATUS", "PRODUCT", "VERSION", "HEALTH", "URL / REASON"),
        [
            (
                r["name"],
                r["status"],
                r["product"],
                r["version"],
                r["health"],
                r["url"] if r["error"] is None else r["error"],
            )
            for r in rows
        ]
        + [(o["name"], "offline", None, None, None, o["path"]) for o in offline],
    )
    return 0


# --- repositories ---------------------------------------------------------------------------


def _repo_row(cluster: str | None, repo: RepositoryInfo, local: Path | None) -> dict[str, Any]:
    return {
        "cluster": cluster,
        "name": repo.name,
        "type": repo.type,
        "location": repo.location,
        "readonly": repo.readonly,
        "uuid": repo.uuid,
        "local_path": str(local) if local else None,
    }


async def list_repositories(config: EsnapConfig, cluster_name: str | None, *, as_json: bool) -> int:
    if cluster_name is not None:
        try:
            clusters = [config.cluster(cluster_name)]
        except KeyError as missing:
            error(str(missing.args[0]))
            return 2
    else:
        clusters = list(config.clusters)

    async def one(cluster_config: Any) -> tuple[list[dict[str, Any]], str | None]:
        client = ClusterClient(cluster_config)
        try:
            repos = await client.repositories()
        except ClusterUnavailable as failure:
            return [], f"{cluster_config.name}: {failure}"
        finally:
            await client.close()
        return [
            _repo_row(cluster_config.name, r, local_repository_path(r, cluster_config))
            for r in repos
        ], None

    results = await asyncio.gather(*(one(c) for c in clusters))
    rows = [row for found, _ in results for row in found]
    failures = [failure for _, failure in results if failure]
    if cluster_name is None:
        for offline in config.offline:
            rows.append(
                {
                    "cluster": None,
                    "name": offline.name,
                    "type": "offline",
                    "location": offline.path,
                    "readonly": True,
                    "uuid": None,
                    "local_path": offline.path,
                }
            )
    if as_json:
        print_json({"repositories": rows, "errors": failures})
    else:
        print_table(
            ("CLUSTER", "REPOSITORY", "TYPE", "LOCATION"),
            [
                (r["cluster"] or "(offline)", r["name"], r["type"], r["location"] or "")
                for r in rows
            ],
        )
    for failure in failures:
        error(failure)
    return 1 if failures else 0


# --- snapshots ------------------------------------------------------------------------------


def _offline_snapshots(path: str, name: str) -> list[SnapshotSummary]:
    from esnap_tui.repository import RepositoryReader

    return RepositoryReader(path, name=name).snapshots()


def _sort_offline(
    items: list[SnapshotSummary], sort: str, order: str
) -> list[SnapshotSummary]:
    def key(item: SnapshotSummary) -> tuple[Any, ...]:
        value = {
            "start_time": item.start_time_ms,
            "duration": item.duration_ms,
            "index_count": item.indices_count,
        }.get(sort)
        return (value if value is not None else -1, item.name) if sort != "name" else (item.name,)

    return sorted(items, key=key, reverse=order == "desc")


async def fetch_snapshots(
    config: EsnapConfig,
    cluster_name: str | None,
    repo: str,
    *,
    limit: int | None,
    sort: str,
    order: str,
) -> list[SnapshotSummary]:
    """Snapshots of a live repository (paged through) or of an offline one.
    Raises KeyError (unknown names), ClusterUnavailable, or a repository error."""
    if cluster_name is None:
        offline = find_offline(config, repo)
        if offline is None:
            raise KeyError(
                f"--cluster is required unless --repo names an offline repository "
                f"({repo!r} does not)"
            )
        items = _sort_offline(_offline_snapshots(offline.path, offline.name), sort, order)
        return items[:limit] if limit is not None else items
    client = ClusterClient(config.cluster(cluster_name))
    items: list[SnapshotSummary] = []
    try:
        after: str | None = None
        while limit is None or len(items) < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(items))
            page = await client.snapshots_page(
                repo, size=size, after=after, sort=sort, order=order
            )
            items.extend(page.items)
            after = page.next
            if after is None:
                break
    finally:
        await client.close()
    return items


async def list_snapshots(
    config: EsnapConfig,
    cluster_name: str | None,
    repo: str,
    *,
    as_json: bool,
    limit: int | None = None,
    sort: str = "start_time",
    order: str = "desc",
) -> int:
    try:
        items = await fetch_snapshots(
            config, cluster_name, repo, limit=limit, sort=sort, order=order
        )
    except KeyError as missing:
        error(str(missing.args[0]))
        return 2
    except ClusterUnavailable as failure:
        error(f"{cluster_name}: {failure}")
        return 1
    except Exception as failure:  # an offline repository that cannot be read
        from esnap_tui.repository import RepositoryError

        if not isinstance(failure, RepositoryError | OSError):
            raise
        error(f"{repo}: {failure}")
        return 1
    if as_json:
        print_json(items)
        return 0
    print_table(
        ("SNAPSHOT", "STATE", "VERSION", "START (UTC)", "DURATION", "INDICES", "POLICY"),
        [
            (
                s.name,
                s.state.value if s.state else None,
                str(s.version) if s.version else None,
                format_time(s.start_time_ms),
                format_duration(s.duration_ms),
                s.indices_count,
                s.slm_policy,
            )
            for s in items
        ],
    )
    return 0
