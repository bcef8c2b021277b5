"""Compatibility engine: will this snapshot restore into that cluster, index by index?

Pure code (no I/O, no Textual): versions and the documented rules in, verdicts out. See
``rules`` for the matrix and its sources, ``bounds`` for what can be proved when an index's
created version is unknown, and ``estimate`` for the restore-versus-reindex time estimate.
``gather`` (not imported here, so the package stays I/O-free) collects the facts from a live
cluster or a repository folder.
"""

from esnap_tui.compat.bounds import CreatedBounds, prove_bounds
from esnap_tui.compat.check import check_index, check_snapshot, check_snapshot_indices
from esnap_tui.compat.estimate import Estimate, Rates, estimate_migration, format_duration
from esnap_tui.compat.model import (
    ARCHIVE_LICENSES,
    Advice,
    CompatReport,
    IndexVerdict,
    SnapshotVerdict,
    TargetCluster,
    Verdict,
)
from esnap_tui.compat.rules import (
    Ruling,
    es_minimum_index_compatibility,
    index_rule,
    snapshot_rule,
)

__all__ = [
    "ARCHIVE_LICENSES",
    "Advice",
    "CompatReport",
    "CreatedBounds",
    "Estimate",
    "IndexVerdict",
    "Rates",
    "Ruling",
    "SnapshotVerdict",
    "TargetCluster",
    "Verdict",
    "check_index",
    "check_snapshot",
    "check_snapshot_indices",
    "es_minimum_index_compatibility",
    "estimate_migration",
    "format_duration",
    "index_rule",
    "prove_bounds",
    "snapshot_rule",
]
