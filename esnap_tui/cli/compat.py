"""``esnap compat``: will this snapshot restore into that cluster, index by index?

Source (one of):
  ``--repo-path DIR``            a repository folder, read offline (created versions exact);
  ``--cluster C --repo R``       a configured cluster's repository: its files when this machine
                                 can read them, else the REST API plus the source cluster's
                                 live index settings and provable bounds (``--no-local-files``
                                 forces the latter, to see what the cluster alone tells).
Target (one of):
  ``--target T``                 a configured cluster: version and licence read from it;
  ``--target-version V``         a typed version ("8.15.0", "opensearch-2.11.0"), with an
                                 optional ``--license L``.

Exit status: 0 when the snapshot and every index are plainly compatible; 3 when any is not,
which includes "read-only archive" (restorable, but not as a normal index) and "unknown" (it
may be incompatible, and a script must not assume otherwise); 1 when a cluster cannot be
reached or a repository/snapshot cannot be read (one line on stderr); 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from esnap_tui.cli.ls import add_config_option
from esnap_tui.compat import CompatReport, Rates, TargetCluster, Verdict
from esnap_tui.compat.gather import (
    GatherError,
    SnapshotFacts,
    gather_live,
    gather_offline,
    parse_target_version,
    target_from_cluster,
)
from esnap_tui.compat.model import IndexVerdict
from esnap_tui.versions import VersionRange

EXIT_COMPATIBLE = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_COMPATIBLE = 3

__all__ = ["parse_target_version", "register", "render_report", "report_to_dict", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compat",
        help="check whether a snapshot restores into a target cluster or version",
        description=(
            "Check a snapshot, index by index, against a target cluster or version. Exit 0 "
            "when everything is compatible, 3 when some index is not (or may not be), 1 when "
            "a cluster or repository cannot be read, 2 for bad arguments."
        ),
    )
    source = parser.add_argument_group("source (--repo-path, or --cluster with --repo)")
    source.add_argument("--repo-path", metavar="DIR", help="repository folder, read offline")
    source.add_argument("--cluster", metavar="C", help="source cluster name from the config")
    source.add_argument("--repo", metavar="R", help="repository registered on --cluster")
    source.add_argument(
        "--no-local-files",
        action="store_true",
        help="with --cluster: ignore the repository's files even if readable here",
    )
    parser.add_argument("--snapshot", metavar="S", required=True, help="snapshot name")
    target = parser.add_argument_group("target (--target or --target-version)")
    target.add_argument("--target", metavar="T", help="target cluster name from the config")
    target.add_argument(
        "--target-version",
        metavar="V",
        help='target version, e.g. "8.15.0" or "opensearch-2.11.0"',
    )
    target.add_argument(
        "--license",
        metavar="L",
        help="with --target-version: licence (basic, trial, gold, platinum, enterprise)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_config_option(parser)
    parser.add_argument(
        "--restore-rate-mib", type=float, metavar="N", help="assumed restore MiB/s (default 40)"
    )
    parser.add_argument(
        "--reindex-docs-per-second",
        type=float,
        metavar="N",
        help="assumed reindex-from-remote documents/s (default 2000)",
    )
    parser.set_defaults(func=run)


class _Usage(ValueError):
    """Bad arguments: exit 2 with this one line."""


class _Failed(Exception):
    """A source or target cannot be read: exit 1 with this one line."""


def _validate(args: argparse.Namespace) -> None:
    if args.repo_path and (args.cluster or args.repo):
        raise _Usage("give either --repo-path or --cluster with --repo, not both")
    if not args.repo_path and not (args.cluster and args.repo):
        raise _Usage("a source is needed: --repo-path DIR, or --cluster C with --repo R")
    if args.no_local_files and not args.cluster:
        raise _Usage("--no-local-files goes with --cluster")
    if bool(args.target) == bool(args.target_version):
        raise _Usage("a target is needed: --target T (a configured cluster) or --target-version V")
    if args.license and args.target:
        raise _Usage("--license goes with --target-version (a live target reports its own)")


def run(args: argparse.Namespace) -> int:
    try:
        _validate(args)
        rates = _rates(args)
        typed = None
        if args.target_version:
            typed = TargetCluster(parse_target_version(args.target_version), args.license)
    except ValueError as problem:
        print(f"esnap compat: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        facts, target = asyncio.run(_gather(args, typed))
    except _Usage as problem:
        print(f"esnap compat: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except _Failed as problem:
        print(f"esnap compat: {problem}", file=sys.stderr)
        return EXIT_FAILED
    report = facts.check(target, rates=rates)
    if args.json:
        print(json.dumps(report_to_dict(report, args.snapshot, facts), indent=2))
    else:
        print(render_report(report, args.snapshot, facts))
    return EXIT_COMPATIBLE if report.all_compatible else EXIT_NOT_COMPATIBLE


async def _gather(
    args: argparse.Namespace, typed: TargetCluster | None
) -> tuple[SnapshotFacts, TargetCluster]:
    """Read the source and the target; every failure becomes ``_Failed``/``_Usage``."""
    from esnap_tui.cluster import ClusterClient, ClusterUnavailable
    from esnap_tui.config import ConfigError, EsnapConfig, load_config

    config: EsnapConfig | None = None
    if args.cluster or args.target:
        try:
            config = load_config(getattr(args, "config", None))
        except ConfigError as error:
            raise _Failed(str(error)) from None

    def cluster_config(name: str, option: str) -> Any:
        assert config is not None
        for cluster in config.clusters:
            if cluster.name == name:
                return cluster
        known = ", ".join(c.name for c in config.clusters) or "none"
        raise _Usage(f"{option} {name}: no such cluster in the config (known: {known})")

    try:
        if args.repo_path:
            facts = gather_offline(args.repo_path, args.snapshot)
        else:
            async with ClusterClient(cluster_config(args.cluster, "--cluster")) as source:
                facts = await gather_live(
                    source, args.repo, args.snapshot, use_local_files=not args.no_local_files
                )
        if typed is not None:
            return facts, typed
        async with ClusterClient(cluster_config(args.target, "--target")) as live:
            return facts, await target_from_cluster(live)
    except GatherError as problem:
        raise _Failed(str(problem)) from None
    except ClusterUnavailable as problem:
        raise _Failed(str(problem)) from None


def _rates(args: argparse.Namespace) -> Rates:
    defaults = Rates()
    return Rates(
        restore_bytes_per_second=(
            args.restore_rate_mib * 1024 * 1024
            if args.restore_rate_mib is not None
            else defaults.restore_bytes_per_second
        ),
        reindex_docs_per_second=(
            args.reindex_docs_per_second
            if args.reindex_docs_per_second is not None
            else defaults.reindex_docs_per_second
        ),
    )


def _range_text(created: VersionRange | None) -> str | None:
    return None if created is None else str(created)


def index_to_dict(verdict: IndexVerdict) -> dict[str, Any]:
    advice = verdict.advice
    return {
        "index": verdict.index,
        "verdict": verdict.verdict.value,
        "reason": verdict.reason,
        "created": verdict.created_label,
        "created_source": verdict.created_source.value,
        "created_basis": verdict.created_basis,
        "advice": None
        if advice is None
        else {
            "restore_into": advice.restore_into_label,
            "steps": list(advice.steps),
            "estimate": None
            if advice.estimate is None
            else {
                "restore_seconds": round(advice.estimate.restore_seconds, 1),
                "reindex_seconds": round(advice.estimate.reindex_seconds, 1),
                "assumptions": list(advice.estimate.assumptions),
            },
        },
    }


def report_to_dict(
    report: CompatReport, snapshot: str, facts: SnapshotFacts | None = None
) -> dict[str, Any]:
    counts = report.counts
    target: dict[str, Any] = {
        "version": str(report.target.version),
        "product": report.target.product.value,
        "license": report.target.license,
    }
    if report.target.name is not None:
        target["name"] = report.target.name  # a live target: the configured cluster
    return {
        "snapshot": snapshot,
        "snapshot_version": _range_text(report.snapshot.snapshot_version),
        "source": None if facts is None else facts.origin,
        "notes": [] if facts is None else list(facts.notes),
        "target": target,
        "snapshot_verdict": report.snapshot.verdict.value,
        "snapshot_reason": report.snapshot.reason,
        "all_compatible": report.all_compatible,
        "summary": report.summary,
        "counts": {verdict.value: counts[verdict] for verdict in Verdict},
        "indices": [index_to_dict(verdict) for verdict in report.indices],
    }


_COLUMNS = ("INDEX", "CREATED", "SOURCE", "VERDICT", "REASON")


def render_report(report: CompatReport, snapshot: str, facts: SnapshotFacts | None = None) -> str:
    """Plain text for a terminal: a table (index, created version, its source, verdict,
    reason), the summary line, then the way forward for every index that is not compatible."""
    lines = [
        f"snapshot {snapshot} -> {report.target.label}: {report.snapshot.verdict.label}",
        f"  {report.snapshot.reason}",
    ]
    if facts is not None:
        lines.append(f"  read from {facts.origin}")
        lines.extend(f"  note: {note}" for note in facts.notes)
    rows = [
        (
            verdict.index,
            verdict.created_label,
            verdict.created_source.value,
            verdict.verdict.label,
            verdict.reason,
        )
        for verdict in report.indices
    ]
    widths = [
        max([len(_COLUMNS[column])] + [len(row[column]) for row in rows]) for column in range(4)
    ]
    lines.append("")
    for row in [_COLUMNS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    lines += ["", report.summary]
    problems = [verdict for verdict in report.problems if verdict.advice is not None]
    if problems:
        lines += ["", "Way forward:"]
    for verdict in problems:
        assert verdict.advice is not None
        lines.append(f"  {verdict.index} ({verdict.verdict.label}):")
        if verdict.created_basis:
            lines.append(f"    bounds: {verdict.created_basis}")
        lines.extend(f"    -> {step}" for step in verdict.advice.steps)
        if verdict.advice.estimate is not None:
            lines.extend(
                f"       assumes {line}" for line in verdict.advice.estimate.assumptions
            )
    return "\n".join(lines)
