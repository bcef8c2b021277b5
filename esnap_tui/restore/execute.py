"""Run a restore plan once, and the confirmed side steps the checks offer; audit everything.

Why so careful: a restore request that times out may well have started. Sending it again
would either fail confusingly ("an open index with same name already exists", because the
first one is now restoring) or, with a rename pattern into fresh names, start a second copy.
So the request is sent exactly once (``retry=False``) with ``wait_for_completion=false``, and
when no answer comes back esnap *asks the cluster* whether the restore started — new shard
recoveries of type SNAPSHOT from this snapshot into the expected indices, or expected indices
that appeared or changed uuid — and reports ``started``, ``refused`` or ``unknown`` honestly.

Every attempt is written to the audit log before the request goes out and its outcome after
(``AuditLog``), side steps included. Nothing here deletes anything.
"""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from esnap_tui.cluster import (
    ClusterClient,
    ClusterUnavailable,
    CredentialsUnavailable,
    Forbidden,
    HttpError,
    TlsFailure,
    Unauthorized,
)
from esnap_tui.restore.audit import AuditLog
from esnap_tui.restore.checks import CheckReport
from esnap_tui.restore.facts import SnapshotFacts
from esnap_tui.restore.plan import RestorePlan
from esnap_tui.restore.request import RestoreRequest, build_request, register_repository_request

Sleep = Callable[[float], Awaitable[None]]
_MAX_PATH = 3000  # stay under the 4kb initial-line limit with index lists


class Outcome(StrEnum):
    STARTED = "started"  # the cluster accepted it, or reconciliation found it running
    REFUSED = "refused"  # the cluster answered with an error: nothing started
    UNKNOWN = "unknown"  # no answer and no sign of it on the cluster: check before retrying
    NOT_SENT = "not-sent"  # failed before anything left this machine (credentials, TLS)


class ExecutionRefused(Exception):
    """esnap will not send this (read-only, blocking check, protected cluster unconfirmed)."""


@dataclass(frozen=True)
class ExpectedIndex:
    """An index the restore should create: its name on the target, its source, its shards."""

    name: str
    source: str | None = None
    primary_shards: int | None = None
    size_in_bytes: int | None = None  # from the snapshot's index_details, for the ETA


def expected_indices(report: CheckReport, snapshot: SnapshotFacts) -> list[ExpectedIndex]:
    """The indices a restore of this plan creates, with names after renaming."""
    targets = {e.source: e.target for e in report.preview.entries if e.kind != "data-stream"}
    out = []
    for name in report.selection.indices:
        info = snapshot.index(name)
        shards = info.primary_shards if info else None
        details = snapshot.detail.index_details.get(name)
        if shards is None and details is not None:
            shards = details.shard_count
        size = details.size_in_bytes if details is not None else None
        out.append(ExpectedIndex(targets.get(name, name), name, shards, size))
    return out


@dataclass
class ExecutionResult:
    outcome: Outcome
    target: str
    request: RestoreRequest
    restore_id: str  # esnap's id linking the audit records of this attempt
    message: str
    status: int | None = None
    error_type: str | None = None
    reason: str | None = None
    reconciled: bool = False
    evidence: list[str] = field(default_factory=list)
    restore_uuid: str | None = None  # the cluster's restoreUUID when seen
    expected: list[ExpectedIndex] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.outcome is Outcome.STARTED

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "target": self.target,
            "restore_id": self.restore_id,
            "message": self.message,
            "status": self.status,
            "error_type": self.error_type,
            "reason": self.reason,
            "reconciled": self.reconciled,
            "evidence": list(self.evidence),
            "restore_uuid": self.restore_uuid,
            "request": self.request.to_dict(),
            "expected_indices": [e.name for e in self.expected],
        }


# --------------------------------------------------------------------------------------------
# guards


def ensure_may_change(client: ClusterClient, *, read_only: bool = False) -> None:
    """Refuse any change on a read-only cluster or in read-only mode."""
    if read_only:
        raise ExecutionRefused("read-only mode: esnap changes nothing")
    if client.config.read_only:
        raise ExecutionRefused(f"{client.name} is configured read_only: esnap changes nothing")


def ensure_confirmed(client: ClusterClient, snapshot: str, confirmation: str | None) -> None:
    """A ``protected`` cluster needs the snapshot name typed exactly."""
    if client.config.protected and confirmation != snapshot:
        raise ExecutionRefused(
            f"{client.name} is protected: type the snapshot name {snapshot!r} exactly to confirm"
        )


# --------------------------------------------------------------------------------------------
# the restore


async def execute_restore(
    client: ClusterClient,
    plan: RestorePlan,
    *,
    audit: AuditLog,
    report: CheckReport | None = None,
    expected: Sequence[ExpectedIndex] = (),
    confirmation: str | None = None,
    read_only: bool = False,
    request: RestoreRequest | None = None,
    timeout: float | None = None,
    reconcile_attempts: int = 5,
    reconcile_interval: float = 1.0,
    sleep: Sleep = asyncio.sleep,
) -> ExecutionResult:
    """Send the plan's restore request once and say what happened.

    Raises :class:`ExecutionRefused` (before sending, audited) for read-only, a blocking check
    in ``report``, or an unconfirmed protected cluster. ``expected`` (see
    :func:`expected_indices`) is what reconciliation looks for after a lost answer.
    """
    restore_id = uuidlib.uuid4().hex[:12]
    info = client.info or await client.connect()
    request = request or build_request(plan, info.version)
    extra = {"plan": plan.to_dict(), "cluster_url": client.where}
    try:
        ensure_may_change(client, read_only=read_only)
        ensure_confirmed(client, plan.snapshot, confirmation)
        if report is not None and report.blockers:
            first = report.blockers[0]
            raise ExecutionRefused(
                f"{len(report.blockers)} blocking check(s), first: {first.message}"
            )
    except ExecutionRefused as refusal:
        audit.record(
            "refused-locally", target=client.name, request=request, result=str(refusal),
            restore_id=restore_id, extra=extra,
        )
        raise
    expected = list(expected)
    baseline = await _baseline(client, plan, expected)
    audit.record("attempt", target=client.name, request=request, restore_id=restore_id,
                 extra=extra)
    result = ExecutionResult(Outcome.UNKNOWN, client.name, request, restore_id, "",
                             expected=expected)
    try:
        response = await client.request(
            request.method, request.path, request.params, request.body,
            retry=False, timeout=timeout,
        )
    except HttpError as error:
        _refused(result, error.status, error.error_type, error.reason or str(error))
    except (Unauthorized, Forbidden) as error:
        _refused(result, 401 if isinstance(error, Unauthorized) else 403, error.kind, str(error))
    except (CredentialsUnavailable, TlsFailure) as error:
        result.outcome = Outcome.NOT_SENT
        result.reason = str(error)
        result.message = f"not sent: {error}"
    except ClusterUnavailable as error:
        # timeout or dropped connection: it may have started. Ask, never resend.
        result.reason = str(error)
        audit.record("no-answer", target=client.name, result={"error": str(error),
                     "kind": error.kind}, restore_id=restore_id)
        await _reconcile(client, plan, result, baseline, reconcile_attempts,
                         reconcile_interval, sleep)
    else:
        result.status = response.status
        body = response.body if isinstance(response.body, dict) else {}
        if body.get("accepted") is True or "snapshot" in body:
            result.outcome = Outcome.STARTED
            result.message = f"restore of {plan.snapshot} started on {client.name}"
        else:
            result.message = f"unexpected answer {response.status}: check {client.name}"
    audit.record(
        "reconciled" if result.reconciled else "outcome",
        target=client.name,
        result={k: v for k, v in result.to_dict().items() if k != "request"},
        restore_id=restore_id,
    )
    return result


def _refused(result: ExecutionResult, status: int | None, type_: str | None, reason: str) -> None:
    result.outcome = Outcome.REFUSED
    result.status, result.error_type, result.reason = status, type_, reason
    result.message = f"refused: {status} {type_}: {reason}"


@dataclass
class _Baseline:
    """What was there before sending: recoveries and index uuids of the expected names."""

    restore_uuids: set[str] = field(default_factory=set)
    index_uuids: dict[str, str | None] = field(default_factory=dict)
    known: bool = False


async def _baseline(
    client: ClusterClient, plan: RestorePlan, expected: list[ExpectedIndex]
) -> _Baseline:
    base = _Baseline()
    if not expected:
        return base
    try:
        recoveries = await recovery_of(client, [e.name for e in expected])
        indices = {i.name: i.uuid for i in await client.indices()}
    except ClusterUnavailable:
        return base
    for shard in _snapshot_shards(recoveries, plan):
        uuid = (shard.get("source") or {}).get("restoreUUID")
        if uuid:
            base.restore_uuids.add(uuid)
    base.index_uuids = {e.name: indices.get(e.name) for e in expected}
    base.known = True
    return base


async def recovery_of(client: ClusterClient, names: Sequence[str]) -> dict[str, Any]:
    """``GET <names>/_recovery`` in chunks that fit a request line; missing names skipped."""
    out: dict[str, Any] = {}
    for chunk in _chunks(names):
        path = "/" + ",".join(quote(n, safe="") for n in chunk) + "/_recovery"
        response = await client.request("GET", path, {"ignore_unavailable": True})
        if isinstance(response.body, dict):
            out.update(response.body)
    return out


def _chunks(names: Sequence[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    length = 0
    for name in names:
        size = len(quote(name, safe="")) + 1
        if current and length + size > _MAX_PATH:
            chunks.append(current)
            current, length = [], 0
        current.append(name)
        length += size
    if current:
        chunks.append(current)
    return chunks


def _snapshot_shards(recoveries: dict[str, Any], plan: RestorePlan) -> list[dict[str, Any]]:
    out = []
    for entry in recoveries.values():
        for shard in (entry or {}).get("shards") or []:
            source = shard.get("source") or {}
            if (
                shard.get("type") == "SNAPSHOT"
                and source.get("snapshot") == plan.snapshot
                and source.get("repository") in (None, plan.repository_on_target)
            ):
                out.append(shard)
    return out


async def _reconcile(
    client: ClusterClient,
    plan: RestorePlan,
    result: ExecutionResult,
    baseline: _Baseline,
    attempts: int,
    interval: float,
    sleep: Sleep,
) -> None:
    result.reconciled = True
    names = [e.name for e in result.expected]
    if not names:
        result.message = (
            f"unknown — check the cluster: no answer from {client.name} ({result.reason}), and "
            "a restore of no index leaves nothing esnap can look for"
        )
        return
    last_error: str | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            await sleep(interval)
        try:
            recoveries = await recovery_of(client, names)
            indices = {i.name: i.uuid for i in await client.indices()}
        except ClusterUnavailable as error:
            last_error = str(error)
            continue
        evidence: list[str] = []
        for index, entry in sorted(recoveries.items()):
            for shard in _snapshot_shards({index: entry}, plan):
                uuid = (shard.get("source") or {}).get("restoreUUID")
                if uuid and uuid in baseline.restore_uuids:
                    continue
                result.restore_uuid = result.restore_uuid or uuid
                evidence.append(
                    f"{index}: shard {shard.get('id')} recovering from snapshot "
                    f"{plan.snapshot} ({shard.get('stage')})"
                )
                break
        if baseline.known:
            for name in names:
                before, now = baseline.index_uuids.get(name), indices.get(name)
                if now is not None and now != before and not any(
                    e.startswith(f"{name}:") for e in evidence
                ):
                    evidence.append(f"{name}: index appeared (uuid {now})")
        if evidence:
            result.outcome = Outcome.STARTED
            result.evidence = evidence
            result.message = (
                f"started (no answer from {client.name}, but the cluster shows the restore "
                "running; not resent)"
            )
            return
    why = f"; last check failed: {last_error}" if last_error else ""
    result.message = (
        f"unknown — check the cluster: no answer from {client.name} ({result.reason}) and no "
        f"sign of the restore after {max(1, attempts)} check(s){why}. It was not resent."
    )


# --------------------------------------------------------------------------------------------
# confirmed side steps


async def _side_step(
    client: ClusterClient,
    request: RestoreRequest,
    *,
    audit: AuditLog,
    event: str,
    read_only: bool,
    timeout: float | None = None,
) -> dict[str, Any]:
    ensure_may_change(client, read_only=read_only)
    step_id = uuidlib.uuid4().hex[:12]
    audit.record(f"{event}:attempt", target=client.name, request=request, restore_id=step_id)
    try:
        response = await client.request(
            request.method, request.path, request.params, request.body or None,
            retry=False, timeout=timeout,
        )
    except ClusterUnavailable as error:
        audit.record(f"{event}:outcome", target=client.name, restore_id=step_id,
                     result={"ok": False, "error": str(error)})
        raise
    body = response.body if isinstance(response.body, dict) else {}
    audit.record(f"{event}:outcome", target=client.name, restore_id=step_id,
                 result={"ok": True, "status": response.status, "body": body})
    return body


async def close_index(
    client: ClusterClient, index: str, *, audit: AuditLog, read_only: bool = False
) -> dict[str, Any]:
    """``POST <index>/_close`` (the confirmed step before restoring over it). Never deletes."""
    request = RestoreRequest("POST", f"/{quote(index, safe='')}/_close", {}, {})
    return await _side_step(client, request, audit=audit, event="close-index",
                            read_only=read_only)


async def register_repository_readonly(
    client: ClusterClient,
    name: str,
    type_: str,
    settings: dict[str, Any],
    *,
    audit: AuditLog,
    replace: bool = False,
    read_only: bool = False,
) -> dict[str, Any]:
    """``PUT _snapshot/<name>`` with ``readonly: true``. Refuses to replace an existing
    registration of that name unless ``replace`` (re-registering the same one read-only)."""
    if not replace and any(r.name == name for r in await client.repositories()):
        raise ExecutionRefused(f"{client.name} already has a repository named {name}")
    request = register_repository_request(name, type_, settings)
    return await _side_step(client, request, audit=audit, event="register-repository",
                            read_only=read_only)


def safety_snapshot_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return "esnap-safety-" + moment.strftime("%Y.%m.%d-%H%M%S")


async def take_safety_snapshot(
    client: ClusterClient,
    repository: str,
    indices: Sequence[str],
    *,
    audit: AuditLog,
    name: str | None = None,
    include_global_state: bool = False,
    read_only: bool = False,
    timeout: float = 3600.0,
) -> dict[str, Any]:
    """Snapshot what a restore would overwrite, into a writable repository, and wait for it."""
    repos = {r.name: r for r in await client.repositories()}
    repo = repos.get(repository)
    if repo is None:
        raise ExecutionRefused(f"{client.name} has no repository named {repository}")
    if repo.readonly:
        raise ExecutionRefused(f"repository {repository} is read-only: choose a writable one")
    snapshot = name or safety_snapshot_name()
    body: dict[str, Any] = {
        "indices": list(indices) if indices else ["-*"],
        "include_global_state": include_global_state,
    }
    if client.capabilities is not None and client.capabilities.snapshot_metadata:
        body["metadata"] = {"taken_by": "esnap", "reason": "safety snapshot before a restore"}
    request = RestoreRequest(
        "PUT",
        f"/_snapshot/{quote(repository, safe='')}/{quote(snapshot, safe='')}",
        {"wait_for_completion": "true"},
        body,
    )
    return await _side_step(client, request, audit=audit, event="safety-snapshot",
                            read_only=read_only, timeout=timeout)


__all__ = [
    "ExecutionRefused",
    "ExecutionResult",
    "ExpectedIndex",
    "Outcome",
    "close_index",
    "ensure_confirmed",
    "ensure_may_change",
    "execute_restore",
    "expected_indices",
    "recovery_of",
    "register_repository_readonly",
    "safety_snapshot_name",
    "take_safety_snapshot",
]
