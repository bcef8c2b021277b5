"""``esnap show --cluster C --repo R --snapshot S``: one snapshot's detail, as the app's
detail pane shows it (or as JSON for scripts)."""

from __future__ import annotations

import argparse
import asyncio

from esnap_tui.cli.ls import (
    add_config_option,
    error,
    find_offline,
    format_duration,
    format_time,
    open_config,
    print_json,
    print_table,
)
from esnap_tui.cluster import ClusterClient, ClusterUnavailable
from esnap_tui.config import EsnapConfig
from esnap_tui.models import SnapshotDetail


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "show",
        help="show one snapshot",
        description="Show a snapshot: summary, indices, data streams, feature states, failures.",
    )
    parser.add_argument("--cluster", metavar="C", help="cluster name (omit for an offline repo)")
    parser.add_argument("--repo", metavar="R", required=True, help="repository name")
    parser.add_argument("--snapshot", metavar="S", required=True, help="snapshot name")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_config_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    async with open_config(args) as config:
        if config is None:
            return 1
        try:
            detail = await fetch_detail(config, args.cluster, args.repo, args.snapshot)
        except KeyError as missing:
            error(str(missing.args[0]))
            return 2
        except ClusterUnavailable as failure:
            error(f"{args.cluster}: {failure}")
            return 1
        except Exception as failure:
            from esnap_tui.repository import RepositoryError

            if not isinstance(failure, RepositoryError | OSError):
                raise
            error(f"{args.repo}: {failure}")
            return 1
        if args.json:
            print_json(detail)
        else:
            print_detail(detail)
        return 0


async def fetch_detail(
    config: EsnapConfig, cluster_name: str | None, repo: str, snapshot: str
) -> SnapshotDetail:
    if cluster_name is None:
        offline = find_offline(config, repo)
        if offline is None:
            raise KeyError(
                f"--cluster is required unless --repo names an offline repository "
                f"({repo!r} does not)"
            )
        from esnap_tui.repository import RepositoryReader, SnapshotNotFoundError

        try:
            return RepositoryReader(offline.path, name=offline.name).snapshot(snapshot)
        except SnapshotNotFoundError:
            raise KeyError(f"no snapshot {snapshot!r} in offline repository {repo!r}") from None
    client = ClusterClient(config.cluster(cluster_name))
    try:
        return await client.snapshot(repo, snapshot)
    finally:
        await client.close()


def print_detail(detail: SnapshotDetail) -> None:
    shards = (
        f"{detail.successful_shards}/{detail.total_shards} successful"
        if detail.total_shards is not None
        else None
    )
    if detail.failed_shards:
        shards = f"{shards}, {detail.failed_shards} failed"
    fields = [
        ("snapshot", detail.name),
        ("uuid", detail.uuid),
        ("repository", detail.repository),
        ("state", detail.state.value if detail.state else None),
        ("version", str(detail.version) if detail.version else None),
        ("start (UTC)", format_time(detail.start_time_ms)),
        ("end (UTC)", format_time(detail.end_time_ms)),
        ("duration", format_duration(detail.duration_ms)),
        ("shards", shards),
        ("global state", None if detail.include_global_state is None
            else "included" if detail.include_global_state else "not included"),
        ("SLM policy", detail.slm_policy),
        ("reason", detail.reason),
    ]
    width = max(len(label) for label, _ in fields)
    for label, value in fields:
        if value is not None:
            print(f"{label.ljust(width)}  {value}")
    if detail.metadata:
        print(f"{'metadata'.ljust(width)}  {detail.metadata}")
    print()
    print(f"indices ({len(detail.indices)})")
    if detail.index_details:
        rows = []
        for name in detail.indices:
            info = detail.index_details.get(name)
            rows.append(
                (
                    "  " + name,
                    info.shard_count if info else None,
                    info.size_in_bytes if info else None,
                )
            )
        print_table(("  INDEX", "SHARDS", "BYTES"), rows)
    else:
        for name in detail.indices:
            print(f"  {name}")
    if detail.data_streams:
        print(f"\ndata streams ({len(detail.data_streams)})")
        for name in detail.data_streams:
            print(f"  {name}")
    if detail.feature_states:
        print(f"\nfeature states ({len(detail.feature_states)})")
        for state in detail.feature_states:
            print(f"  {state.feature_name}: {', '.join(state.indices) or '-'}")
    if detail.failures:
        print(f"\nshard failures ({len(detail.failures)})")
        for failure in detail.failures:
            print(f"  {failure.index}[{failure.shard_id}] {failure.status or ''} {failure.reason}")
