"""``esnap repo inspect PATH``: look inside a snapshot repository with no cluster.

Prints the snapshots as an aligned table (or one snapshot's indices with ``--snapshot``), or
the same facts as JSON with ``--json``. A damaged or unreadable repository exits 2 with one
line on stderr naming the file and the problem; warnings go to stderr and never change the
exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from esnap_tui.models import IndexInSnapshot, SnapshotDetail, SnapshotSummary
from esnap_tui.repository.errors import RepositoryError
from esnap_tui.repository.reader import RepositoryReader
from esnap_tui.versions import Product, VersionRange

# Catalogues before 7.14 carry no times (before 7.6 no version): for a repository this small
# the table reads each snapshot's own blob to fill them in; above it, it stays catalogue-only.
FILL_LIMIT = 200


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    repo = subparsers.add_parser("repo", help="offline snapshot repositories (no cluster)")
    actions = repo.add_subparsers(dest="repo_command", metavar="ACTION", required=True)
    inspect = actions.add_parser(
        "inspect",
        help="list the snapshots of a repository directory, or one snapshot's indices",
        description="List the snapshots of a repository directory, or one snapshot's indices.",
    )
    inspect.add_argument("path", metavar="PATH", help="the repository directory (fs location)")
    inspect.add_argument("--snapshot", metavar="NAME", help="show this snapshot's indices")
    inspect.add_argument("--json", action="store_true", help="print JSON on stdout")
    inspect.add_argument(
        "--catalogue-only",
        action="store_true",
        help="never open snapshot blobs to fill in times missing from old catalogues",
    )
    inspect.set_defaults(func=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    try:
        reader = RepositoryReader(args.path)
        if args.snapshot:
            detail = reader.snapshot(args.snapshot)
            indices = reader.indices(args.snapshot)
            payload = _snapshot_json(reader, detail, indices)
            text = None if args.json else _snapshot_text(detail, indices)
        else:
            rows = reader.snapshots()
            if not args.catalogue_only and _needs_fill(rows):
                for row in rows:
                    reader.snapshot(row.name)
                rows = reader.snapshots()
            payload = _listing_json(reader, rows)
            text = None if args.json else _listing_text(rows)
    except RepositoryError as error:
        print(f"esnap: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a path we may not read, outside the store's own checks
        print(f"esnap: {args.path}: {error.strerror or error}", file=sys.stderr)
        return 2
    _print_warnings(reader.warnings, sys.stderr)
    try:
        if args.json:
            json.dump(payload, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(text or "")
        sys.stdout.flush()
    except BrokenPipeError:  # `esnap repo inspect ... | head`: the reader left, that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def _needs_fill(rows: list[SnapshotSummary]) -> bool:
    missing = sum(1 for r in rows if r.start_time_ms is None or r.version is None)
    return missing > 0 and len(rows) <= FILL_LIMIT


# -- text ------------------------------------------------------------------------------------


def _listing_text(rows: list[SnapshotSummary]) -> str:
    if not rows:
        return "no snapshots\n"
    table = [["SNAPSHOT", "STATE", "VERSION", "START (UTC)", "DURATION", "INDICES"]]
    for row in rows:
        table.append(
            [
                row.name,
                str(row.state) if row.state else "-",
                _version(row.version),
                _time(row.start_time_ms),
                _duration(row.duration_ms),
                str(row.indices_count) if row.indices_count is not None else "-",
            ]
        )
    return _table(table, right={4, 5})


def _snapshot_text(detail: SnapshotDetail, indices: list[IndexInSnapshot]) -> str:
    lines = [
        f"snapshot   {detail.name} ({detail.uuid})",
        f"state      {detail.state or '-'}",
        f"version    {_version(detail.version)}",
        f"start      {_time(detail.start_time_ms)} UTC   duration {_duration(detail.duration_ms)}",
        f"shards     {detail.successful_shards}/{detail.total_shards} successful",
    ]
    if detail.include_global_state is not None:
        lines.append(f"global     {'included' if detail.include_global_state else 'not included'}")
    if detail.slm_policy:
        lines.append(f"policy     {detail.slm_policy}")
    if detail.reason:
        lines.append(f"reason     {detail.reason}")
    lines.append(f"streams    {', '.join(detail.data_streams) or '-'}")
    features = [
        f"{f.feature_name} ({', '.join(f.indices)})" if f.indices else f.feature_name
        for f in detail.feature_states
    ]
    lines.append(f"features   {', '.join(features) or '-'}")
    for failure in detail.failures:
        lines.append(f"failure    {failure.index}[{failure.shard_id}]: {failure.reason}")
    lines.append("")
    table = [["INDEX", "CREATED", "SHARDS", "STATE", "UUID", "DATA STREAM"]]
    for index in indices:
        created = _version(index.created) if index.created else "unknown"
        table.append(
            [
                index.name + (" (system)" if index.system else ""),
                created,
                str(index.primary_shards) if index.primary_shards is not None else "-",
                index.state or "-",
                index.uuid or "-",
                index.data_stream or "-",
            ]
        )
    return "\n".join(lines) + "\n" + _table(table, right={2})


def _table(rows: list[list[str]], *, right: set[int]) -> str:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(widths[c]) if c in right else cell.ljust(widths[c])
            for c, cell in enumerate(row)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def _version(version: VersionRange | None) -> str:
    if version is None:
        return "-"
    if version.product is Product.OPENSEARCH:
        return f"OpenSearch {version}"
    return str(version)


def _time(ms: int | None) -> str:
    if ms is None or ms <= 0:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def _print_warnings(warnings: list[str], stream: TextIO) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=stream)


# -- JSON ------------------------------------------------------------------------------------


def _summary_json(row: SnapshotSummary) -> dict[str, Any]:
    return {
        "name": row.name,
        "uuid": row.uuid,
        "state": str(row.state) if row.state else None,
        "version": str(row.version) if row.version else None,
        "product": str(row.version.product) if row.version else None,
        "start_time_ms": row.start_time_ms,
        "end_time_ms": row.end_time_ms,
        "duration_ms": row.duration_ms,
        "indices_count": row.indices_count,
        "slm_policy": row.slm_policy,
    }


def _repository_json(reader: RepositoryReader) -> dict[str, Any]:
    catalogue = reader.catalogue
    return {
        "name": reader.name,
        "generation": reader.generation,
        "uuid": catalogue.uuid,
        "cluster_id": catalogue.cluster_id,
        "min_version": catalogue.min_version,
    }


def _listing_json(reader: RepositoryReader, rows: list[SnapshotSummary]) -> dict[str, Any]:
    return {
        "repository": _repository_json(reader),
        "snapshots": [_summary_json(row) for row in rows],
        "warnings": list(reader.warnings),
    }


def _snapshot_json(
    reader: RepositoryReader, detail: SnapshotDetail, indices: list[IndexInSnapshot]
) -> dict[str, Any]:
    snapshot = _summary_json(detail)
    snapshot.update(
        {
            "data_streams": detail.data_streams,
            "feature_states": [
                {"feature_name": f.feature_name, "indices": list(f.indices)}
                for f in detail.feature_states
            ],
            "include_global_state": detail.include_global_state,
            "metadata": detail.metadata,
            "reason": detail.reason,
            "total_shards": detail.total_shards,
            "successful_shards": detail.successful_shards,
            "failed_shards": detail.failed_shards,
            "failures": [
                {
                    "index": f.index,
                    "shard_id": f.shard_id,
                    "reason": f.reason,
                    "node_id": f.node_id,
                    "status": f.status,
                }
                for f in detail.failures
            ],
        }
    )
    return {
        "repository": _repository_json(reader),
        "snapshot": snapshot,
        "indices": [_index_json(i) for i in indices],
        "warnings": list(reader.warnings),
    }


def _index_json(index: IndexInSnapshot) -> dict[str, Any]:
    return {
        "name": index.name,
        "index_id": index.index_id,
        "uuid": index.uuid,
        "created": str(index.created) if index.created else None,
        "created_product": str(index.created.product) if index.created else None,
        "created_exact": index.created.exact if index.created else None,
        "created_source": str(index.created_source),
        "compatibility_version": (
            str(index.compatibility_version) if index.compatibility_version else None
        ),
        "primary_shards": index.primary_shards,
        "state": index.state,
        "aliases": index.aliases,
        "data_stream": index.data_stream,
        "system": index.system,
        "settings": index.settings,
    }
