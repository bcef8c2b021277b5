"""Pre-flight checks: everything the target cluster would refuse, and what it would overwrite.

Why: a restore at 3 a.m. must not fail half-way or silently overwrite the wrong thing. Each
check is a pure function of the plan, the snapshot's facts and the target's facts (gathered by
the live client; no I/O here), so the wizard, ``esnap restore --plan`` and the tests see the
same answers. A check that mirrors a refusal of ``RestoreService`` carries the error the
cluster would send (:class:`PredictedError`, reference §4.3 wording), so tests can send the
unchecked request to the sandbox and compare.

Severities: BLOCKER (the cluster refuses, or the restore would destroy data without a
confirmed step), WARNING (it runs but something deserves a look: overwrites, capacity, retention)
and INFO (facts worth showing: the rename preview, what is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from esnap_tui.models import IndexInSnapshot, SnapshotState
from esnap_tui.restore.facts import (
    DeletionInFlight,
    ExistingDataStream,
    ExistingIndex,
    GlobalMetadataSummary,
    NodeDisk,
    RepositoryFacts,
    RestoreInFlight,
    SlmPolicyFacts,
    SnapshotFacts,
    TargetFacts,
    VerdictLike,
)
from esnap_tui.restore.plan import RestorePlan, flatten_index_settings
from esnap_tui.restore.rename import (
    BACKING_PREFIXES,
    RenamePreview,
    invalid_index_name_reason,
    preview,
    suggest_prefix_rename,
)
from esnap_tui.restore.request import (
    RestoreRequest,
    register_repository_request,
    supports_feature_states,
)
from esnap_tui.versions import Product, Version, VersionRange, index_version_id_for

UNMODIFIABLE_SETTINGS = (
    "index.number_of_shards",
    "index.version.created",
    "index.uuid",
    "index.creation_date",
    "index.history_uuid",
)
"""``RestoreService.UNMODIFIABLE_SETTINGS``: ``index_settings`` may not set these."""

UNREMOVABLE_SETTINGS = (
    *UNMODIFIABLE_SETTINGS,
    "index.number_of_replicas",
    "index.auto_expand_replicas",
)
"""``ignore_index_settings`` may not remove these."""

ARCHIVE_LICENCES = ("enterprise", "trial")
DEFAULT_MAX_SHARDS_PER_NODE = 1000
HIGH_WATERMARK = 0.90  # cluster.routing.allocation.disk.watermark.high default
LOW_WATERMARK = 0.85
SLM_SOON_MS = 24 * 3600 * 1000


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"blocker": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class PredictedError:
    """The error the target would answer with if the request were sent anyway.

    ``reason`` is the text as Elasticsearch writes it (without the ``[repo:snap/uuid]`` prefix
    of snapshot exceptions, which ``matches`` ignores); ``pattern`` (a regex searched in the
    actual reason) replaces exact comparison where a number in the text cannot be predicted.
    """

    status: int
    type: str
    reason: str
    pattern: str | None = None

    def matches(self, status: int, type_: str, reason: str) -> bool:
        if status != self.status or type_ != self.type:
            return False
        if self.pattern is not None:
            return re.search(self.pattern, reason) is not None
        return _strip_snapshot_prefix(reason) == _strip_snapshot_prefix(self.reason)


_SNAPSHOT_PREFIX = re.compile(r"^\[[^\]\s]+:[^\]\s]+\] ")


def _strip_snapshot_prefix(reason: str) -> str:
    return _SNAPSHOT_PREFIX.sub("", reason, count=1)


@dataclass(frozen=True)
class FixAction:
    """A way out of a problem the UI can offer as a button.

    ``confirm`` marks steps that change the target cluster (close an index, register a
    repository, take a safety snapshot): they are shown with ``request`` and run only after
    the user confirms. ``params`` are plan changes for the other kinds.
    """

    kind: str  # rename | close-index | safety-snapshot | register-repository | use-repository
    #            | set-option | deselect | wait
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    confirm: bool = False
    request: RestoreRequest | None = None


@dataclass(frozen=True)
class CheckResult:
    id: str
    severity: Severity
    message: str
    fix: str | None = None
    subject: str | None = None  # the index / data stream / feature / setting concerned
    actions: tuple[FixAction, ...] = ()
    details: tuple[str, ...] = ()
    predicts: PredictedError | None = None

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKER


# --------------------------------------------------------------------------------------------
# selection


@dataclass
class Selection:
    """Which snapshot indices, data streams and feature states the plan restores."""

    indices: list[str] = field(default_factory=list)  # incl. system indices of feature states
    data_streams: list[str] = field(default_factory=list)
    feature_states: list[str] = field(default_factory=list)
    feature_indices: list[str] = field(default_factory=list)  # never renamed
    missing: list[str] = field(default_factory=list)
    explicit_system: list[str] = field(default_factory=list)
    explicit_system_streams: list[str] = field(default_factory=list)
    skipped_system: list[str] = field(default_factory=list)


def _is_pattern(text: str) -> bool:
    return "*" in text or "?" in text


def resolve_selection(plan: RestorePlan, snapshot: SnapshotFacts, target: Version) -> Selection:
    """The indices a cluster of ``target`` version would restore for this plan."""
    detail = snapshot.detail
    infos = {info.name: info for info in snapshot.indices}
    available = list(detail.indices) or sorted(infos)
    for name in infos:
        if name not in available:
            available.append(name)
    streams = list(detail.data_streams)
    expressions = plan.expressions
    selection = Selection()
    chosen: dict[str, None] = {}
    chosen_streams: dict[str, None] = {}
    if expressions is None or expressions in (["_all"], ["*"]):
        chosen = dict.fromkeys(available)
        chosen_streams = dict.fromkeys(streams)
    else:
        for position, part in enumerate(expressions):
            if part.startswith("-") and position > 0:
                for name in [n for n in chosen if fnmatchcase(n, part[1:])]:
                    del chosen[name]
                for name in [n for n in chosen_streams if fnmatchcase(n, part[1:])]:
                    del chosen_streams[name]
                continue
            if _is_pattern(part):
                chosen.update(dict.fromkeys(n for n in available if fnmatchcase(n, part)))
                chosen_streams.update(dict.fromkeys(s for s in streams if fnmatchcase(s, part)))
            elif part in streams:
                chosen_streams[part] = None
            elif part in available:
                chosen[part] = None
            elif part != "_all":
                selection.missing.append(part)
    for stream in chosen_streams:
        for info in snapshot.indices:
            if info.data_stream == stream:
                chosen.setdefault(info.name, None)
    explicit = set(expressions or [])

    feature_of: dict[str, str] = {}
    for feature in detail.feature_states:
        for name in feature.indices:
            feature_of[name] = feature.feature_name
    restores_features = supports_feature_states(target)
    selection.feature_states = (
        [f for f in plan.feature_states if f != "none"] if restores_features else []
    )
    system_via_features = target.product is Product.ELASTICSEARCH and target.major >= 8
    names = list(chosen)
    if system_via_features:
        kept: list[str] = []
        for name in names:
            info = infos.get(name)
            system = (info is not None and info.system) or name in feature_of
            if not system:
                kept.append(name)
            elif name in explicit:
                selection.explicit_system.append(name)
            else:
                selection.skipped_system.append(name)
        names = kept
        for stream in list(chosen_streams):
            backing = [i for i in snapshot.indices if i.data_stream == stream]
            if backing and all(i.system for i in backing):
                if stream in explicit:
                    selection.explicit_system_streams.append(stream)
                del chosen_streams[stream]
    for feature in detail.feature_states:
        if feature.feature_name in selection.feature_states:
            for name in feature.indices:
                if name not in names:
                    names.append(name)
                selection.feature_indices.append(name)
    selection.indices = names
    selection.data_streams = list(chosen_streams)
    return selection


# --------------------------------------------------------------------------------------------
# the report


@dataclass
class CheckReport:
    results: list[CheckResult]
    selection: Selection
    preview: RenamePreview

    @property
    def blockers(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity is Severity.BLOCKER]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity is Severity.WARNING]

    @property
    def can_proceed(self) -> bool:
        return not self.blockers

    def by_id(self, check_id: str) -> list[CheckResult]:
        return [r for r in self.results if r.id == check_id]

    def predicted(self, status: int, type_: str, reason: str) -> list[CheckResult]:
        """The checks that foresaw this error answer."""
        return [r for r in self.results if r.predicts and r.predicts.matches(status, type_, reason)]

    def to_dict(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "severity": r.severity.value,
                "message": r.message,
                "fix": r.fix,
                "subject": r.subject,
                "details": list(r.details),
            }
            for r in self.results
        ]


def run_checks(plan: RestorePlan, snapshot: SnapshotFacts, target: TargetFacts) -> CheckReport:
    """Every pre-flight check, blockers first (stable order within a severity)."""
    selection = resolve_selection(plan, snapshot, target.version)
    ctx = _Context(plan, snapshot, target, selection)
    results: list[CheckResult] = []
    for check in _CHECKS:
        results.extend(check(ctx))
    results.sort(key=lambda r: r.severity.rank)
    return CheckReport(results=results, selection=selection, preview=ctx.preview)


@dataclass
class _Context:
    plan: RestorePlan
    snapshot: SnapshotFacts
    target: TargetFacts
    selection: Selection
    preview: RenamePreview = field(init=False)

    def __post_init__(self) -> None:
        backing = [n for n in self.selection.indices if self.is_backing(n)]
        existing = {i.name for i in self.target.indices}
        existing |= {d.name for d in self.target.data_streams}
        existing |= set(self.target.alias_map())
        self.preview = preview(
            self.selection.indices,
            self.plan.rename_pattern,
            self.plan.rename_replacement,
            backing_indices=backing,
            data_streams=self.selection.data_streams,
            existing=existing,
            keep=self.selection.feature_indices,
            colon_forbidden=self.version.major >= 7 or self.is_opensearch,
        )

    @property
    def version(self) -> Version:
        return self.target.version

    @property
    def is_opensearch(self) -> bool:
        return self.version.product is Product.OPENSEARCH

    def is_backing(self, name: str) -> bool:
        info = self.snapshot.index(name)
        if info is not None and info.data_stream is not None:
            return True
        return name.startswith(BACKING_PREFIXES) and any(
            name.startswith(f"{p}{s}-")
            for p in BACKING_PREFIXES
            for s in self.snapshot.detail.data_streams
        )

    def target_of(self, name: str) -> str:
        for entry in self.preview.entries:
            if entry.source == name and entry.kind != "data-stream":
                return entry.target
        return name

    def stream_target(self, name: str) -> str:
        for entry in self.preview.entries:
            if entry.source == name and entry.kind == "data-stream":
                return entry.target
        return name

    def snap_prefix(self) -> str:
        detail = self.snapshot.detail
        return f"[{self.plan.repository_on_target}:{detail.name}/{detail.uuid}]"

    def restore_error(self, message: str) -> PredictedError:
        return PredictedError(500, "snapshot_restore_exception", f"{self.snap_prefix()} {message}")

    def rename_fix(self, names: Iterable[str]) -> FixAction:
        sources = list(self.selection.indices) + list(self.selection.data_streams)
        taken = {i.name for i in self.target.indices} | {d.name for d in self.target.data_streams}
        taken |= set(self.target.alias_map())
        backing = [n for n in sources if self.is_backing(n)]
        pattern, replacement = suggest_prefix_rename(sources, taken, backing_indices=backing)
        return FixAction(
            "rename",
            f"rename with pattern {pattern} -> {replacement}",
            {"rename_pattern": pattern, "rename_replacement": replacement},
        )

    def replicas_of(self, info: IndexInSnapshot | None) -> int:
        override = flatten_index_settings(self.plan.index_settings).get("index.number_of_replicas")
        raw = (
            override
            if override is not None
            else (info.settings if info else {}).get("index.number_of_replicas")
        )
        try:
            return int(raw) if raw is not None else 1
        except (TypeError, ValueError):
            return 1


def _min_index_compat(version: Version) -> Version:
    """The default minimum index compatibility of a release (used when ``GET /`` lacks it)."""
    if version.product is Product.OPENSEARCH:
        if version.major <= 1:
            return Version(6, 0, 0, 26)
        if version.major == 2:
            return Version(7, 0, 0)
        return Version(2, 0, 0, product=Product.OPENSEARCH)
    return {
        5: Version(2, 0, 0),
        6: Version(5, 0, 0),
        7: Version(6, 0, 0, 26),
        8: Version(7, 0, 0),
    }.get(version.major, Version(version.major - 1, 0, 0))


def _archive_capable(version: Version) -> bool:
    return version.product is Product.ELASTICSEARCH and (version.major, version.minor) >= (8, 3)


def _java_set(items: Iterable[str]) -> str:
    return "[" + ", ".join(items) + "]"


# --------------------------------------------------------------------------------------------
# checks: the snapshot itself


def _check_snapshot(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    detail = ctx.snapshot.detail
    if detail.state is not None and detail.state not in (
        SnapshotState.SUCCESS,
        SnapshotState.PARTIAL,
    ):
        out.append(
            CheckResult(
                "snapshot-state",
                Severity.BLOCKER,
                f"snapshot {detail.name} is {detail.state.value}; only SUCCESS and PARTIAL "
                "snapshots can be restored",
                fix="choose another snapshot",
                predicts=ctx.restore_error(f"unsupported snapshot state [{detail.state.value}]"),
            )
        )
    out.extend(_check_snapshot_version(ctx, detail.version))
    return out


def _check_snapshot_version(ctx: _Context, snap: VersionRange | None) -> list[CheckResult]:
    target = ctx.version
    if snap is None:
        return [
            CheckResult(
                "snapshot-version",
                Severity.WARNING,
                "the version that wrote the snapshot is unknown; the target may refuse it",
            )
        ]
    low = snap.low
    node = str(target)
    snap_os = low.product is Product.OPENSEARCH
    if snap_os and not ctx.is_opensearch:
        return [
            CheckResult(
                "snapshot-newer",
                Severity.BLOCKER,
                f"the snapshot was written by OpenSearch {snap}; Elasticsearch cannot restore it",
                fix="restore into an OpenSearch cluster of the same or a newer version",
                predicts=PredictedError(
                    500,
                    "snapshot_restore_exception",
                    "",
                    pattern=r"which is higher than the version of this node",
                ),
            )
        ]
    if snap_os == ctx.is_opensearch and _newer_than_target(ctx, snap):
        product = "OpenSearch" if ctx.is_opensearch else "Elasticsearch"
        if ctx.is_opensearch or (target.major, target.minor) < (8, 11):
            text = f"the snapshot was created with {product} version [{snap}] which is higher"
        else:
            text = f"the snapshot was created with version [{snap}] which is higher"
        text += f" than the version of this node [{node}]"
        return [
            CheckResult(
                "snapshot-newer",
                Severity.BLOCKER,
                f"the snapshot was written by {snap}, newer than the target ({target}): "
                "a snapshot cannot be restored into an older version",
                fix=f"restore into a cluster running {snap} or newer",
                predicts=PredictedError(
                    500,
                    "snapshot_restore_exception",
                    text,
                    pattern=re.escape("which is higher than the version of this node"),
                ),
            )
        ]
    if ctx.is_opensearch and not snap_os:
        if (low.major, low.minor) >= (7, 11):
            return [
                CheckResult(
                    "snapshot-product",
                    Severity.WARNING,
                    f"the snapshot was written by Elasticsearch {snap}; OpenSearch is reported "
                    "unable to read repositories written by Elasticsearch 7.11 and later",
                    fix="restore into Elasticsearch, then reindex from remote into OpenSearch",
                )
            ]
        return []
    minimum = ctx.target.minimum_index_compatibility or _min_index_compat(target)
    if low >= minimum:
        return []
    if _archive_capable(target):
        floor = Version(7, 0, 0) if target.major >= 9 else minimum
        if low >= floor:
            return []
        licence = (ctx.target.license or "").lower()
        if licence in ARCHIVE_LICENCES:
            return [
                CheckResult(
                    "snapshot-archive",
                    Severity.WARNING,
                    f"the snapshot is from {snap}: its indices come back as read-only archive "
                    "indices (limited field types, no writes)",
                    fix="to get writable indices, restore into an older cluster and reindex",
                )
            ]
        known = ctx.target.license is not None
        return [
            CheckResult(
                "archive-licence",
                Severity.BLOCKER if known else Severity.WARNING,
                f"a {snap} snapshot needs archive indices on {target}, which need an "
                f"enterprise licence (target licence: {ctx.target.license or 'unknown'})",
                fix="start a trial or enterprise licence on the target, or restore into an "
                "older cluster and reindex",
                predicts=PredictedError(
                    403, "security_exception", "current license is non-compliant for [archive]"
                ),
            )
        ]
    return [
        CheckResult(
            "snapshot-too-old",
            Severity.BLOCKER,
            f"the snapshot is from {snap}, below the target's minimum index compatibility "
            f"({minimum})",
            fix=f"restore into a {minimum.major}.x cluster first, then reindex from remote",
            predicts=PredictedError(
                500,
                "snapshot_restore_exception",
                "",
                pattern=re.escape(
                    f"which is below the current versions minimum index compatibility version "
                    f"[{minimum}]"
                ),
            ),
        )
    ]


# --------------------------------------------------------------------------------------------
# checks: selection, system indices, partial indices


def _check_selection(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    sel = ctx.selection
    for name in sel.missing:
        if ctx.plan.ignore_unavailable:
            out.append(
                CheckResult(
                    "selection-missing",
                    Severity.WARNING,
                    f"{name} is not in the snapshot; it is skipped (ignore_unavailable)",
                    subject=name,
                )
            )
            continue
        out.append(
            CheckResult(
                "selection-missing",
                Severity.BLOCKER,
                f"{name} is not an index or data stream of snapshot {ctx.snapshot.detail.name}",
                fix="remove it from the selection, or set ignore_unavailable",
                subject=name,
                actions=(FixAction("deselect", f"remove {name}", {"remove": name}),),
                predicts=PredictedError(
                    404, "index_not_found_exception", f"no such index [{name}]"
                ),
            )
        )
    if sel.explicit_system:
        names = _java_set(sel.explicit_system)
        out.append(
            CheckResult(
                "system-index-requested",
                Severity.BLOCKER,
                f"system indices {names} can only be restored as part of a feature state",
                fix="remove them from the indices and select their feature state instead",
                actions=tuple(
                    FixAction("deselect", f"remove {n}", {"remove": n}) for n in sel.explicit_system
                ),
                predicts=PredictedError(
                    400,
                    "illegal_argument_exception",
                    f"requested system indices {names}, but system indices can only be restored "
                    "as part of a feature state",
                ),
            )
        )
    for stream in sel.explicit_system_streams:
        out.append(
            CheckResult(
                "system-data-stream-requested",
                Severity.BLOCKER,
                f"system data stream {stream} can only be restored as part of a feature state",
                fix="remove it and select its feature state instead",
                subject=stream,
                predicts=PredictedError(
                    400,
                    "illegal_argument_exception",
                    f"requested system data stream [{stream}], but system data streams can only "
                    "be restored as part of a feature state",
                ),
            )
        )
    if sel.skipped_system:
        out.append(
            CheckResult(
                "system-index-skipped",
                Severity.INFO,
                f"{len(sel.skipped_system)} system indices matched by patterns are skipped "
                "(restored only with their feature state)",
                details=tuple(sel.skipped_system),
            )
        )
    nothing = not sel.indices and not sel.data_streams
    if nothing and not ctx.plan.include_global_state and not sel.feature_states:
        out.append(
            CheckResult(
                "selection-empty",
                Severity.WARNING,
                "the plan restores nothing: no index, data stream, global or feature state",
                fix="select indices or data streams",
            )
        )
    return out


def _check_partial(ctx: _Context) -> list[CheckResult]:
    detail = ctx.snapshot.detail
    failed = {f.index for f in detail.failures}
    out: list[CheckResult] = []
    for name in ctx.selection.indices:
        if name not in failed:
            continue
        if ctx.plan.partial:
            out.append(
                CheckResult(
                    "partial-index",
                    Severity.WARNING,
                    f"{name} was not fully snapshotted: its failed shards come back empty",
                    subject=name,
                )
            )
        else:
            out.append(
                CheckResult(
                    "partial-index",
                    Severity.BLOCKER,
                    f"{name} was not fully snapshotted",
                    fix="set partial: true (failed shards come back empty) or deselect it",
                    subject=name,
                    actions=(FixAction("set-option", "restore partially", {"partial": True}),),
                    predicts=ctx.restore_error(
                        f"index [{name}] wasn't fully snapshotted - cannot restore"
                    ),
                )
            )
    if detail.state is SnapshotState.PARTIAL and not failed:
        out.append(
            CheckResult(
                "partial-index",
                Severity.WARNING,
                "the snapshot is PARTIAL but which indices failed is not known",
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# checks: compatibility per index


def _verdict_name(value: Any) -> str:
    raw = getattr(value, "value", value)
    return str(raw).upper().replace("-", "_")


def _check_compat(ctx: _Context) -> list[CheckResult]:
    by_index = {v.index: v for v in ctx.snapshot.verdicts}
    out: list[CheckResult] = []
    for name in ctx.selection.indices:
        verdict = by_index.get(name)
        if verdict is None:
            continue
        kind = _verdict_name(verdict.verdict)
        info = ctx.snapshot.index(name)
        created = getattr(verdict, "created", None)
        if kind == "INCOMPATIBLE":
            advice = getattr(verdict, "advice", None)
            summary = getattr(advice, "summary", None) if advice else None
            out.append(
                CheckResult(
                    "index-compat",
                    Severity.BLOCKER,
                    f"{name}: {verdict.reason}",
                    fix=summary or "restore into an older cluster, then reindex from remote",
                    subject=name,
                    actions=(FixAction("deselect", f"remove {name}", {"remove": name}),),
                    predicts=_refusal(ctx, name, info, created),
                )
            )
        elif kind == "READ_ONLY_ARCHIVE":
            out.append(
                CheckResult(
                    "index-compat",
                    Severity.WARNING,
                    f"{name}: {_read_only_words(ctx, created)} ({verdict.reason})",
                    subject=name,
                )
            )
        elif kind == "UNKNOWN":
            out.append(
                CheckResult(
                    "index-compat",
                    Severity.WARNING,
                    f"{name}: compatibility unknown ({verdict.reason})",
                    subject=name,
                )
            )
    return out


def _read_only_words(ctx: _Context, created: VersionRange | None) -> str:
    """Which of 9.x's two read-only paths applies: the verdict is the same for both, but an
    N-2 index (7.x on 9.x) needs no licence and keeps its write block for good, while an
    archive index (5.x/6.x on 8.3+) needs an enterprise licence and limits field types."""
    target = ctx.version
    if ctx.is_opensearch or target.major < 9:
        return "restored as a read-only archive index"  # 8.3+: no N-2 path before 9.0
    majors = _created_majors(created)
    n2 = target.major - 2
    if majors == (n2, n2):
        return "restored read-only (N-2, write block kept)"
    if majors is not None and majors[1] < n2:
        return "restored as a read-only archive index"
    return (
        f"restored read-only: as an archive index if created before {n2}.0, as an N-2 index "
        f"(write block kept) if created in {n2}.x"
    )


def _created_majors(created: VersionRange | None) -> tuple[int, int] | None:
    """The first and last major ``created`` may stand for (None when open-ended or unknown)."""
    if created is None or created.high is None:
        return None
    return created.low.major, created.high.major


def _refusal(
    ctx: _Context, name: str, info: IndexInSnapshot | None, created: VersionRange | None
) -> PredictedError:
    """What the target answers for an index it cannot take.

    A newer index means a newer snapshot, which ``RestoreService`` refuses before it looks at
    any index; a 5.x/6.x index on an archive-capable cluster without the licence is refused by
    the licence check; anything else fails the metadata upgrade ("cannot be upgraded").
    """
    if _newer_than_target(ctx, created) or _newer_than_target(ctx, ctx.snapshot.detail.version):
        return _newer_snapshot_error(ctx, ctx.snapshot.detail.version)
    majors = _created_majors(created)
    licence = (ctx.target.license or "").lower()
    if (
        majors is not None
        and majors[0] >= 5
        and majors[1] <= 6
        and _archive_capable(ctx.version)
        and ctx.target.license is not None
        and licence not in ARCHIVE_LICENCES
    ):
        return PredictedError(
            403, "security_exception", "current license is non-compliant for [archive]"
        )
    uuid = (info.uuid if info else None) or ""
    return PredictedError(
        500,
        "snapshot_restore_exception",
        f"cannot restore index [[{name}/{uuid}]] because it cannot be upgraded",
        pattern=re.escape(f"cannot restore index [[{name}/")
        + r"[^\]]*"
        + re.escape("]] because it cannot be upgraded"),
    )


def _newer_than_target(ctx: _Context, span: VersionRange | None) -> bool:
    """Whether ``span`` (a created or snapshot version) is surely newer than the target.

    Elasticsearch 8.11+ compares IndexVersion ids, not releases (9.1.9 may write the same id
    as 9.1.5, or a newer one), so the id decides when both sides have one.
    """
    if span is None or span.product is not ctx.version.product:
        return False
    raw = span.index_version_id
    if raw is not None and not ctx.is_opensearch:
        try:
            return raw > index_version_id_for(ctx.version)
        except ValueError:
            pass  # the target's id is not known: compare releases
    return span.low > ctx.version


def _newer_snapshot_error(ctx: _Context, snap: VersionRange | None) -> PredictedError:
    """``the snapshot was created with [product ]version [X] which is higher than the version
    of this node [Y]`` (reference §4.3): the product word until 8.10 and on OpenSearch; X is
    the release text of the snapshot's id, which only the cluster knows exactly."""
    target = ctx.version
    node = str(target)
    if ctx.is_opensearch or (target.major, target.minor) < (8, 11):
        product = "OpenSearch " if ctx.is_opensearch else "Elasticsearch "
    else:
        product = ""
    head = f"the snapshot was created with {product}version ["
    tail = f"] which is higher than the version of this node [{node}]"
    return PredictedError(
        500,
        "snapshot_restore_exception",
        f"{head}{snap if snap is not None else '?'}{tail}",
        pattern=re.escape(head) + r"[^\]]*" + re.escape(tail),
    )


# --------------------------------------------------------------------------------------------
# checks: rename and name conflicts


def _check_rename(ctx: _Context) -> list[CheckResult]:
    plan = ctx.plan
    out: list[CheckResult] = []
    if (plan.rename_pattern is None) != (plan.rename_replacement is None):
        out.append(
            CheckResult(
                "rename-incomplete",
                Severity.WARNING,
                "a rename needs both pattern and replacement; nothing is renamed",
                fix="fill in both, or clear both",
            )
        )
    prev = ctx.preview
    if prev.error:
        out.append(
            CheckResult(
                "rename-invalid-pattern",
                Severity.BLOCKER,
                f"rename: {prev.error}",
                fix="correct the pattern or replacement (Java regex; $1 refers to group 1)",
            )
        )
        return out
    seen: set[frozenset[str]] = set()
    for entry in prev.entries:
        if entry.invalid:
            out.append(
                CheckResult(
                    "rename-invalid-name",
                    Severity.BLOCKER,
                    f"{entry.source} would be renamed to [{entry.target}]: {entry.invalid}",
                    fix="change the replacement so every name is valid",
                    subject=entry.source,
                    predicts=PredictedError(
                        400,
                        "invalid_index_name_exception",
                        invalid_index_name_reason(entry.target, entry.invalid),
                    ),
                )
            )
        if entry.collides_with and entry.kind != "data-stream":
            group = frozenset((entry.source, *entry.collides_with))
            if group in seen:
                continue
            seen.add(group)
            first, second = sorted(group)[:2]
            out.append(
                CheckResult(
                    "rename-collision",
                    Severity.BLOCKER,
                    f"{', '.join(sorted(group))} are all renamed to {entry.target}",
                    fix="use a capture group in the replacement, e.g. (.+) -> restored-$1",
                    subject=entry.target,
                    predicts=PredictedError(
                        500,
                        "snapshot_restore_exception",
                        f"indices [{first}] and [{second}] are renamed into the same index "
                        f"[{entry.target}]",
                        pattern=r"indices \[[^\]]+\] and \[[^\]]+\] are renamed into the same "
                        + re.escape(f"index [{entry.target}]"),
                    ),
                )
            )
    if plan.renames:
        out.append(
            CheckResult(
                "rename-preview",
                Severity.INFO,
                f"{sum(e.renamed for e in prev.entries)} of {len(prev.entries)} names change",
                details=tuple(prev.lines()),
            )
        )
    return out


def _check_conflicts(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    target = ctx.target
    aliases = target.alias_map()
    streams = {d.name: d for d in target.data_streams}
    feature_indices = set(ctx.selection.feature_indices)
    failed = {f.index for f in ctx.snapshot.detail.failures}
    restored_aliases: dict[str, str] = {}
    if ctx.plan.include_aliases:
        for name in ctx.selection.indices:
            info = ctx.snapshot.index(name)
            for alias in info.aliases if info else []:
                restored_aliases.setdefault(alias, name)
    for name in ctx.selection.indices:
        if name in feature_indices:
            continue  # feature-state indices replace the existing ones (see feature checks)
        dest = ctx.target_of(name)
        info = ctx.snapshot.index(name)
        existing = target.index(dest)
        if existing is not None:
            out.extend(_existing_index_conflict(ctx, name, dest, existing, info, name in failed))
            continue
        if dest in aliases:
            out.append(
                CheckResult(
                    "conflict-alias",
                    Severity.BLOCKER,
                    f"{dest} is an alias on {target.name} (of {', '.join(aliases[dest])})",
                    fix="rename the restored index",
                    subject=name,
                    actions=(ctx.rename_fix([name]),),
                    predicts=ctx.restore_error(
                        f"cannot rename index [{name}] into [{dest}] because of conflict with an "
                        "alias with the same name"
                    ),
                )
            )
        elif dest in streams:
            out.append(
                CheckResult(
                    "conflict-data-stream",
                    Severity.BLOCKER,
                    f"{dest} is a data stream on {target.name}; an index cannot take its name",
                    fix="rename the restored index",
                    subject=name,
                    actions=(ctx.rename_fix([name]),),
                )
            )
        if dest in restored_aliases and dest != name:
            out.append(
                CheckResult(
                    "conflict-restored-alias",
                    Severity.BLOCKER,
                    f"{name} is renamed to {dest}, which is an alias the restore brings back "
                    f"(of {restored_aliases[dest]})",
                    fix="change the rename, or set include_aliases: false",
                    subject=name,
                    actions=(
                        FixAction("set-option", "without aliases", {"include_aliases": False}),
                    ),
                    predicts=ctx.restore_error(
                        f"cannot rename index [{name}] into [{dest}] because of conflict with an "
                        "alias with the same name"
                    ),
                )
            )
    existing_names = {i.name for i in target.indices}
    for alias, owner in restored_aliases.items():
        if alias in existing_names:
            out.append(
                CheckResult(
                    "conflict-alias-index",
                    Severity.BLOCKER,
                    f"the restore brings back alias {alias} (of {owner}), but {alias} is an "
                    f"index on {target.name}",
                    fix="set include_aliases: false",
                    subject=alias,
                    actions=(
                        FixAction("set-option", "without aliases", {"include_aliases": False}),
                    ),
                )
            )
    for stream in ctx.selection.data_streams:
        dest = ctx.stream_target(stream)
        if dest in streams:
            out.append(
                CheckResult(
                    "conflict-data-stream",
                    Severity.BLOCKER,
                    f"data stream {dest} exists on {target.name}; restoring {stream} would "
                    "replace it and orphan its backing indices",
                    fix="rename the restored data stream (e.g. (.+) -> restored-$1)",
                    subject=stream,
                    actions=(ctx.rename_fix([stream]),),
                )
            )
    return out


def _existing_index_conflict(
    ctx: _Context,
    name: str,
    dest: str,
    existing: ExistingIndex,
    info: IndexInSnapshot | None,
    partial: bool,
) -> list[CheckResult]:
    safety = _safety_snapshot_action([dest])
    close = FixAction(
        "close-index",
        f"close the existing index {dest} (never deleted)",
        {"index": dest},
        confirm=True,
        request=RestoreRequest("POST", f"/{dest}/_close", {}, {}),
    )
    if existing.is_open:
        return [
            CheckResult(
                "conflict-open-index",
                Severity.BLOCKER,
                f"{dest} already exists and is open on {ctx.target.name}",
                fix="rename with pattern (.+) -> restored-$1, or close the existing index "
                "(never deleted by default)",
                subject=name,
                actions=(ctx.rename_fix([name]), safety, close),
                predicts=ctx.restore_error(
                    f"cannot restore index [{dest}] because an open index with same name already "
                    "exists in the cluster. Either close or delete the existing index or restore "
                    "the index under a different name by providing a rename pattern and "
                    "replacement name"
                ),
            )
        ]
    out: list[CheckResult] = []
    if partial and ctx.plan.partial:
        out.append(
            CheckResult(
                "conflict-partial-existing",
                Severity.BLOCKER,
                f"{name} is partial in the snapshot and {dest} exists: a partial index cannot "
                "be restored over an existing one",
                fix="rename it",
                subject=name,
                actions=(ctx.rename_fix([name]),),
                predicts=ctx.restore_error(
                    f"cannot restore partial index [{dest}] because such index already exists"
                ),
            )
        )
    shards = info.primary_shards if info else None
    if (
        shards is not None
        and existing.primary_shards is not None
        and shards != existing.primary_shards
    ):
        out.append(
            CheckResult(
                "conflict-closed-shards",
                Severity.BLOCKER,
                f"closed index {dest} has {existing.primary_shards} primary shards, the "
                f"snapshot's {name} has {shards}",
                fix="rename with pattern (.+) -> restored-$1",
                subject=name,
                actions=(ctx.rename_fix([name]),),
                predicts=ctx.restore_error(
                    f"cannot restore index [{dest}] with [{existing.primary_shards}] shards from "
                    f"a snapshot of index [{name}] with [{shards}] shards"
                ),
            )
        )
    if not out:
        out.append(
            CheckResult(
                "conflict-closed-index",
                Severity.WARNING,
                f"closed index {dest} will be overwritten by the snapshot's {name}",
                fix="take a safety snapshot of it first, or rename",
                subject=name,
                actions=(safety, ctx.rename_fix([name])),
            )
        )
    return out


def _safety_snapshot_action(indices: list[str], *, global_state: bool = False) -> FixAction:
    body: dict[str, Any] = {
        "indices": indices if indices else ["-*"],
        "include_global_state": global_state,
    }
    what = ", ".join(indices) if indices else "the cluster state"
    return FixAction(
        "safety-snapshot",
        f"take a safety snapshot of {what} first",
        {"indices": list(indices), "include_global_state": global_state},
        confirm=True,
        request=RestoreRequest(
            "PUT",
            "/_snapshot/<writable-repository>/<safety-snapshot>",
            {"wait_for_completion": "true"},
            body,
        ),
    )


# --------------------------------------------------------------------------------------------
# checks: global state and feature states


def _check_global_state(ctx: _Context) -> list[CheckResult]:
    if not ctx.plan.include_global_state:
        return []
    detail = ctx.snapshot.detail
    if detail.include_global_state is False:
        if not ctx.is_opensearch and ctx.version.major >= 8:
            return [
                CheckResult(
                    "global-state-missing",
                    Severity.BLOCKER,
                    "the snapshot was taken without global state",
                    fix="set include_global_state: false",
                    actions=(
                        FixAction("set-option", "no global state", {"include_global_state": False}),
                    ),
                    predicts=ctx.restore_error(
                        "cannot restore global state since the snapshot was created without "
                        "global state"
                    ),
                )
            ]
        return [
            CheckResult(
                "global-state-missing",
                Severity.WARNING,
                "the snapshot was taken without global state: there is none to restore",
                fix="set include_global_state: false",
            )
        ]
    meta = ctx.snapshot.global_metadata
    safety = _safety_snapshot_action([], global_state=True)
    if meta is None:
        return [
            CheckResult(
                "global-state-overwrite",
                Severity.WARNING,
                "global state replaces persistent settings, templates, ingest pipelines and ILM "
                "policies; what the snapshot holds could not be read",
                fix="take a safety snapshot of the target's cluster state first",
                actions=(safety,),
            )
        ]
    target = ctx.target
    details: list[str] = []

    def names(label: str, theirs: list[str], ours: list[str] | None, verb: str) -> None:
        if not theirs:
            return
        if ours is None:
            details.append(f"{label}: {verb} {', '.join(theirs)}")
            return
        clash = [n for n in theirs if n in ours]
        new = [n for n in theirs if n not in ours]
        parts = []
        if clash:
            parts.append(f"overwrites {', '.join(clash)}")
        if new:
            parts.append(f"adds {', '.join(new)}")
        details.append(f"{label}: {'; '.join(parts)}")

    settings = meta.persistent_settings
    if settings:
        current = target.persistent_settings
        if current is None:
            details.append(f"persistent settings: replaced by {len(settings)} from the snapshot")
        else:
            changed = sorted(k for k, v in settings.items() if current.get(k) != v)
            dropped = sorted(k for k in current if k not in settings)
            text = f"persistent settings: replaced ({len(changed)} changed"
            if changed:
                text += f": {', '.join(changed)}"
            if dropped:
                text += f"; {len(dropped)} removed: {', '.join(dropped)}"
            details.append(text + ")")
    names("legacy templates", meta.templates, target.templates, "merges")
    names("index templates", meta.index_templates, target.index_templates, "replaces with")
    names(
        "component templates", meta.component_templates, target.component_templates, "replaces with"
    )
    names("ingest pipelines", meta.pipelines, target.pipelines, "replaces with")
    names("ILM policies", meta.ilm_policies, target.ilm_policies, "replaces with")
    names("stored scripts", meta.stored_scripts, None, "replaces with")
    return [
        CheckResult(
            "global-state-overwrite",
            Severity.WARNING,
            f"global state overwrites cluster-wide configuration of {target.name}",
            fix="take a safety snapshot of the target's cluster state first",
            actions=(safety,),
            details=tuple(details) or ("the snapshot's global state is empty",),
        )
    ]


def _check_feature_states(ctx: _Context) -> list[CheckResult]:
    requested = ctx.plan.feature_states
    if not requested:
        return []
    detail = ctx.snapshot.detail
    if not supports_feature_states(ctx.version):
        return [
            CheckResult(
                "feature-states-unsupported",
                Severity.BLOCKER,
                f"{ctx.target.name} ({ctx.version}) has no feature states in its restore API",
                fix="clear the feature states",
                actions=(FixAction("set-option", "no feature states", {"feature_states": []}),),
                predicts=PredictedError(
                    400, "illegal_argument_exception", "Unknown parameter feature_states"
                ),
            )
        ]
    if "none" in requested:
        if len(requested) > 1:
            return [
                CheckResult(
                    "feature-states-none-mixed",
                    Severity.BLOCKER,
                    "feature states list 'none' together with other features",
                    fix="remove 'none', or every other feature",
                    predicts=PredictedError(
                        500,
                        "snapshot_restore_exception",
                        "the feature_states value [none] indicates that no feature states should "
                        "be restored, but other feature states were requested: "
                        + _java_set(requested),
                    ),
                )
            ]
        return []
    out: list[CheckResult] = []
    in_snapshot = {f.feature_name: f for f in detail.feature_states}
    missing = [f for f in requested if f not in in_snapshot]
    if missing:
        out.append(
            CheckResult(
                "feature-states-missing",
                Severity.BLOCKER,
                f"feature states {', '.join(missing)} are not in snapshot {detail.name}",
                fix="choose among: " + (", ".join(sorted(in_snapshot)) or "(none in snapshot)"),
                predicts=ctx.restore_error(
                    f"requested feature states [{_java_set(sorted(missing))}] are not present in "
                    "snapshot"
                ),
            )
        )
    installed = ctx.target.installed_features
    present = [f for f in requested if f in in_snapshot]
    if installed is not None:
        absent = [f for f in present if f not in installed]
        if absent:
            out.append(
                CheckResult(
                    "feature-states-not-installed",
                    Severity.BLOCKER,
                    f"features {', '.join(absent)} are not installed on {ctx.target.name}",
                    fix="install the plugin/module providing them, or deselect them",
                    predicts=ctx.restore_error(
                        f"requested feature states {_java_set(sorted(absent))} are present in "
                        "snapshot but those features are not installed on the current master node"
                    ),
                )
            )
    existing = {i.name for i in ctx.target.indices}
    for feature in present:
        indices = list(in_snapshot[feature].indices)
        replaced = [n for n in indices if n in existing]
        details = [f"restores {', '.join(indices) or '(no indices)'}"]
        if replaced:
            details.append(f"deletes first on {ctx.target.name}: {', '.join(replaced)}")
        out.append(
            CheckResult(
                "feature-states-overwrite",
                Severity.WARNING,
                f"feature state {feature} replaces its system indices on {ctx.target.name}",
                fix="take a safety snapshot of the target's feature state first",
                subject=feature,
                actions=(_safety_snapshot_action(replaced),) if replaced else (),
                details=tuple(details),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# checks: settings


def _check_settings(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    changes = flatten_index_settings(ctx.plan.index_settings)
    for key in changes:
        if key in UNMODIFIABLE_SETTINGS:
            out.append(
                CheckResult(
                    "settings-unmodifiable",
                    Severity.BLOCKER,
                    f"index_settings cannot change {key} on restore",
                    fix=f"remove {key} from index_settings",
                    subject=key,
                    predicts=ctx.restore_error(f"cannot modify setting [{key}] on restore"),
                )
            )
    soft = changes.get("index.soft_deletes.enabled")
    if soft is not None and str(soft).lower() == "false":
        enabled = []
        unsure = []
        for name in ctx.selection.indices:
            info = ctx.snapshot.index(name)
            value = (info.settings if info else {}).get("index.soft_deletes.enabled")
            if value is not None:
                if value.lower() != "false":
                    enabled.append(name)
            elif info is not None and info.created is not None and info.created.low.major >= 7:
                enabled.append(name)
            else:
                unsure.append(name)
        if enabled or unsure:
            out.append(
                CheckResult(
                    "settings-soft-deletes",
                    Severity.BLOCKER if enabled else Severity.WARNING,
                    "soft deletes cannot be disabled on restore"
                    + (f" ({', '.join(enabled)} have them)" if enabled else ""),
                    fix="remove index.soft_deletes.enabled from index_settings",
                    subject="index.soft_deletes.enabled",
                    predicts=ctx.restore_error(
                        "cannot disable setting [index.soft_deletes.enabled] on restore"
                    ),
                )
            )
    for key in ctx.plan.ignore_index_settings:
        if _is_pattern(key):
            kept = [k for k in UNREMOVABLE_SETTINGS if fnmatchcase(k, key)]
            if kept:
                out.append(
                    CheckResult(
                        "settings-pattern-kept",
                        Severity.INFO,
                        f"ignore_index_settings {key} matches {', '.join(kept)}, which are kept",
                        subject=key,
                    )
                )
            continue
        if key in UNREMOVABLE_SETTINGS:
            out.append(
                CheckResult(
                    "settings-unremovable",
                    Severity.BLOCKER,
                    f"ignore_index_settings cannot remove {key} on restore",
                    fix=f"remove {key} from ignore_index_settings"
                    + (" (override it with index_settings instead)" if "replicas" in key else ""),
                    subject=key,
                    predicts=ctx.restore_error(f"cannot remove setting [{key}] on restore"),
                )
            )
        elif not key.startswith("index."):
            out.append(
                CheckResult(
                    "settings-ignore-prefix",
                    Severity.WARNING,
                    f"ignore_index_settings {key} names no index setting (those start 'index.')",
                    fix=f"write index.{key}",
                    subject=key,
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# checks: capacity


def _check_capacity(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    details = ctx.snapshot.detail.index_details
    needed = 0
    unknown: list[str] = []
    new_shards = 0
    for name in ctx.selection.indices:
        info = ctx.snapshot.index(name)
        replicas = ctx.replicas_of(info)
        size = details.get(name).size_in_bytes if name in details else None
        if size is None:
            unknown.append(name)
        else:
            needed += size * (1 + replicas)
        if ctx.target.index(ctx.target_of(name)) is None:
            primaries = info.primary_shards if info and info.primary_shards else None
            if primaries is None and name in details:
                primaries = details[name].shard_count
            new_shards += (primaries or 1) * (1 + replicas)
    nodes = ctx.target.data_nodes
    if nodes:
        usable = 0
        low = 0
        for node in nodes:
            reserve_high = (1 - HIGH_WATERMARK) * node.total_bytes if node.total_bytes else 0
            reserve_low = (1 - LOW_WATERMARK) * node.total_bytes if node.total_bytes else 0
            usable += max(0, int(node.available_bytes - reserve_high))
            low += max(0, int(node.available_bytes - reserve_low))
        details_text = tuple(
            f"{n.name}: {_size(n.available_bytes)} free"
            + (f" of {_size(n.total_bytes)}" if n.total_bytes else "")
            for n in nodes
        )
        if needed > usable:
            out.append(
                CheckResult(
                    "capacity-disk",
                    Severity.BLOCKER,
                    f"the selection needs {_size(needed)} with replicas; the data nodes have "
                    f"{_size(usable)} below the high disk watermark",
                    fix="restore with replicas 0, restore fewer indices, or add disk",
                    actions=(
                        FixAction(
                            "set-option",
                            "replicas 0",
                            {"index_settings": {"index.number_of_replicas": 0}},
                        ),
                    ),
                    details=details_text,
                )
            )
        elif needed > low:
            out.append(
                CheckResult(
                    "capacity-disk",
                    Severity.WARNING,
                    f"the selection ({_size(needed)} with replicas) crosses the low disk "
                    "watermark: replicas may stay unassigned",
                    fix="restore with replicas 0",
                    details=details_text,
                )
            )
        else:
            out.append(
                CheckResult(
                    "capacity-disk",
                    Severity.INFO,
                    f"the selection needs {_size(needed)} with replicas; {_size(usable)} usable",
                    details=details_text,
                )
            )
    if unknown:
        out.append(
            CheckResult(
                "capacity-unknown",
                Severity.INFO,
                f"size unknown for {len(unknown)} indices (not in the snapshot's index_details)",
                details=tuple(unknown),
            )
        )
    out.extend(_check_shard_limit(ctx, new_shards))
    return out


def _check_shard_limit(ctx: _Context, new_shards: int) -> list[CheckResult]:
    version = ctx.version
    if not ctx.is_opensearch and version.major < 7:
        return []
    if ctx.target.open_shards is None or not ctx.target.data_nodes or new_shards == 0:
        return []
    per_node = ctx.target.max_shards_per_node or DEFAULT_MAX_SHARDS_PER_NODE
    limit = per_node * len(ctx.target.data_nodes)
    current = ctx.target.open_shards
    if current + new_shards <= limit:
        return []
    old = ctx.is_opensearch or (version.major, version.minor) < (7, 12)
    if old:
        text = (
            f"this action would add [{new_shards}] total shards, but this cluster currently has "
            f"[{current}]/[{limit}] maximum shards open;"
        )
        pattern = r"this action would add \[\d+\] total shards, but this cluster currently has"
    else:
        text = (
            f"this action would add [{new_shards}] shards, but this cluster currently has "
            f"[{current}]/[{limit}] maximum normal shards open;"
        )
        pattern = r"this action would add \[\d+\] shards, but this cluster currently has"
    return [
        CheckResult(
            "capacity-shards",
            Severity.BLOCKER,
            f"the restore adds {new_shards} shards to {current} open; the limit is {limit} "
            f"({per_node} per data node)",
            fix="restore with replicas 0, fewer indices, or raise cluster.max_shards_per_node",
            actions=(
                FixAction(
                    "set-option", "replicas 0", {"index_settings": {"index.number_of_replicas": 0}}
                ),
            ),
            predicts=PredictedError(
                400, "validation_exception", f"Validation Failed: 1: {text}", pattern=pattern
            ),
        )
    ]


def _size(value: float | None) -> str:
    if value is None:
        return "?"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


# --------------------------------------------------------------------------------------------
# checks: repository, concurrency, retention


def _check_repository(ctx: _Context) -> list[CheckResult]:
    name = ctx.plan.repository_on_target
    repos = ctx.target.repositories
    source = ctx.snapshot.repository
    if repos is None:
        return [
            CheckResult(
                "repository-unknown",
                Severity.INFO,
                f"could not list the repositories of {ctx.target.name}",
            )
        ]
    mine = next((r for r in repos if r.name == name), None)
    register_name = name if mine is None else f"{name}-readonly"
    register = None
    if source is not None:
        register = FixAction(
            "register-repository",
            f"register {source.type} repository {register_name} on {ctx.target.name} read-only",
            {"name": register_name},
            confirm=True,
            request=register_repository_request(register_name, source.type, source.settings),
        )
    if mine is None:
        same = [r for r in repos if source is not None and _same_repository(r, source)]
        actions: tuple[FixAction, ...]
        if same:
            actions = (
                FixAction(
                    "use-repository",
                    f"use {same[0].name}, the same repository on {ctx.target.name}",
                    {"target_repository": same[0].name},
                ),
            )
            fix = f"use repository {same[0].name}: it points at the same storage"
        else:
            actions = (register,) if register else ()
            fix = "register the repository on the target read-only"
        return [
            CheckResult(
                "repository-missing",
                Severity.BLOCKER,
                f"{ctx.target.name} has no repository named {name}",
                fix=fix,
                subject=name,
                actions=actions,
                predicts=PredictedError(404, "repository_missing_exception", f"[{name}] missing"),
            )
        ]
    out: list[CheckResult] = []
    if source is not None and not mine.same_storage(source):
        out.append(
            CheckResult(
                "repository-mismatch",
                Severity.BLOCKER,
                f"repository {name} on {ctx.target.name} is {_where(mine)}, not {_where(source)}",
                fix="register the source's repository on the target read-only under another name",
                subject=name,
                actions=(register,) if register else (),
            )
        )
    elif source is not None and mine.uuid and source.uuid and mine.uuid != source.uuid:
        out.append(
            CheckResult(
                "repository-uuid",
                Severity.BLOCKER,
                f"repository {name} on {ctx.target.name} has uuid {mine.uuid}, the source's "
                f"has {source.uuid}: not the same repository",
                fix="register the source's repository on the target read-only under another name",
                subject=name,
                actions=(register,) if register else (),
            )
        )
    elif (
        not mine.readonly
        and ctx.plan.source_cluster is not None
        and ctx.plan.source_cluster != ctx.target.name
    ):
        out.append(
            CheckResult(
                "repository-writable",
                Severity.WARNING,
                f"{name} is writable on {ctx.target.name} too: two clusters writing one "
                "repository can corrupt it",
                fix="register it on the target read-only",
                subject=name,
                actions=(
                    FixAction(
                        "register-repository",
                        f"re-register {name} on {ctx.target.name} read-only",
                        {"name": name},
                        confirm=True,
                        request=register_repository_request(name, mine.type, mine.settings),
                    ),
                ),
            )
        )
    snapshots = ctx.target.repository_snapshots
    if not out and snapshots is not None and ctx.snapshot.detail.name not in snapshots:
        out.append(
            CheckResult(
                "snapshot-missing",
                Severity.BLOCKER,
                f"{ctx.target.name} does not see snapshot {ctx.snapshot.detail.name} in {name}",
                fix="check that the target's repository points at the same storage",
                subject=ctx.snapshot.detail.name,
                predicts=PredictedError(
                    500,
                    "snapshot_restore_exception",
                    f"[{name}:{ctx.snapshot.detail.name}] snapshot does not exist",
                ),
            )
        )
    return out


def _same_repository(mine: RepositoryFacts, source: RepositoryFacts) -> bool:
    if mine.uuid and source.uuid:
        return mine.uuid == source.uuid and mine.same_storage(source)
    return mine.same_storage(source)


def _where(repo: RepositoryFacts) -> str:
    place = repo.location or (f"{repo.bucket}/{repo.base_path or ''}" if repo.bucket else "?")
    return f"{repo.type} {place}"


def _check_concurrency(ctx: _Context) -> list[CheckResult]:
    out: list[CheckResult] = []
    repo = ctx.plan.repository_on_target
    snap = ctx.snapshot.detail
    for deletion in ctx.target.deletions_in_progress:
        if deletion.repository == repo and snap.name in deletion.snapshots:
            out.append(
                CheckResult(
                    "snapshot-deleting",
                    Severity.BLOCKER,
                    f"snapshot {snap.name} is being deleted on {ctx.target.name}",
                    fix="choose another snapshot",
                    predicts=PredictedError(
                        503,
                        "concurrent_snapshot_execution_exception",
                        "",
                        pattern=re.escape(
                            "cannot restore a snapshot while a snapshot deletion is in-progress"
                        ),
                    ),
                )
            )
    for restore in ctx.target.restores_in_progress:
        if restore.snapshot == snap.name and restore.repository in (None, repo):
            out.append(
                CheckResult(
                    "restore-in-flight",
                    Severity.WARNING,
                    f"a restore from {snap.name} is already running on {ctx.target.name}",
                    fix="watch the running restore instead of starting another",
                    actions=(FixAction("wait", "watch the running restore", {}),),
                    details=tuple(restore.indices),
                )
            )
    return out


def _check_slm(ctx: _Context) -> list[CheckResult]:
    snap = ctx.snapshot.detail
    policy_id = snap.slm_policy or (snap.metadata or {}).get("policy")
    if not policy_id:
        return []
    out: list[CheckResult] = []
    for policy in ctx.target.slm_policies:
        if policy.id != policy_id or policy.expire_after_ms is None:
            continue
        if snap.start_time_ms is None or ctx.target.now_ms is None:
            out.append(
                CheckResult(
                    "slm-retention",
                    Severity.INFO,
                    f"SLM policy {policy.id} deletes its snapshots after "
                    f"{_duration(policy.expire_after_ms)}",
                )
            )
            continue
        left = snap.start_time_ms + policy.expire_after_ms - ctx.target.now_ms
        if left <= SLM_SOON_MS:
            when = "at its next retention run" if left <= 0 else f"within {_duration(left)}"
            out.append(
                CheckResult(
                    "slm-retention",
                    Severity.WARNING,
                    f"SLM policy {policy.id} may delete {snap.name} {when} "
                    f"(expire_after {_duration(policy.expire_after_ms)}"
                    + (f", min_count {policy.min_count}" if policy.min_count else "")
                    + ")",
                    fix="start the restore now, or pause SLM retention until it is done",
                )
            )
    return out


def _duration(ms: int) -> str:
    seconds = max(0, ms) // 1000
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{max(1, seconds // 60)}m"


_CHECKS = (
    _check_snapshot,
    _check_repository,
    _check_concurrency,
    _check_selection,
    _check_partial,
    _check_compat,
    _check_rename,
    _check_conflicts,
    _check_global_state,
    _check_feature_states,
    _check_settings,
    _check_capacity,
    _check_slm,
)

__all__ = [
    "CheckReport",
    "CheckResult",
    "DeletionInFlight",
    "ExistingDataStream",
    "ExistingIndex",
    "FixAction",
    "GlobalMetadataSummary",
    "NodeDisk",
    "PredictedError",
    "RepositoryFacts",
    "RestoreInFlight",
    "Selection",
    "Severity",
    "SlmPolicyFacts",
    "SnapshotFacts",
    "TargetFacts",
    "VerdictLike",
    "resolve_selection",
    "run_checks",
]
