"""``esnap restore``: plan, check, show, run once and follow a restore from the command line.

``--plan`` prints the pre-flight checks (blockers first), the rename preview, the exact request
and a curl command with secrets masked; exit 3 when a check blocks. ``--execute`` does the same,
then sends the request once (never on a read-only cluster or with ``--read-only``; ``--yes`` when
not interactive; a protected target needs ``--confirm-snapshot NAME``), follows the progress to
the end and verifies the restored indices. ``--watch`` re-attaches to restores in flight on a
cluster. ``--json`` prints one JSON document (``--plan``) or JSON lines (events).

Exit status: 0 done/ok, 1 a cluster failed or the restore did not verify, 2 usage, 3 a blocking
check, 4 esnap refused to send (read-only, protected unconfirmed, no confirmation).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from esnap_tui.cli.ls import add_config_option, error, find_offline, jsonable, open_config
from esnap_tui.cluster import ClusterClient, ClusterUnavailable
from esnap_tui.config import ClusterConfig, EsnapConfig
from esnap_tui.restore.audit import AuditLog
from esnap_tui.restore.checks import CheckReport, run_checks
from esnap_tui.restore.execute import (
    ExecutionRefused,
    ExecutionResult,
    Outcome,
    ensure_confirmed,
    ensure_may_change,
    execute_restore,
    expected_indices,
)
from esnap_tui.restore.facts import SnapshotFacts, TargetFacts
from esnap_tui.restore.gather import gather_snapshot_facts, gather_target_facts
from esnap_tui.restore.monitor import RestoreMonitor, RestoreProgress, find_restores_in_flight
from esnap_tui.restore.plan import REPLICAS_ZERO, RestorePlan
from esnap_tui.restore.request import RestoreRequest, UnsupportedOption, build_request

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BLOCKED, EXIT_REFUSED = 0, 1, 2, 3, 4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="plan, check and run a restore; watch restores in flight",
        description="Plan a restore (checks, exact request, curl), run it once and follow it, "
        "or re-attach to restores in flight (--watch).",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--plan", action="store_true", help="print checks and request only")
    mode.add_argument("--execute", action="store_true", help="run it once and follow progress")
    mode.add_argument("--watch", action="store_true", help="follow restores in flight on --cluster")
    parser.add_argument("--cluster", metavar="C",
                        help="where the snapshot is browsed (with --watch: the cluster to watch)")
    parser.add_argument("--repo", metavar="R", help="repository (on --cluster, or offline)")
    parser.add_argument("--snapshot", metavar="S", help="snapshot name")
    parser.add_argument("--target", metavar="T", help="target cluster (default: --cluster)")
    parser.add_argument("--target-repo", metavar="NAME",
                        help="the repository's name on the target when it differs")
    parser.add_argument("--indices", nargs="+", default=[], metavar="I",
                        help="index names or patterns (comma lists allowed)")
    parser.add_argument("--data-streams", nargs="+", default=[], metavar="D")
    parser.add_argument("--all", dest="all_indices", action="store_true",
                        help="every index and data stream of the snapshot")
    parser.add_argument("--rename-pattern", metavar="P")
    parser.add_argument("--rename-replacement", metavar="R")
    parser.add_argument("--replicas-zero", action="store_true",
                        help="index_settings number_of_replicas: 0")
    parser.add_argument("--index-setting", action="append", default=[], metavar="K=V")
    parser.add_argument("--ignore-index-setting", action="append", default=[], metavar="K")
    parser.add_argument("--include-global-state", action="store_true")
    parser.add_argument("--feature-states", nargs="+", default=[], metavar="F")
    parser.add_argument("--include-aliases", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--partial", action="store_true")
    parser.add_argument("--ignore-unavailable", action="store_true")
    parser.add_argument("--yes", action="store_true", help="do not ask (non-interactive runs)")
    parser.add_argument("--confirm-snapshot", metavar="NAME",
                        help="the snapshot name, typed exactly (required by protected targets)")
    parser.add_argument("--json", action="store_true", help="JSON (--plan) or JSON lines")
    parser.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                        help="progress poll interval (default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long to wait for the restore call's answer (default 30)")
    parser.add_argument("--audit-log", metavar="PATH", help="audit file (default: XDG state)")
    add_config_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("\nesnap: stopped following; the restore goes on (esnap restore --watch)",
              file=sys.stderr)
        return EXIT_FAILED


async def _run(args: argparse.Namespace) -> int:
    async with open_config(args) as config:
        if config is None:
            return EXIT_FAILED
        if args.watch:
            return await _watch(config, args)
        return await _plan_and_maybe_execute(config, args)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def plan_from_args(args: argparse.Namespace) -> RestorePlan:
    settings: dict[str, Any] = {}
    for item in args.index_setting:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--index-setting {item!r}: expected KEY=VALUE")
        settings[key.strip()] = value
    if args.replicas_zero:
        settings.update(REPLICAS_ZERO)
    target = args.target or args.cluster
    return RestorePlan(
        repository=args.repo,
        snapshot=args.snapshot,
        target_cluster=target,
        source_cluster=args.cluster,
        target_repository=args.target_repo,
        indices=_split(args.indices),
        data_streams=_split(args.data_streams),
        all_indices=args.all_indices,
        include_global_state=args.include_global_state,
        feature_states=_split(args.feature_states),
        include_aliases=args.include_aliases,
        partial=args.partial,
        ignore_unavailable=args.ignore_unavailable,
        rename_pattern=args.rename_pattern,
        rename_replacement=args.rename_replacement,
        index_settings=settings,
        ignore_index_settings=_split(args.ignore_index_setting),
    )


class _Prepared:
    """Everything ``--plan`` shows and ``--execute`` needs."""

    def __init__(self, plan: RestorePlan, target: TargetFacts, snapshot: SnapshotFacts,
                 report: CheckReport, request: RestoreRequest | None, request_error: str | None,
                 notes: list[str]) -> None:
        self.plan = plan
        self.target = target
        self.snapshot = snapshot
        self.report = report
        self.request = request
        self.request_error = request_error
        self.notes = notes


async def _prepare(config: EsnapConfig, plan: RestorePlan, target_client: ClusterClient,
                   source_client: ClusterClient | None) -> _Prepared:
    notes: list[str] = []
    target = await gather_target_facts(
        target_client, repository=plan.repository_on_target, snapshot=plan.snapshot,
        global_state=plan.include_global_state, notes=notes,
    )
    reader = None
    if source_client is None:
        offline = find_offline(config, plan.repository)
        assert offline is not None
        from esnap_tui.repository import RepositoryReader

        reader = RepositoryReader(Path(offline.path).expanduser(), name=offline.name)
    snapshot = await gather_snapshot_facts(
        plan.repository, plan.snapshot, source=source_client, reader=reader, target=target,
        notes=notes,
    )
    report = run_checks(plan, snapshot, target)
    request: RestoreRequest | None = None
    request_error = None
    try:
        request = build_request(plan, target.version)
    except UnsupportedOption as problem:
        request_error = str(problem)
    return _Prepared(plan, target, snapshot, report, request, request_error, notes)


def _curl(request: RestoreRequest, config: ClusterConfig) -> str:
    return request.curl(
        config.url,
        username=config.username,
        password_env=config.password_env,
        api_key_env=config.api_key_env,
        has_password=config.password_command is not None,
        ca_certs=config.ca_certs,
        insecure=not config.verify_certs,
    )


def _plan_document(prepared: _Prepared, config: ClusterConfig) -> dict[str, Any]:
    report = prepared.report
    return {
        "plan": prepared.plan.to_dict(),
        "can_proceed": report.can_proceed and prepared.request is not None,
        "checks": report.to_dict(),
        "rename": [
            {"source": e.source, "target": e.target, "kind": e.kind, "ok": e.ok}
            for e in report.preview.entries
        ],
        "request": prepared.request.to_dict() if prepared.request else None,
        "request_error": prepared.request_error,
        "curl": _curl(prepared.request, config) if prepared.request else None,
        "notes": list(prepared.notes),
    }


def _print_plan(prepared: _Prepared, config: ClusterConfig) -> None:
    report = prepared.report
    plan = prepared.plan
    print(f"restore {plan.repository}:{plan.snapshot} -> {plan.target_cluster}")
    print()
    print("checks (blockers first):")
    if not report.results:
        print("  none: nothing to report")
    for result in report.results:
        print(f"  [{result.severity.value.upper():7}] {result.message}")
        if result.fix:
            print(f"            fix: {result.fix}")
        for line in result.details:
            print(f"            - {line}")
    lines = report.preview.lines() if report.preview.entries else []
    if lines:
        print()
        print("indices restored (source -> target):")
        for line in lines:
            print(f"  {line}")
    for note in prepared.notes:
        print(f"  [NOTE   ] {note}")
    print()
    if prepared.request is None:
        print(f"request: cannot be built: {prepared.request_error}")
        return
    print("request:")
    for line in prepared.request.console().splitlines():
        print(f"  {line}")
    print()
    print("curl (secrets masked):")
    print(f"  {_curl(prepared.request, config)}")


def _emit(as_json: bool, event: str, payload: dict[str, Any]) -> None:
    if as_json:
        print(json.dumps({"event": event, **jsonable(payload)}, ensure_ascii=False), flush=True)


async def _plan_and_maybe_execute(config: EsnapConfig, args: argparse.Namespace) -> int:
    missing = [flag for flag, value in (("--repo", args.repo), ("--snapshot", args.snapshot))
               if not value]
    if not (args.target or args.cluster):
        missing.append("--target")
    if missing:
        error(f"restore: {', '.join(missing)} required")
        return EXIT_USAGE
    try:
        plan = plan_from_args(args)
        target_config = config.cluster(plan.target_cluster)
        source_config = config.cluster(args.cluster) if args.cluster else None
    except (ValueError, KeyError) as problem:
        error(str(problem.args[0] if problem.args else problem))
        return EXIT_USAGE
    if source_config is None and find_offline(config, plan.repository) is None:
        error(f"restore: --cluster is required unless --repo names an offline repository "
              f"({plan.repository!r} does not)")
        return EXIT_USAGE
    target_client = ClusterClient(target_config, request_timeout=max(args.timeout, 1.0))
    source_client: ClusterClient | None = None
    if source_config is not None:
        source_client = (target_client if source_config.name == target_config.name
                         else ClusterClient(source_config))
    try:
        try:
            prepared = await _prepare(config, plan, target_client, source_client)
        except ClusterUnavailable as failure:
            error(str(failure))
            return EXIT_FAILED
        blocked = not prepared.report.can_proceed or prepared.request is None
        if args.json:
            if args.plan:
                print(json.dumps(jsonable(_plan_document(prepared, target_config)), indent=2,
                                 ensure_ascii=False))
            else:
                _emit(True, "plan", _plan_document(prepared, target_config))
        else:
            _print_plan(prepared, target_config)
        if args.plan:
            return EXIT_BLOCKED if blocked else EXIT_OK
        if blocked:
            error("restore: not sent: a check blocks it (see above)")
            return EXIT_BLOCKED
        return await _execute(args, prepared, target_client)
    finally:
        await target_client.close()
        if source_client is not None and source_client is not target_client:
            await source_client.close()


def _confirm(args: argparse.Namespace, client: ClusterClient, snapshot: str) -> str | None:
    """The snapshot-name confirmation; raises ExecutionRefused when it is missing."""
    ensure_may_change(client, read_only=bool(getattr(args, "read_only", False)))
    confirmation = args.confirm_snapshot
    interactive = sys.stdin.isatty() and not args.json
    if client.config.protected and confirmation is None and interactive:
        confirmation = input(f"{client.name} is protected: type the snapshot name to restore: ")
    ensure_confirmed(client, snapshot, confirmation)
    if not args.yes:
        if not interactive:
            raise ExecutionRefused("not interactive: pass --yes to run the restore")
        answer = input(f"restore {snapshot} into {client.name} now? type yes: ")
        if answer.strip().lower() != "yes":
            raise ExecutionRefused("not confirmed")
    return confirmation


async def _execute(args: argparse.Namespace, prepared: _Prepared, client: ClusterClient) -> int:
    plan = prepared.plan
    audit = AuditLog(args.audit_log)
    try:
        confirmation = _confirm(args, client, plan.snapshot)
    except ExecutionRefused as refusal:
        audit.record("refused-locally", target=client.name, request=prepared.request,
                     result=str(refusal))
        error(f"restore: not sent: {refusal}")
        return EXIT_REFUSED
    expected = expected_indices(prepared.report, prepared.snapshot)
    try:
        result = await execute_restore(
            client, plan, audit=audit, report=prepared.report, expected=expected,
            confirmation=confirmation, read_only=bool(getattr(args, "read_only", False)),
            request=prepared.request, timeout=args.timeout,
        )
    except ExecutionRefused as refusal:
        error(f"restore: not sent: {refusal}")
        return EXIT_REFUSED
    except ClusterUnavailable as failure:
        error(f"restore: not sent: {failure}")
        return EXIT_FAILED
    _report_outcome(args.json, result)
    if not result.started:
        return EXIT_FAILED
    if not expected:
        return EXIT_OK  # global or feature state only: nothing to follow
    monitor = RestoreMonitor(client, plan.repository_on_target, plan.snapshot, expected,
                             restore_uuid=result.restore_uuid, interval=args.interval)
    return await _follow(args.json, monitor)


def _report_outcome(as_json: bool, result: ExecutionResult) -> None:
    if as_json:
        _emit(True, "outcome", result.to_dict())
        return
    print()
    print(f"restore: {result.message}")
    for line in result.evidence:
        print(f"  {line}")
    if result.outcome is Outcome.UNKNOWN:
        print("  look at the target (esnap restore --watch) before trying again")


async def _follow(as_json: bool, monitor: RestoreMonitor) -> int:
    last: RestoreProgress | None = None
    async for progress in monitor:
        last = progress
        if as_json:
            _emit(True, "progress", progress.to_dict())
        else:
            print(f"{progress.snapshot}: {progress.summary()}", flush=True)
    if last is None or last.verification is None:
        return EXIT_FAILED
    verification = last.verification
    if as_json:
        _emit(True, "verified", {"ok": verification.ok, "problems": verification.problems})
    else:
        for check in verification.checks:
            state = "ok" if check.ok else f"PROBLEM: {check.problem}"
            print(f"  {check.name}: {check.health or '-'}, {check.primary_shards} primary "
                  f"shards: {state}")
        print("verified: every restored index is there and healthy" if verification.ok
              else "verification FAILED")
    return EXIT_OK if verification.ok else EXIT_FAILED


async def _watch(config: EsnapConfig, args: argparse.Namespace) -> int:
    name = args.cluster or args.target
    if not name:
        error("restore --watch: --cluster is required")
        return EXIT_USAGE
    try:
        cluster = config.cluster(name)
    except KeyError as missing:
        error(str(missing.args[0]))
        return EXIT_USAGE
    async with ClusterClient(cluster) as client:
        try:
            found = await find_restores_in_flight(client)
        except ClusterUnavailable as failure:
            error(str(failure))
            return EXIT_FAILED
        found = [r for r in found
                 if (args.snapshot in (None, r.snapshot)) and (args.repo in (None, r.repository))]
        if not found:
            if args.json:
                _emit(True, "none", {"cluster": name})
            else:
                print(f"no restores in flight on {name}")
            return EXIT_OK
        status = EXIT_OK
        for restore in found:
            if args.json:
                _emit(True, "attached", {"restore": restore})
            else:
                print(f"watching restore of {restore.repository}:{restore.snapshot} "
                      f"({', '.join(restore.indices)})")
            monitor = await RestoreMonitor.attach(client, restore, interval=args.interval)
            status = max(status, await _follow(args.json, monitor))
        return status
