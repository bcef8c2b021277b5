"""Live cluster layer: a version-agnostic async client for Elasticsearch and OpenSearch.

Import from here: ``ClusterClient``, the result models and ``ClusterUnavailable``.
"""

from esnap_tui.cluster.capabilities import Capabilities, capabilities_for
from esnap_tui.cluster.client import ClusterClient, RestResponse
from esnap_tui.cluster.local import local_repository_path, open_local_reader
from esnap_tui.cluster.models import (
    UNAVAILABLE_KINDS,
    ClusterHealth,
    ClusterIndex,
    ClusterInfo,
    ClusterLicense,
    ClusterUnavailable,
    ConnectionRefused,
    ConnectionTimedOut,
    CredentialsUnavailable,
    Forbidden,
    HttpError,
    NotElasticsearch,
    RepositoryInfo,
    SnapshotPage,
    TlsFailure,
    Unauthorized,
)

__all__ = [
    "UNAVAILABLE_KINDS",
    "Capabilities",
    "ClusterClient",
    "ClusterHealth",
    "ClusterIndex",
    "ClusterInfo",
    "ClusterLicense",
    "ClusterUnavailable",
    "ConnectionRefused",
    "ConnectionTimedOut",
    "CredentialsUnavailable",
    "Forbidden",
    "HttpError",
    "NotElasticsearch",
    "RepositoryInfo",
    "RestResponse",
    "SnapshotPage",
    "TlsFailure",
    "Unauthorized",
    "capabilities_for",
    "local_repository_path",
    "open_local_reader",
]
