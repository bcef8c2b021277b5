"""``esnap compat``: will this snapshot restore into that cluster, index by index?

Offline form: ``esnap compat --repo-path DIR --snapshot S --target-version V [--license L]
[--json]`` reads the repository's own index metadata, so every created version is exact.
Exit status: 0 when the snapshot and every index are plainly compatible, 3 when any is not
(read-only archive, unknown or incompatible), 1 when the repository cannot be read, 2 for
bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from esnap_tui.compat import CompatReport, Rates, TargetCluster, Verdict, check_snapshot_indices
from esnap_tui.compat.model import IndexVerdict
from esnap_tui.versions import Product, Version, VersionRange

EXIT_COMPATIBLE = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_COMPATIBLE = 3

_OPENSEARCH_PREFIXES = ("opensearch-", "opensearch:", "os-", "os:")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compat",
        help="check whether a snapshot restores into a target version",
        description=(
            "Check a snapshot, index by index, against a target cluster version. Exit 0 when "
            "everything is compatible, 3 when some index is not."
        ),
    )
    parser.add_argument("--repo-path", metavar="DIR", required=True, help="repository folder")
    parser.add_argument("--snapshot", metavar="S", required=True, help="snapshot name")
    parser.add_argument(
        "--target-version",
        metavar="V",
        required=True,
        help='target version, e.g. "8.15.0" or "opensearch-2.11.0"',
    )
    parser.add_argument(
        "--license",
        metavar="L",
        help="target licence (basic, trial, gold, platinum, enterprise); matters for archives",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
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


def parse_target_version(text: str) -> Version:
    """ "8.15.0" is Elasticsearch; "opensearch-2.11.0" (or "os:2.11.0") is OpenSearch."""
    lowered = text.strip().lower()
    for prefix in _OPENSEARCH_PREFIXES:
        if lowered.startswith(prefix):
            return Version.parse(lowered.removeprefix(prefix), Product.OPENSEARCH)
    return Version.parse(lowered.removeprefix("elasticsearch-"))


def run(args: argparse.Namespace) -> int:
    try:
        target_version = parse_target_version(args.target_version)
        rates = _rates(args)
    except ValueError as problem:
        print(f"esnap compat: {problem}", file=sys.stderr)
        return EXIT_USAGE
    target = TargetCluster(target_version, args.license)
    from esnap_tui.repository import RepositoryError, RepositoryReader

    try:
        reader = RepositoryReader(args.repo_path)
        detail = reader.snapshot(args.snapshot)
        indices = reader.indices(args.snapshot)
    except (RepositoryError, OSError) as problem:
        print(f"esnap compat: {problem}", file=sys.stderr)
        return EXIT_FAILED
    sizes = {
        name: details.size_in_bytes
        for name, details in detail.index_details.items()
        if details.size_in_bytes is not None
    }
    report = check_snapshot_indices(detail.version, indices, target, sizes=sizes, rates=rates)
    if args.json:
        print(json.dumps(report_to_dict(report, args.snapshot), indent=2))
    else:
        print(render_report(report, args.snapshot))
    return EXIT_COMPATIBLE if report.all_compatible else EXIT_NOT_COMPATIBLE


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


def report_to_dict(report: CompatReport, snapshot: str) -> dict[str, Any]:
    counts = report.counts
    return {
        "snapshot": snapshot,
        "snapshot_version": _range_text(report.snapshot.snapshot_version),
        "target": {
            "version": str(report.target.version),
            "product": report.target.product.value,
            "license": report.target.license,
        },
        "snapshot_verdict": report.snapshot.verdict.value,
        "snapshot_reason": report.snapshot.reason,
        "all_compatible": report.all_compatible,
        "summary": report.summary,
        "counts": {verdict.value: counts[verdict] for verdict in Verdict},
        "indices": [index_to_dict(verdict) for verdict in report.indices],
    }


def render_report(report: CompatReport, snapshot: str) -> str:
    """Plain text for a terminal: one block per index, problems with their way forward."""
    lines = [
        f"snapshot {snapshot} -> {report.target.label}: {report.snapshot.verdict.label}",
        f"  {report.snapshot.reason}",
        "",
    ]
    width = max((len(verdict.index) for verdict in report.indices), default=5)
    for verdict in report.indices:
        lines.append(
            f"{verdict.index:<{width}}  {verdict.verdict.label:<28}  "
            f"created {verdict.created_label} ({verdict.created_source.value})"
        )
        lines.append(f"{'':<{width}}  {verdict.reason}")
        if verdict.advice is not None:
            lines.extend(f"{'':<{width}}  -> {step}" for step in verdict.advice.steps)
            if verdict.advice.estimate is not None:
                lines.extend(
                    f"{'':<{width}}     assumes {line}"
                    for line in verdict.advice.estimate.assumptions
                )
    lines += ["", report.summary]
    return "\n".join(lines)
