"""The engine's entry points: a snapshot, its indices and a target cluster in; verdicts out.

The rules (``rules``) answer for exact versions. Here they are applied to what we actually
know, which is often a range: an 8.11+ IndexVersion id stands for several releases, and an
index whose created version nobody reported only has the bounds ``bounds`` can prove. A range
gets a definite verdict only when every version in it gets the same one; otherwise UNKNOWN,
with the split spelled out, so the engine never claims more than it knows. Before that, an
8.11+ id is compared with the id the target writes, as Elasticsearch does (``ids``), which
settles "newer than the target?" for ranges that straddle the target's release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from esnap_tui.compat.bounds import CreatedBounds, prove_bounds
from esnap_tui.compat.estimate import Rates, estimate_migration
from esnap_tui.compat.fmt import describe_bound, describe_created, product_name
from esnap_tui.compat.ids import compare_by_id, narrow_bounds
from esnap_tui.compat.model import (
    Advice,
    CompatReport,
    IndexVerdict,
    SnapshotVerdict,
    TargetCluster,
    Verdict,
    worst,
)
from esnap_tui.compat.rules import (
    NEWEST_RELEASE_LINES,
    WRITE_BLOCK_SETTING,
    Ruling,
    breakpoints,
    index_rule,
    snapshot_rule,
)
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id

SnapshotVersion = VersionRange | Version | None

_SEGMENT_WORDS = {
    Verdict.COMPATIBLE: "compatible",
    Verdict.READ_ONLY_ARCHIVE: "a read-only archive",
    Verdict.INCOMPATIBLE: "incompatible",
    Verdict.UNKNOWN: "uncertain",
}


@dataclass(frozen=True)
class _Outcome:
    verdict: Verdict
    why: str


def _as_range(version: SnapshotVersion) -> VersionRange | None:
    if version is None or isinstance(version, VersionRange):
        return version
    return VersionRange.exactly(version)


def _candidates(created: VersionRange, target: Version) -> list[Version]:
    """The low end of ``created`` and every breakpoint inside it: one per constant piece."""
    points = {created.low._key(): created.low}
    for point in breakpoints(target):
        if point.product is not created.product or point <= created.low:
            continue
        if created.high is not None and point > created.high:
            continue
        points.setdefault(point._key(), point)
    return [points[key] for key in sorted(points)]


def _over_ranges(
    ranges: Sequence[VersionRange], rule: Callable[[Version], Ruling], target: TargetCluster
) -> _Outcome:
    """Apply an exact-version rule to every version in ``ranges``; UNKNOWN unless they agree."""
    per_range: list[tuple[VersionRange, list[tuple[Version, Ruling]]]] = []
    for created in ranges:
        rulings = [(point, rule(point)) for point in _candidates(created, target.version)]
        per_range.append((created, rulings))
    verdicts = {ruling.verdict for _, rulings in per_range for _, ruling in rulings}
    if len(verdicts) == 1:
        whys: list[str] = []
        for _, rulings in per_range:
            for _, ruling in rulings:
                if ruling.why not in whys:
                    whys.append(ruling.why)
        return _Outcome(verdicts.pop(), "; ".join(whys))
    several = len(per_range) > 1
    parts = [_describe_split(created, rulings, several) for created, rulings in per_range]
    split = "; ".join(parts)
    return _Outcome(
        Verdict.UNKNOWN, f"on {target.label} it would be {split}, so it may be incompatible"
    )


def _describe_split(
    created: VersionRange, rulings: list[tuple[Version, Ruling]], with_product: bool
) -> str:
    """E.g. "incompatible if created before 6.0, compatible from 6.0, incompatible from 6.8".

    Pieces that only pre-releases of one version fall into (e.g. 7.0.0-alpha on 8.x, whose
    minimum is 7.0.0 GA) are left out of the words; they still make the verdict UNKNOWN.
    """
    segments: list[tuple[Version, str]] = []
    for point, ruling in rulings:
        words = ruling.short or _SEGMENT_WORDS[ruling.verdict]
        if not segments or segments[-1][1] != words:
            segments.append((point, words))
    visible: list[tuple[Version, str]] = []
    for position, (start, words) in enumerate(segments):
        following = segments[position + 1][0] if position + 1 < len(segments) else None
        if following is not None and describe_bound(following) == describe_bound(start):
            continue
        if visible and visible[-1][1] == words:
            continue
        visible.append((start, words))
    prefix = f"for {product_name(created.product)} indices " if with_product else ""
    if len(visible) == 1:
        return f"{prefix}{visible[0][1]}"
    parts = []
    for position, (start, words) in enumerate(visible):
        if position == 0:
            parts.append(f"{words} if created before {describe_bound(visible[1][0])}")
        else:
            parts.append(f"{words} from {describe_bound(start)}")
    return prefix + ", ".join(parts)


# -- snapshots ---------------------------------------------------------------------------------


def check_snapshot(snapshot_version: SnapshotVersion, target: TargetCluster) -> SnapshotVerdict:
    """Can ``target`` read a snapshot taken by ``snapshot_version`` at all?

    This is the gate in front of the per-index checks: product, "not newer than the target",
    and the target's minimum index compatibility (or, on 8.3+, the archive path).
    """
    taken = _as_range(snapshot_version)
    if taken is None:
        return SnapshotVerdict(
            Verdict.UNKNOWN,
            "the version that took the snapshot is not known; each index decides",
            None,
            target,
        )
    by_id = compare_by_id(taken, target, verb="taken")
    phrase = _taken_phrase(taken)
    phrase = _with_note(phrase, by_id.note) if by_id.note else phrase
    if by_id.refused is not None:
        return SnapshotVerdict(Verdict.INCOMPATIBLE, f"{phrase}; {by_id.refused}", taken, target)
    outcome = _over_ranges([by_id.created], lambda point: snapshot_rule(point, target), target)
    return SnapshotVerdict(outcome.verdict, f"{phrase}; {outcome.why}", taken, target)


def _taken_phrase(taken: VersionRange) -> str:
    product = taken.product is Product.OPENSEARCH
    text = describe_created(taken, product=product).removeprefix("created in ")
    return f"taken by {text}"


# -- indices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """What we know of an index's created version, and how we know it."""

    ranges: tuple[VersionRange, ...]
    source: CreatedVersionSource
    label: str
    phrase: str  # the start of the reason
    basis: str | None = None
    bounds: CreatedBounds | None = None
    write_block: bool | None = None  # index.blocks.write in the snapshot (None: not known)

    @property
    def created(self) -> VersionRange | None:
        return self.ranges[0] if len(self.ranges) == 1 else None


def _write_block(index: IndexInSnapshot) -> bool | None:
    """Whether the index carried ``index.blocks.write=true`` when it was snapshotted.

    Only the repository's own metadata says so: a created version read from it means its
    settings were read, and an absent setting there means no block. A live source index's
    settings are today's, not the snapshot's, so they do not count.
    """
    raw = index.settings.get(WRITE_BLOCK_SETTING)
    if raw is not None:
        return str(raw).strip().lower() == "true"
    if index.created_source is CreatedVersionSource.REPOSITORY:
        return False
    return None


def _known_created(
    index: IndexInSnapshot,
    taken: VersionRange | None,
    target: TargetCluster,
    source_min_index_compat: Version | None,
    source_cluster_settings: Mapping[str, str] | None,
) -> _Known | None:
    """The most trusted created version available: repository, live source cluster, bounds."""
    product_words = target.product is Product.OPENSEARCH
    if index.created is not None and index.created_source is not CreatedVersionSource.BOUNDS:
        with_product = product_words or index.created.product is Product.OPENSEARCH
        return _Known(
            (index.created,),
            index.created_source,
            str(index.created),
            describe_created(index.created, product=with_product),
        )
    live = _from_source_cluster(index, source_cluster_settings)
    if live is not None:
        with_product = product_words or live.product is Product.OPENSEARCH
        return _Known(
            (live,),
            CreatedVersionSource.SOURCE_CLUSTER,
            str(live),
            describe_created(live, product=with_product),
        )
    if index.created is not None:  # bounds someone else already proved
        return _Known(
            (index.created,),
            CreatedVersionSource.BOUNDS,
            f"within {index.created}",
            f"created within {index.created} (exact version unknown)",
        )
    bounds = prove_bounds(taken, source_min_index_compat)
    if bounds is None:
        return None
    label = bounds.label(product=product_words)
    return _Known(
        bounds.ranges,
        CreatedVersionSource.BOUNDS,
        label,
        f"created {label} (exact version unknown)",
        basis=bounds.basis,
        bounds=bounds,
    )


def _from_source_cluster(
    index: IndexInSnapshot, settings: Mapping[str, str] | None
) -> VersionRange | None:
    """The live index's ``index.version.created``, only if it is the *same* index (uuid match)."""
    if not settings or not index.uuid:
        return None
    if settings.get("index.uuid") != index.uuid:
        return None
    raw = settings.get("index.version.created")
    if raw is None:
        return None
    try:
        return decode_version_id(raw)
    except ValueError:
        return None


def check_index(
    index: IndexInSnapshot,
    snapshot_version: SnapshotVersion,
    target: TargetCluster,
    *,
    source_min_index_compat: Version | None = None,
    source_cluster_settings: Mapping[str, str] | None = None,
    size_in_bytes: int | None = None,
    docs_count: int | None = None,
    rates: Rates | None = None,
) -> IndexVerdict:
    """Can ``target`` restore this index of a snapshot taken by ``snapshot_version``?

    The created version comes from ``index.created`` (repository metadata or a live lookup
    done by the caller), else from ``source_cluster_settings`` (the flat settings of the live
    index with the same name; used only when ``index.uuid`` matches), else from the bounds the
    snapshot version proves. Size and document count feed the advice's time estimate.
    """
    taken = _as_range(snapshot_version)
    known = _known_created(index, taken, target, source_min_index_compat, source_cluster_settings)
    if known is not None:
        known = replace(known, write_block=_write_block(index))
    gate = check_snapshot(taken, target) if taken is not None else None
    outcome = _index_outcome(known, taken, target)
    verdict, reason = outcome.verdict, outcome.why
    if gate is not None and gate.verdict.severity > verdict.severity:
        verdict, reason = gate.verdict, f"the snapshot was {gate.reason}"
    advice = None
    if verdict is not Verdict.COMPATIBLE:
        advice = _advise(known, taken, target, verdict, size_in_bytes, docs_count, rates)
    return IndexVerdict(
        index=index.name,
        verdict=verdict,
        reason=reason,
        created=known.created if known else None,
        created_source=known.source if known else CreatedVersionSource.UNKNOWN,
        advice=advice,
        created_label=known.label if known else "unknown",
        created_basis=known.basis if known else None,
    )


def _index_outcome(
    known: _Known | None, taken: VersionRange | None, target: TargetCluster
) -> _Outcome:
    if known is None:
        return _Outcome(
            Verdict.UNKNOWN,
            "created version unknown and so is the version that took the snapshot, "
            "so nothing can be proved; it may be incompatible",
        )
    return _index_rulings(known, taken, target)


def _index_rulings(known: _Known, taken: VersionRange | None, target: TargetCluster) -> _Outcome:
    """The rules over what we know, after the IndexVersion id comparison (see ``ids``)."""
    phrase = known.phrase
    ranges = known.ranges
    if known.source is CreatedVersionSource.BOUNDS:
        ranges, note = narrow_bounds(ranges, taken, target)
    else:
        by_ids = [compare_by_id(created, target, verb="created") for created in ranges]
        refused = [by_id.refused for by_id in by_ids if by_id.refused is not None]
        notes = [by_id.note for by_id in by_ids if by_id.note is not None]
        note = "; ".join(notes) or None
        if refused and len(refused) == len(by_ids):
            phrase = _with_note(phrase, note) if note else phrase
            return _Outcome(Verdict.INCOMPATIBLE, f"{phrase}; {'; '.join(refused)}")
        ranges = tuple(by_id.created for by_id in by_ids if by_id.refused is None)
    if note:
        phrase = _with_note(phrase, note)
    outcome = _over_ranges(
        ranges, lambda point: index_rule(point, target, write_block=known.write_block), target
    )
    return _Outcome(outcome.verdict, f"{phrase}; {outcome.why}")


def _with_note(phrase: str, note: str) -> str:
    """"created in X" -> "created in X (note)"; "... (exact version unknown)" -> "(...; note)"."""
    if phrase.endswith(")"):
        return f"{phrase[:-1]}; {note})"
    return f"{phrase} ({note})"


def _full_verdict(known: _Known, taken: VersionRange | None, target: TargetCluster) -> Verdict:
    verdict = _index_rulings(known, taken, target).verdict
    if taken is not None:
        verdict = worst(verdict, check_snapshot(taken, target).verdict)
    return verdict


def _bridge(
    known: _Known, taken: VersionRange | None, target: TargetCluster
) -> tuple[Version, str] | None:
    """The release line to restore into first: the newest one at or below the target that
    restores the index as a normal index, else the oldest such line above the target."""
    product = taken.product if taken is not None else known.ranges[0].product
    lines = [line for line in NEWEST_RELEASE_LINES if line[0].product is product]
    fitting = [
        (version, label)
        for version, label in lines
        if _full_verdict(known, taken, TargetCluster(version)) is Verdict.COMPATIBLE
    ]
    below = [line for line in fitting if line[0] <= target.version]
    if below:
        return max(below, key=lambda line: line[0])
    if fitting:
        return min(fitting, key=lambda line: line[0])
    return None


def _advise(
    known: _Known | None,
    taken: VersionRange | None,
    target: TargetCluster,
    verdict: Verdict,
    size_in_bytes: int | None,
    docs_count: int | None,
    rates: Rates | None,
) -> Advice:
    target_text = target.label
    steps: list[str] = []
    bridge = _bridge(known, taken, target) if known is not None else None
    estimate = estimate_migration(size_in_bytes, docs_count, rates)
    if known is not None and known.source is CreatedVersionSource.BOUNDS:
        steps.append(
            "Learn the exact created version by reading the repository's index metadata "
            "offline (esnap compat --repo-path)."
        )
    if bridge is not None:
        version, label = bridge
        sentence = f"Restore into {label} first, then reindex from remote into {target_text}."
        if verdict is Verdict.READ_ONLY_ARCHIVE:
            sentence = f"For a writable index: r{sentence[1:]}"
        steps.insert(0, sentence)
        if estimate is not None:
            steps.append(
                f"Estimate: {estimate.describe()} (reindexing is far slower than restoring)."
            )
    else:
        version, label = None, None
        newer = _newer_snapshot_step(taken, target)
        if newer is not None:
            steps.insert(0, newer)
        elif not steps:
            steps.append(
                "No release line can be named that restores it as a normal index; "
                "find its exact created version first."
            )
    if (
        verdict in (Verdict.INCOMPATIBLE, Verdict.UNKNOWN)
        and known is not None
        and known.write_block is not True
        and _full_verdict(replace(known, write_block=True), taken, target)
        is Verdict.READ_ONLY_ARCHIVE
    ):
        steps.append(
            f"Or set {WRITE_BLOCK_SETTING}=true on the index in its source cluster (PUT "
            f"<index>/_block/write) before taking the snapshot again; {target_text} then "
            "restores it read-only (N-2)."
        )
    archive = _archive_possible(known, taken, target)
    if verdict in (Verdict.INCOMPATIBLE, Verdict.UNKNOWN) and archive:
        steps.append(
            f"Or give {target_text} an enterprise licence and restore it as a read-only "
            "archive index."
        )
    return Advice(
        target=target_text,
        restore_into=version,
        restore_into_label=label,
        steps=tuple(steps),
        estimate=estimate if bridge is not None else None,
    )


def _newer_snapshot_step(taken: VersionRange | None, target: TargetCluster) -> str | None:
    """A snapshot newer than the target fits no older release line: the way forward is a
    cluster at least as new as the snapshot (then reindex from remote), or an upgrade."""
    if taken is None or taken.product is not target.version.product:
        return None
    if check_snapshot(taken, target).verdict is not Verdict.INCOMPATIBLE:
        return None
    if not taken.low > target.version and taken.index_version_id is None:
        return None
    return (
        f"The snapshot was taken by {taken}, newer than {target.label}: restore it into a "
        f"cluster running {taken.low} or newer and reindex from remote into {target.label}, "
        f"or upgrade {target.label} first."
    )


def _archive_possible(
    known: _Known | None, taken: VersionRange | None, target: TargetCluster
) -> bool:
    """Would the same target with an enterprise licence take it as an archive index?"""
    if known is None or target.has_archive_license:
        return False
    licensed = TargetCluster(target.version, "enterprise", target.name)
    return _full_verdict(known, taken, licensed) is Verdict.READ_ONLY_ARCHIVE


# -- a whole snapshot ------------------------------------------------------------------------


def check_snapshot_indices(
    snapshot_version: SnapshotVersion,
    indices: Iterable[IndexInSnapshot],
    target: TargetCluster,
    *,
    source_min_index_compat: Version | None = None,
    source_cluster_settings: Mapping[str, Mapping[str, str]] | None = None,
    sizes: Mapping[str, int] | None = None,
    docs_counts: Mapping[str, int] | None = None,
    rates: Rates | None = None,
) -> CompatReport:
    """Check the snapshot and each of its indices; mappings are keyed by index name."""
    taken = _as_range(snapshot_version)
    report = CompatReport(snapshot=check_snapshot(taken, target), target=target)
    for index in indices:
        report.indices.append(
            check_index(
                index,
                taken,
                target,
                source_min_index_compat=source_min_index_compat,
                source_cluster_settings=(source_cluster_settings or {}).get(index.name),
                size_in_bytes=(sizes or {}).get(index.name),
                docs_count=(docs_counts or {}).get(index.name),
                rates=rates,
            )
        )
    return report
