"""What the compatibility engine answers: one verdict per snapshot and per index, with reasons.

Every verdict carries a one-sentence reason an on-call engineer can act on, and says where the
created version came from, because "compatible" means little without knowing how sure we are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from esnap_tui.compat.estimate import Estimate
from esnap_tui.compat.fmt import describe_version
from esnap_tui.models import CreatedVersionSource
from esnap_tui.versions import Product, Version, VersionRange

ARCHIVE_LICENSES = frozenset({"enterprise", "trial"})
"""Licences that unlock archive indices (8.3+): enterprise, and trial which has every feature."""


class Verdict(StrEnum):
    """Ordered from best to worst by :attr:`severity`."""

    COMPATIBLE = "compatible"
    READ_ONLY_ARCHIVE = "read-only-archive"
    UNKNOWN = "unknown"
    INCOMPATIBLE = "incompatible"

    @property
    def label(self) -> str:
        """The words shown to a user."""
        return _LABELS[self]

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_LABELS = {
    Verdict.COMPATIBLE: "compatible",
    Verdict.READ_ONLY_ARCHIVE: "read-only archive",
    Verdict.UNKNOWN: "unknown: may be incompatible",
    Verdict.INCOMPATIBLE: "incompatible",
}
_SEVERITY = {
    Verdict.COMPATIBLE: 0,
    Verdict.READ_ONLY_ARCHIVE: 1,
    Verdict.UNKNOWN: 2,
    Verdict.INCOMPATIBLE: 3,
}


def worst(*verdicts: Verdict) -> Verdict:
    """The most severe of several verdicts (a restore is only as good as its weakest check)."""
    return max(verdicts, key=lambda verdict: verdict.severity)


@dataclass(frozen=True)
class TargetCluster:
    """Where the user wants to restore: a live cluster or a version typed in.

    ``license`` is the licence type as Elasticsearch reports it (basic, trial, gold, platinum,
    enterprise); ``None`` means not known, which only matters for archive indices.
    """

    version: Version
    license: str | None = None
    name: str | None = None

    @property
    def product(self) -> Product:
        return self.version.product

    @property
    def has_archive_license(self) -> bool | None:
        """True/False when the licence is known, None when it is not."""
        if self.license is None:
            return None
        return self.license.strip().lower() in ARCHIVE_LICENSES

    @property
    def label(self) -> str:
        """E.g. "8.15.0", "OpenSearch 2.11.0" or "prod (8.15.0)"."""
        text = describe_version(self.version, product=self.product is Product.OPENSEARCH)
        return f"{self.name} ({text})" if self.name else text


@dataclass(frozen=True)
class Advice:
    """The way forward for an index the target cannot take as it is.

    ``restore_into`` is the newest release line that restores the index as a normal, writable
    index (e.g. 7.17); then reindex from remote into the target. ``None`` when no such line
    can be named (created version unknown, or nothing older can read the snapshot).
    """

    target: str
    restore_into: Version | None
    restore_into_label: str | None
    steps: tuple[str, ...]
    estimate: Estimate | None = None

    @property
    def summary(self) -> str:
        """One sentence: "Restore into 7.17 first, then reindex from remote into 9.1.0."."""
        return self.steps[0] if self.steps else ""


@dataclass(frozen=True)
class SnapshotVerdict:
    """Whether the target can read the snapshot at all (its version and product)."""

    verdict: Verdict
    reason: str
    snapshot_version: VersionRange | None
    target: TargetCluster


@dataclass(frozen=True)
class IndexVerdict:
    """The answer for one index of a snapshot.

    ``created`` is the created version when known (exact or an id's range); when only bounds
    are known it is the bounds' range (for a single product) and ``created_source`` is BOUNDS.
    ``created_label`` is the human form of what we know ("7.10.2", "between 6.0 and 7.13.4").
    """

    index: str
    verdict: Verdict
    reason: str
    created: VersionRange | None
    created_source: CreatedVersionSource
    advice: Advice | None = None
    created_label: str = "unknown"
    created_basis: str | None = None  # how bounds were proved, when source is BOUNDS

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.COMPATIBLE


@dataclass
class CompatReport:
    """A snapshot's verdict plus every index's, with the counts the summary line needs."""

    snapshot: SnapshotVerdict
    target: TargetCluster
    indices: list[IndexVerdict] = field(default_factory=list)

    @property
    def counts(self) -> dict[Verdict, int]:
        counter = Counter(verdict.verdict for verdict in self.indices)
        return {verdict: counter.get(verdict, 0) for verdict in Verdict}

    @property
    def all_compatible(self) -> bool:
        """True only when the snapshot and every index in it are plainly compatible."""
        return self.snapshot.verdict is Verdict.COMPATIBLE and all(
            verdict.verdict is Verdict.COMPATIBLE for verdict in self.indices
        )

    @property
    def problems(self) -> list[IndexVerdict]:
        """Indices that are not plainly compatible, worst first (stable within a verdict)."""
        flagged = [verdict for verdict in self.indices if verdict.verdict is not Verdict.COMPATIBLE]
        return sorted(flagged, key=lambda verdict: -verdict.verdict.severity)

    @property
    def summary(self) -> str:
        """E.g. "12 indices: 9 compatible, 1 read-only archive, 1 blocked, 1 unknown"."""
        counts = self.counts
        total = len(self.indices)
        noun = "index" if total == 1 else "indices"
        return (
            f"{total} {noun}: {counts[Verdict.COMPATIBLE]} compatible, "
            f"{counts[Verdict.READ_ONLY_ARCHIVE]} read-only archive, "
            f"{counts[Verdict.INCOMPATIBLE]} blocked, {counts[Verdict.UNKNOWN]} unknown"
        )
