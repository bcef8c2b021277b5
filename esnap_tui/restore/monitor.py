"""Follow a restore through ``_recovery`` until it is done, then verify the result.

Why from ``_recovery`` and not the restore call: the restore answers at once
(``wait_for_completion=false``) and the cluster keeps the progress; so anyone can (re-)attach
at any time — after the app was closed or SSH dropped — and see the same numbers. Only shard
recoveries of type ``SNAPSHOT`` whose source is this repository/snapshot (and restore uuid, when
known) count; replicas built afterwards by peer recovery do not.

Polling never piles up: one request at a time, the next one only after the interval that
follows the previous answer (and after the consumer took the previous progress), backing off
while the cluster does not answer. Time is injected (``clock``/``sleep``) so tests drive it
with the sandbox's fixed clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from esnap_tui.cluster import ClusterClient, ClusterUnavailable
from esnap_tui.restore.execute import ExpectedIndex, recovery_of
from esnap_tui.restore.facts import RestoreInFlight
from esnap_tui.restore.gather import restores_in_progress

STAGES = ("INIT", "INDEX", "VERIFY_INDEX", "TRANSLOG", "FINALIZE", "DONE")
WAITING = "WAITING"  # no shard recovery seen yet
FAILED = "FAILED"  # a shard left _recovery before DONE (it failed and is unassigned)


@dataclass(frozen=True)
class ShardProgress:
    index: str
    shard: int
    stage: str
    total_bytes: int
    recovered_bytes: int
    total_files: int
    recovered_files: int
    node: str | None = None
    index_time_ms: int = 0

    @property
    def done(self) -> bool:
        return self.stage == "DONE"

    @property
    def finished(self) -> bool:
        return self.stage in ("DONE", FAILED)


@dataclass(frozen=True)
class IndexProgress:
    name: str
    source: str | None
    expected_shards: int | None
    shards: tuple[ShardProgress, ...]
    expected_bytes: int | None = None

    @property
    def total_bytes(self) -> int:
        reported = sum(s.total_bytes for s in self.shards)
        return max(reported, self.expected_bytes or 0)

    @property
    def recovered_bytes(self) -> int:
        return sum(s.recovered_bytes for s in self.shards)

    @property
    def total_files(self) -> int:
        return sum(s.total_files for s in self.shards)

    @property
    def recovered_files(self) -> int:
        return sum(s.recovered_files for s in self.shards)

    @property
    def failed_shards(self) -> int:
        return sum(1 for s in self.shards if s.stage == FAILED)

    @property
    def stage(self) -> str:
        """The least advanced shard's stage (FAILED once every other shard finished)."""
        if not self.shards:
            return WAITING
        running = [s.stage for s in self.shards if s.stage in STAGES and s.stage != "DONE"]
        if running:
            return min(running, key=STAGES.index)
        if self.expected_shards is not None and len(self.shards) < self.expected_shards:
            return WAITING
        return FAILED if self.failed_shards else "DONE"

    @property
    def finished(self) -> bool:
        if not self.shards or not all(s.finished for s in self.shards):
            return False
        return self.expected_shards is None or len(self.shards) >= self.expected_shards

    @property
    def percent(self) -> float:
        if self.finished:
            return 100.0
        total = self.total_bytes
        return 100.0 * self.recovered_bytes / total if total else 0.0


@dataclass(frozen=True)
class IndexCheck:
    name: str
    exists: bool
    health: str | None
    primary_shards: int | None
    expected_shards: int | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Verification:
    checks: tuple[IndexCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[str]:
        return [f"{c.name}: {c.problem}" for c in self.checks if c.problem]


@dataclass(frozen=True)
class RestoreProgress:
    """One observation of a restore. ``at``/``elapsed`` are seconds of the injected clock."""

    repository: str | None
    snapshot: str
    indices: tuple[IndexProgress, ...]
    at: float
    elapsed: float
    restore_uuid: str | None = None
    throughput_bps: float | None = None
    eta_seconds: float | None = None
    error: str | None = None  # the last poll failed (numbers are from the one before)
    verification: Verification | None = None

    @property
    def total_bytes(self) -> int:
        return sum(i.total_bytes for i in self.indices)

    @property
    def recovered_bytes(self) -> int:
        return sum(i.recovered_bytes for i in self.indices)

    @property
    def total_files(self) -> int:
        return sum(i.total_files for i in self.indices)

    @property
    def recovered_files(self) -> int:
        return sum(i.recovered_files for i in self.indices)

    @property
    def done(self) -> bool:
        return bool(self.indices) and all(i.finished for i in self.indices)

    @property
    def stage(self) -> str:
        if not self.indices:
            return WAITING
        stages = [i.stage for i in self.indices]
        for stage in (WAITING, *STAGES[:-1]):
            if stage in stages:
                return stage
        return FAILED if FAILED in stages else "DONE"

    @property
    def percent(self) -> float:
        if self.done:
            return 100.0
        total = self.total_bytes
        return 100.0 * self.recovered_bytes / total if total else 0.0

    def summary(self) -> str:
        """One line: ``INDEX 42.0% 12.0mb/28.6mb files 3/7 1.0mb/s eta 17s``."""
        parts = [
            self.stage,
            f"{self.percent:.1f}%",
            f"{format_bytes(self.recovered_bytes)}/{format_bytes(self.total_bytes)}",
            f"files {self.recovered_files}/{self.total_files}",
        ]
        if self.throughput_bps is not None:
            parts.append(f"{format_bytes(self.throughput_bps)}/s")
        if self.eta_seconds is not None and not self.done:
            parts.append(f"eta {format_seconds(self.eta_seconds)}")
        if self.error:
            parts.append(f"(last poll failed: {self.error})")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "repository": self.repository,
            "snapshot": self.snapshot,
            "restore_uuid": self.restore_uuid,
            "stage": self.stage,
            "done": self.done,
            "percent": round(self.percent, 1),
            "total_bytes": self.total_bytes,
            "recovered_bytes": self.recovered_bytes,
            "total_files": self.total_files,
            "recovered_files": self.recovered_files,
            "throughput_bps": self.throughput_bps,
            "eta_seconds": self.eta_seconds,
            "elapsed_seconds": round(self.elapsed, 3),
            "error": self.error,
            "indices": [
                {
                    "name": i.name,
                    "source": i.source,
                    "stage": i.stage,
                    "percent": round(i.percent, 1),
                    "total_bytes": i.total_bytes,
                    "recovered_bytes": i.recovered_bytes,
                    "total_files": i.total_files,
                    "recovered_files": i.recovered_files,
                    "shards": len(i.shards),
                    "expected_shards": i.expected_shards,
                    "failed_shards": i.failed_shards,
                }
                for i in self.indices
            ],
        }
        if self.verification is not None:
            out["verification"] = {
                "ok": self.verification.ok,
                "problems": self.verification.problems,
                "indices": [
                    {
                        "name": c.name,
                        "exists": c.exists,
                        "health": c.health,
                        "primary_shards": c.primary_shards,
                        "expected_shards": c.expected_shards,
                    }
                    for c in self.verification.checks
                ],
            }
        return out


def format_bytes(value: float) -> str:
    amount = float(value)
    for unit in ("b", "kb", "mb", "gb", "tb"):
        if abs(amount) < 1024 or unit == "tb":
            return f"{amount:.0f}{unit}" if unit == "b" else f"{amount:.1f}{unit}"
        amount /= 1024
    return f"{amount:.1f}tb"  # pragma: no cover


def format_seconds(seconds: float) -> str:
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class RestoreMonitor:
    """Polls one restore. Iterate it (``async for progress in monitor``) to follow it to the end
    (the last item carries the verification), or call ``poll()``/``verify()`` yourself."""

    def __init__(
        self,
        client: ClusterClient,
        repository: str | None,
        snapshot: str,
        expected: Sequence[ExpectedIndex],
        *,
        restore_uuid: str | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        window: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        verify: bool = True,
        verify_attempts: int = 5,
    ) -> None:
        if not expected:
            raise ValueError("a restore monitor needs the indices the restore creates")
        self.client = client
        self.repository = repository
        self.snapshot = snapshot
        self.expected = list(expected)
        self.restore_uuid = restore_uuid
        self.interval = interval
        self.max_interval = max_interval
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.should_verify = verify
        self.verify_attempts = verify_attempts
        self._started = clock()
        self._samples: deque[tuple[float, int]] = deque()
        self._seen: dict[tuple[str, int], ShardProgress] = {}
        self._last: RestoreProgress | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def attach(cls, client: ClusterClient, restore: RestoreInFlight, **options: Any
                     ) -> RestoreMonitor:
        """A monitor for a restore found by :func:`find_restores_in_flight`. Shard counts come
        from the snapshot's ``index_details`` when the cluster can list them (best effort)."""
        shards: dict[str, int] = {}
        sources: dict[str, str] = {}
        try:
            recoveries = await recovery_of(client, list(restore.indices))
            for index, entry in recoveries.items():
                for shard in (entry or {}).get("shards") or []:
                    source = (shard.get("source") or {}).get("index")
                    if shard.get("type") == "SNAPSHOT" and source:
                        sources[index] = str(source)
            if restore.repository:
                detail = await client.snapshot(restore.repository, restore.snapshot)
                shards = {n: d.shard_count for n, d in detail.index_details.items()}
        except ClusterUnavailable:
            pass
        expected = [
            ExpectedIndex(name, sources.get(name), shards.get(sources.get(name, name)))
            for name in restore.indices
        ]
        return cls(client, restore.repository, restore.snapshot, expected,
                   restore_uuid=restore.restore_uuid, **options)

    # ---- one poll

    async def poll(self) -> RestoreProgress:
        """One ``_recovery`` request (never two at once) -> the current progress."""
        async with self._lock:
            now = self.clock()
            try:
                body = await recovery_of(self.client, [e.name for e in self.expected])
            except ClusterUnavailable as error:
                progress = self._progress(now, error=str(error))
            else:
                self._observe(body)
                progress = self._progress(now)
            self._last = progress
            return progress

    def _matches(self, shard: dict[str, Any]) -> bool:
        source = shard.get("source") or {}
        if shard.get("type") != "SNAPSHOT" or source.get("snapshot") != self.snapshot:
            return False
        if self.repository and source.get("repository") not in (None, self.repository):
            return False
        uuid = source.get("restoreUUID")
        if self.restore_uuid and uuid and uuid != self.restore_uuid:
            return False
        if self.restore_uuid is None and uuid:
            self.restore_uuid = uuid
        return True

    def _observe(self, body: dict[str, Any]) -> None:
        present: set[tuple[str, int]] = set()
        for index, entry in body.items():
            for raw in (entry or {}).get("shards") or []:
                if not raw.get("primary", True) or not self._matches(raw):
                    continue
                size = (raw.get("index") or {}).get("size") or {}
                files = (raw.get("index") or {}).get("files") or {}
                key = (str(index), _int(raw.get("id")))
                present.add(key)
                self._seen[key] = ShardProgress(
                    index=str(index),
                    shard=key[1],
                    stage=str(raw.get("stage", "INIT")),
                    total_bytes=_int(size.get("total_in_bytes")),
                    recovered_bytes=_int(size.get("recovered_in_bytes")),
                    total_files=_int(files.get("total")),
                    recovered_files=_int(files.get("recovered")),
                    node=(raw.get("target") or {}).get("name"),
                    index_time_ms=_int((raw.get("index") or {}).get("total_time_in_millis")),
                )
        for key, shard in list(self._seen.items()):
            if key not in present and not shard.finished:
                # it left _recovery before DONE: the shard failed (unassigned)
                self._seen[key] = ShardProgress(
                    shard.index, shard.shard, FAILED, shard.total_bytes, shard.recovered_bytes,
                    shard.total_files, shard.recovered_files, shard.node, shard.index_time_ms,
                )

    def _progress(self, now: float, *, error: str | None = None) -> RestoreProgress:
        indices = []
        for expected in self.expected:
            shards = tuple(
                sorted(
                    (s for (i, _), s in self._seen.items() if i == expected.name),
                    key=lambda s: s.shard,
                )
            )
            indices.append(
                IndexProgress(
                    name=expected.name,
                    source=expected.source,
                    expected_shards=expected.primary_shards,
                    shards=shards,
                    expected_bytes=expected.size_in_bytes,
                )
            )
        recovered = sum(i.recovered_bytes for i in indices)
        total = sum(i.total_bytes for i in indices)
        if error is None:
            self._samples.append((now, recovered))
            while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
                self._samples.popleft()
        rate = self._rate(indices)
        done = bool(indices) and all(i.finished for i in indices)
        eta = None
        if rate and rate > 0 and not done and total > recovered:
            eta = (total - recovered) / rate
        return RestoreProgress(
            repository=self.repository,
            snapshot=self.snapshot,
            indices=tuple(indices),
            at=now,
            elapsed=now - self._started,
            restore_uuid=self.restore_uuid,
            throughput_bps=rate,
            eta_seconds=eta,
            error=error,
        )

    def _rate(self, indices: list[IndexProgress]) -> float | None:
        """Bytes per second over the recent window; from the cluster's own per-shard timers
        until two observations exist (a freshly re-attached monitor still shows a rate)."""
        if len(self._samples) >= 2:
            (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
            if t1 > t0:
                return max(0.0, (b1 - b0) / (t1 - t0))
        rates = [
            s.recovered_bytes / (s.index_time_ms / 1000)
            for i in indices
            for s in i.shards
            if s.index_time_ms > 0 and not s.finished
        ]
        return sum(rates) if rates else None

    # ---- verification

    async def verify(self) -> Verification:
        """Every expected index exists, is green or yellow, and has the expected primaries.
        Retries a few times while an index is still red right after its shards finished."""
        checks: tuple[IndexCheck, ...] = ()
        for attempt in range(max(1, self.verify_attempts)):
            if attempt:
                await self.sleep(self.interval)
            try:
                found = {i.name: i for i in await self.client.indices()}
            except ClusterUnavailable as error:
                checks = tuple(
                    IndexCheck(e.name, False, None, None, e.primary_shards,
                               f"could not check: {error}")
                    for e in self.expected
                )
                continue
            checks = tuple(self._check(e, found.get(e.name)) for e in self.expected)
            if all(c.ok or c.health != "red" for c in checks):
                break
        return Verification(checks)

    def _check(self, expected: ExpectedIndex, index: Any) -> IndexCheck:
        if index is None:
            return IndexCheck(expected.name, False, None, None, expected.primary_shards,
                              "does not exist")
        health = index.health
        problem = None
        if index.status == "close":
            problem = "is closed"
        elif health not in ("green", "yellow"):
            problem = f"health is {health or 'unknown'}"
        elif (
            expected.primary_shards is not None
            and index.primary_shards is not None
            and index.primary_shards != expected.primary_shards
        ):
            problem = (
                f"has {index.primary_shards} primary shards, expected {expected.primary_shards}"
            )
        return IndexCheck(expected.name, True, health, index.primary_shards,
                          expected.primary_shards, problem)

    # ---- following to the end

    async def watch(self) -> AsyncIterator[RestoreProgress]:
        """Progress after every poll until done; the last one carries the verification."""
        delay = self.interval
        while True:
            progress = await self.poll()
            if progress.done:
                if self.should_verify:
                    verification = await self.verify()
                    progress = _with(progress, verification=verification)
                yield progress
                return
            yield progress
            delay = min(self.max_interval, delay * 2) if progress.error else self.interval
            await self.sleep(delay)

    def __aiter__(self) -> AsyncIterator[RestoreProgress]:
        return self.watch()


def _with(progress: RestoreProgress, **changes: Any) -> RestoreProgress:
    from dataclasses import replace

    return replace(progress, **changes)


async def find_restores_in_flight(client: ClusterClient) -> list[RestoreInFlight]:
    """Restores running on ``client``'s cluster, started by anyone (grouped by repository,
    snapshot and restore uuid): the app offers to watch them."""
    return await restores_in_progress(client)


__all__ = [
    "FAILED",
    "STAGES",
    "WAITING",
    "IndexCheck",
    "IndexProgress",
    "RestoreMonitor",
    "RestoreProgress",
    "ShardProgress",
    "Verification",
    "find_restores_in_flight",
    "format_bytes",
    "format_seconds",
]

