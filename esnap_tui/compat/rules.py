"""The documented compatibility matrix, for one exact version at a time.

Source: ``shared/reference/es-rest-api.md`` §6 and ``repository-format.md`` §4.5.

* A snapshot restores only into the same product at the same or a newer version, and only if
  the target's minimum index compatibility (or, 8.3+, the archive path) reaches it.
* An index restores only into its own major or the next one (1.x->2.x, 2.x->2.x/5.x,
  5.x->5.x/6.x, 6.x->6.x/7.x, 7.x->7.x/8.x, 8.x->8.x/9.x): ``created >= the target's minimum
  index compatibility``. Anomalies: 7.0-7.1 cannot take 6.8-created indices; 8.0-8.2 read no
  5.x/6.x index; 8.3+ (and 9.x) take 5.x/6.x indices as read-only *archive* indices with an
  enterprise (or trial) licence.
* 9.x and 7.x-created indices (N-2): 9.x reads them directly from Lucene, read-only, and only
  when they carry a write block (``index.blocks.write=true``; GH#118443, the block cannot be
  removed afterwards, GH#120648). Such an index restores as a read-only index (reported as
  READ_ONLY_ARCHIVE, "read-only (N-2)", no licence needed); without the block the restore fails
  with "cannot be upgraded" (the early-9.0 tests in the reference). Whether the index carries
  the block comes from its snapshot metadata; when that is not known the verdict is UNKNOWN.
* OpenSearch 1.x reads Elasticsearch 6.0-7.10 indices, 2.x Elasticsearch 7.0-7.10 and
  OpenSearch 1.x+, 3.x only OpenSearch 2.x+. Snapshots from Elasticsearch 7.12+ do not restore
  into OpenSearch (repository format changes); 7.11 is reported to work by some, unverified,
  so it is UNKNOWN. Elasticsearch never restores OpenSearch snapshots or indices.

Every function here takes *exact* versions; ranges and bounds are handled by ``check``.
Thresholds are written as "start of line" versions (build 0) so pre-releases of a line
count with it, except where Elasticsearch's own constant is a specific build
(6.0.0-beta1 for 7.x, 7.0.0 GA for 8.x).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from esnap_tui.compat.fmt import describe_bound, describe_version
from esnap_tui.compat.model import TargetCluster, Verdict
from esnap_tui.versions import Product, Version

ES = Product.ELASTICSEARCH
OS = Product.OPENSEARCH


def _line(major: int, minor: int = 0, revision: int = 0, product: Product = ES) -> Version:
    """The very start of a line (build 0 sorts below its alphas): thresholds take pre-releases."""
    return Version(major, minor, revision, 0, product)


ARCHIVE_SINCE = _line(8, 3)
"""First Elasticsearch release with archive indices (read-only 5.x/6.x indices)."""
ARCHIVE_MAJORS = frozenset({5, 6})
ANOMALY_68_TARGETS = (_line(7, 0), _line(7, 2))
"""7.0 and 7.1 were released before 6.8 and cannot read indices 6.8 created."""
OPENSEARCH_FORK = Version(7, 10, 2)
"""OpenSearch forked from Elasticsearch 7.10.2; newer Elasticsearch data is foreign to it."""
OPENSEARCH_DOUBTFUL = (_line(7, 11), _line(7, 12))
"""Elasticsearch 7.11.x into OpenSearch: reported to work by some, unverified."""
NEWEST_RELEASE_LINES: tuple[tuple[Version, str], ...] = (
    (Version(1, 7, 99), "1.7"),
    (Version(2, 4, 99), "2.4"),
    (Version(5, 6, 99), "5.6"),
    (Version(6, 8, 99), "6.8"),
    (Version(7, 17, 99), "7.17"),
    (Version(8, 19, 99), "8.19"),
    (Version(1, 3, 99, 99, OS), "OpenSearch 1.3"),
    (Version(2, 19, 99, 99, OS), "OpenSearch 2.19"),
)
"""The last line of each major: where to restore an index that the target cannot take.

Revision 99 stands for "the newest patch of that line" so any snapshot taken by that line fits.
"""


@dataclass(frozen=True)
class Ruling:
    """One rule's answer: the verdict and the rule in words, without the created version.

    ``why`` completes a sentence that starts with what we know of the index, e.g.
    "created in 5.6.16; " + "7.17.0 reads indices created in 6.0 or later".
    """

    verdict: Verdict
    why: str
    short: str = ""  # a few words for a split description ("" = the verdict's own words)


def es_minimum_index_compatibility(version: Version) -> Version:
    """The oldest created version an Elasticsearch release reads as a normal index.

    Its own major or the previous one (5.x follows 2.x): 7.x says 6.0.0-beta1 in its error
    messages, 8.x/9.x use the previous major's 7.0.0/8.0.0 GA.
    """
    major = version.major
    if major >= 8:
        return Version(major - 1, 0, 0)
    if major == 7:
        return Version(6, 0, 0, 26)  # 6.0.0-beta1
    if major == 6:
        return Version(5, 0, 0)
    if major == 5:
        return Version(2, 0, 0)
    if major >= 2:
        return Version(1, 0, 0)
    return Version(0, 0, 0)


def opensearch_reads_elasticsearch(version: Version) -> tuple[Version, Version] | None:
    """The Elasticsearch created versions an OpenSearch release reads, or None for none."""
    if version.major <= 1:
        return (Version(6, 0, 0, 26), OPENSEARCH_FORK)
    if version.major == 2:
        return (Version(7, 0, 0), OPENSEARCH_FORK)
    return None


def opensearch_minimum_own(version: Version) -> Version:
    """The oldest OpenSearch-created version an OpenSearch release reads (own major or previous)."""
    return _line(max(version.major - 1, 1), product=OS)


def _target_text(target: TargetCluster) -> str:
    return describe_version(target.version, product=target.product is OS)


def _es_lines_text(low: Version, high: Version) -> str:
    return f"Elasticsearch {describe_bound(low)}-{describe_bound(high)}"


def _archive_ruling(subject: str, target: TargetCluster) -> Ruling:
    """5.x/6.x on 8.3+: read-only archive, only with an enterprise (or trial) licence."""
    name = _target_text(target)
    licensed = target.has_archive_license
    base = f"{name} restores {subject} only as read-only archive indices"
    if licensed:
        return Ruling(Verdict.READ_ONLY_ARCHIVE, f"{base} (its {target.license} licence allows it)")
    if licensed is None:
        return Ruling(
            Verdict.UNKNOWN,
            f"{base}, which need an enterprise licence, and the target's licence is not known",
            short="a read-only archive (given an enterprise licence)",
        )
    return Ruling(
        Verdict.INCOMPATIBLE,
        f"{base}, which need an enterprise licence (this cluster has {target.license})",
    )


# -- indices -------------------------------------------------------------------------------


WRITE_BLOCK_SETTING = "index.blocks.write"
"""The block 9.x requires on a 7.x-created (N-2) index before it reads it read-only."""


def index_rule(
    created: Version, target: TargetCluster, *, write_block: bool | None = False
) -> Ruling:
    """Can a cluster of ``target`` restore an index created in exactly ``created``?

    ``write_block`` says whether the index carries ``index.blocks.write=true`` in the snapshot
    (None: not known); only 9.x's read-only N-2 path looks at it.
    """
    if target.product is OS:
        return _opensearch_index_rule(created, target)
    return _elasticsearch_index_rule(created, target, write_block)


def _read_only_n2_ruling(created: Version, reads: str, write_block: bool | None) -> Ruling:
    """9.x and a 7.x-created index: read-only with a write block, refused without one."""
    line = f"{created.major}.x"
    if write_block:
        return Ruling(
            Verdict.READ_ONLY_ARCHIVE,
            f"{reads}; a {line} index that carries a write block ({WRITE_BLOCK_SETTING}=true), "
            "as this one does, restores read-only (N-2) and the block cannot be removed",
            short="read-only (N-2)",
        )
    if write_block is None:
        return Ruling(
            Verdict.UNKNOWN,
            f"{reads}; a {line} index restores read-only (N-2) only if it carries a write block "
            f"({WRITE_BLOCK_SETTING}=true), and whether this one does is not known",
            short="read-only (N-2) if it carries a write block",
        )
    return Ruling(
        Verdict.INCOMPATIBLE,
        f"{reads}; a {line} index restores only read-only (N-2), and only if it carries a write "
        f"block ({WRITE_BLOCK_SETTING}=true), which this one does not",
    )


def _elasticsearch_index_rule(
    created: Version, target: TargetCluster, write_block: bool | None = False
) -> Ruling:
    name = _target_text(target)
    tv = target.version
    if created.product is OS:
        return Ruling(
            Verdict.INCOMPATIBLE, "Elasticsearch cannot read indices created by OpenSearch"
        )
    if created > tv:
        return Ruling(Verdict.INCOMPATIBLE, f"{name} cannot read indices from a newer version")
    minimum = es_minimum_index_compatibility(tv)
    reads = f"{name} reads indices created in {describe_bound(minimum)} or later"
    if created >= minimum:
        low, high = ANOMALY_68_TARGETS
        if low <= tv < high and _line(6, 8) <= created < _line(6, 9):
            return Ruling(
                Verdict.INCOMPATIBLE,
                f"{name} cannot read indices created in 6.8 (7.0 and 7.1 predate it; "
                "7.2 or later can)",
            )
        return Ruling(Verdict.COMPATIBLE, reads)
    if created.major in ARCHIVE_MAJORS:
        if tv >= ARCHIVE_SINCE:
            return _archive_ruling("5.x/6.x indices", target)
        if tv.major >= 8:
            return Ruling(
                Verdict.INCOMPATIBLE,
                f"{reads} (read-only archive indices for 5.x/6.x need 8.3 or later)",
            )
    if tv.major >= 9 and created.major == tv.major - 2 and created >= Version(created.major):
        return _read_only_n2_ruling(created, reads, write_block)
    if tv >= ARCHIVE_SINCE:
        reads += " (and 5.x/6.x ones as read-only archives)"
    return Ruling(Verdict.INCOMPATIBLE, reads)


def _opensearch_index_rule(created: Version, target: TargetCluster) -> Ruling:
    name = _target_text(target)
    tv = target.version
    if created.product is OS:
        if created > tv:
            return Ruling(Verdict.INCOMPATIBLE, f"{name} cannot read indices from a newer version")
        minimum = opensearch_minimum_own(tv)
        if created >= minimum:
            return Ruling(
                Verdict.COMPATIBLE,
                f"{name} reads indices created in {describe_bound(minimum, product=True)} or later",
            )
        return Ruling(
            Verdict.INCOMPATIBLE,
            f"{name} reads only indices created in {describe_bound(minimum, product=True)} "
            "or later",
        )
    readable = opensearch_reads_elasticsearch(tv)
    if readable is None:
        return Ruling(
            Verdict.INCOMPATIBLE,
            f"{name} reads only indices created in "
            f"{describe_bound(opensearch_minimum_own(tv), product=True)} or later",
        )
    low, high = readable
    if low <= created <= high:
        return Ruling(
            Verdict.COMPATIBLE, f"{name} reads indices created in {_es_lines_text(low, high)}"
        )
    doubt_low, doubt_high = OPENSEARCH_DOUBTFUL
    if doubt_low <= created < doubt_high:
        return Ruling(
            Verdict.UNKNOWN,
            f"{name} reads Elasticsearch indices up to 7.10; 7.11 is reported to work by some "
            "but this is unverified",
        )
    return Ruling(
        Verdict.INCOMPATIBLE,
        f"{name} reads only Elasticsearch indices created in {_es_lines_text(low, high)}",
    )


# -- snapshots -------------------------------------------------------------------------------


def snapshot_rule(taken_by: Version, target: TargetCluster) -> Ruling:
    """Can a cluster of ``target`` restore a snapshot taken by exactly ``taken_by``?

    This is the snapshot-level gate (who can read the snapshot at all); each index is still
    checked on its own created version.
    """
    if target.product is OS:
        return _opensearch_snapshot_rule(taken_by, target)
    return _elasticsearch_snapshot_rule(taken_by, target)


def _elasticsearch_snapshot_rule(taken_by: Version, target: TargetCluster) -> Ruling:
    name = _target_text(target)
    tv = target.version
    if taken_by.product is OS:
        return Ruling(Verdict.INCOMPATIBLE, "Elasticsearch cannot restore OpenSearch snapshots")
    if taken_by > tv:
        return Ruling(
            Verdict.INCOMPATIBLE,
            f"{name} cannot restore a snapshot taken by a newer version",
        )
    minimum = es_minimum_index_compatibility(tv)
    reads = f"{name} restores snapshots taken by {describe_bound(minimum)} or later"
    if taken_by >= minimum:
        return Ruling(Verdict.COMPATIBLE, reads)
    if taken_by.major in ARCHIVE_MAJORS:
        if tv >= ARCHIVE_SINCE:
            return _archive_ruling("the indices of 5.x/6.x snapshots", target)
        if tv.major >= 8:
            return Ruling(
                Verdict.INCOMPATIBLE,
                f"{reads} (read-only archive indices for 5.x/6.x need 8.3 or later)",
            )
    if tv.major >= 9 and taken_by.major == tv.major - 2:
        # A 7.x snapshot on 9.x is not refused as a whole: the current docs only forbid older
        # targets (es-rest-api.md §6.1) and the index table (§6.2) decides per index. At best
        # its indices restore read-only: 7.x-created ones that carry a write block (N-2, any
        # licence), 5.x/6.x-created ones as archive indices (enterprise licence). So the
        # snapshot allows a read-only restore, and each index says whether it gets one.
        line = f"{taken_by.major}.x"
        return Ruling(
            Verdict.READ_ONLY_ARCHIVE,
            f"{name} restores the indices of {line} snapshots only read-only: {line}-created "
            f"ones that carry a write block ({WRITE_BLOCK_SETTING}=true) as N-2 indices, "
            "5.x/6.x-created ones as archive indices with an enterprise licence",
            short="read-only",
        )
    return Ruling(Verdict.INCOMPATIBLE, reads)


def _opensearch_snapshot_rule(taken_by: Version, target: TargetCluster) -> Ruling:
    name = _target_text(target)
    tv = target.version
    if taken_by.product is OS:
        if taken_by > tv:
            return Ruling(
                Verdict.INCOMPATIBLE,
                f"{name} cannot restore a snapshot taken by a newer version",
            )
        minimum = opensearch_minimum_own(tv)
        if taken_by >= minimum:
            return Ruling(
                Verdict.COMPATIBLE,
                f"{name} restores snapshots taken by {describe_bound(minimum, product=True)} "
                "or later",
            )
        return Ruling(
            Verdict.INCOMPATIBLE,
            f"{name} restores only snapshots taken by "
            f"{describe_bound(minimum, product=True)} or later",
        )
    doubt_low, doubt_high = OPENSEARCH_DOUBTFUL
    if taken_by >= doubt_high:
        return Ruling(
            Verdict.INCOMPATIBLE,
            "OpenSearch cannot restore snapshots from Elasticsearch 7.12 or later "
            "(repository format changes)",
        )
    if taken_by >= doubt_low:
        return Ruling(
            Verdict.UNKNOWN,
            "OpenSearch restores Elasticsearch snapshots up to 7.10; 7.11 is reported to work "
            "by some but this is unverified",
        )
    readable = opensearch_reads_elasticsearch(tv)
    if readable is None:
        return Ruling(
            Verdict.INCOMPATIBLE,
            f"{name} restores only snapshots taken by "
            f"{describe_bound(opensearch_minimum_own(tv), product=True)} or later",
        )
    low, high = readable
    if taken_by >= low:
        return Ruling(
            Verdict.COMPATIBLE,
            f"{name} restores Elasticsearch snapshots taken by "
            f"{describe_bound(low)}-{describe_bound(high)}",
        )
    return Ruling(
        Verdict.INCOMPATIBLE,
        f"{name} restores only Elasticsearch snapshots taken by "
        f"{describe_bound(low)}-{describe_bound(high)}",
    )


# -- where verdicts can change ----------------------------------------------------------------


@lru_cache(maxsize=256)
def breakpoints(target: Version) -> tuple[Version, ...]:
    """Every created/snapshot version at which a rule above may change its answer for ``target``.

    The rules are constant between consecutive breakpoints, so checking a range's low end and
    each breakpoint inside it visits every distinct answer (tests check this by brute force).
    """
    points: list[Version] = []
    for product in (ES, OS):
        for major in range(0, 100):
            points.append(_line(major, product=product))
            points.append(Version(major, 0, 0, 26, product))
            points.append(Version(major, 0, 0, 99, product))
        points += [
            _line(6, 8, product=product),
            _line(6, 9, product=product),
            _line(7, 11, product=product),
            _line(7, 12, product=product),
            Version(7, 10, 2, 99, product),
            Version(7, 10, 3, 0, product),
        ]
    points.append(target)
    points.append(_successor(target))
    return tuple(points)


def _successor(version: Version) -> Version:
    """The smallest version above ``version`` (same product)."""
    if version.build < 99:
        return Version(
            version.major, version.minor, version.revision, version.build + 1, version.product
        )
    if version.revision < 99:
        return Version(version.major, version.minor, version.revision + 1, 0, version.product)
    if version.minor < 99:
        return Version(version.major, version.minor + 1, 0, 0, version.product)
    return Version(min(version.major + 1, 99), 0, 0, 0, version.product)
