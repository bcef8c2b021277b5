"""Restore planning (pure): a plan, its pre-flight checks, the exact request, the audit log.

Execution and progress tracking live elsewhere; nothing here talks to a cluster or imports
Textual.
"""

from esnap_tui.restore.audit import AuditLog, default_audit_path
from esnap_tui.restore.checks import (
    CheckReport,
    CheckResult,
    FixAction,
    PredictedError,
    Selection,
    Severity,
    resolve_selection,
    run_checks,
)
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
)
from esnap_tui.restore.plan import REPLICAS_ZERO, RestorePlan
from esnap_tui.restore.rename import JavaRename, RenameError, RenamePreview, preview
from esnap_tui.restore.request import (
    RestoreRequest,
    UnsupportedOption,
    accepted_body_keys,
    build_request,
)

__all__ = [
    "REPLICAS_ZERO",
    "AuditLog",
    "CheckReport",
    "CheckResult",
    "DeletionInFlight",
    "ExistingDataStream",
    "ExistingIndex",
    "FixAction",
    "GlobalMetadataSummary",
    "JavaRename",
    "NodeDisk",
    "PredictedError",
    "RenameError",
    "RenamePreview",
    "RepositoryFacts",
    "RestoreInFlight",
    "RestorePlan",
    "RestoreRequest",
    "Selection",
    "Severity",
    "SlmPolicyFacts",
    "SnapshotFacts",
    "TargetFacts",
    "UnsupportedOption",
    "accepted_body_keys",
    "build_request",
    "default_audit_path",
    "preview",
    "resolve_selection",
    "run_checks",
]
