"""What the live client returns besides the shared catalog models: cluster facts and failures.

``ClusterUnavailable`` carries a ``kind`` the UI can switch on and a one-line message a user
can act on; it never contains a password or API key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esnap_tui.models import SnapshotSummary
from esnap_tui.versions import Product, Version

UNAVAILABLE_KINDS = (
    "refused",
    "timeout",
    "unauthorized",
    "forbidden",
    "tls",
    "not-elasticsearch",
    "http-error",
    "credentials",  # the password/API key could not be resolved locally (env var, command)
)


class ClusterUnavailable(Exception):
    """A cluster cannot be used; ``str()`` is one clear line, ``kind`` is one of
    ``UNAVAILABLE_KINDS``."""

    kind: str = "http-error"

    def __init__(
        self, message: str, *, url: str | None = None, reached_server: bool | None = True
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        # Did the request reach the cluster? False: never left (connect refused, DNS, TLS
        # handshake, credentials), so a write can safely be sent again; None: unknown (timeout,
        # dropped connection), so a write may have started and must be checked, never resent;
        # True: the cluster answered (401/403/HTTP error).
        self.reached_server = reached_server


class ConnectionRefused(ClusterUnavailable):
    kind = "refused"


class ConnectionTimedOut(ClusterUnavailable):
    kind = "timeout"


class Unauthorized(ClusterUnavailable):
    kind = "unauthorized"


class Forbidden(ClusterUnavailable):
    kind = "forbidden"


class TlsFailure(ClusterUnavailable):
    kind = "tls"


class NotElasticsearch(ClusterUnavailable):
    kind = "not-elasticsearch"


class CredentialsUnavailable(ClusterUnavailable):
    kind = "credentials"


class HttpError(ClusterUnavailable):
    """A non-2xx answer other than 401/403 (e.g. 404 ``snapshot_missing_exception``, 500).

    ``error_type``/``reason`` come from Elasticsearch's error body when it has one; ``body``
    is the decoded body for callers (restore) that need the details.
    """

    kind = "http-error"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        error_type: str | None = None,
        reason: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.error_type = error_type
        self.reason = reason
        self.body = body


@dataclass(frozen=True)
class ClusterInfo:
    """``GET /`` of a cluster, with product detected by esnap itself."""

    name: str
    cluster_name: str
    cluster_uuid: str | None
    version: Version
    product: Product
    build_flavor: str | None  # "default", "oss", "serverless"; None for OpenSearch
    minimum_index_compatibility: Version | None
    minimum_wire_compatibility: Version | None
    tagline: str | None = None

    @property
    def label(self) -> str:
        """"Elasticsearch 7.10.2 (oss)", "OpenSearch 2.11.0"."""
        product = "OpenSearch" if self.product is Product.OPENSEARCH else "Elasticsearch"
        flavor = (
            f" ({self.build_flavor})"
            if self.build_flavor and self.build_flavor != "default"
            else ""
        )
        return f"{product} {self.version}{flavor}"


@dataclass(frozen=True)
class ClusterHealth:
    status: str  # green / yellow / red
    cluster_name: str | None = None
    number_of_nodes: int | None = None
    number_of_data_nodes: int | None = None
    active_primary_shards: int | None = None
    active_shards: int | None = None
    relocating_shards: int | None = None
    initializing_shards: int | None = None
    unassigned_shards: int | None = None
    active_shards_percent: float | None = None
    timed_out: bool = False


@dataclass(frozen=True)
class RepositoryInfo:
    """One registered snapshot repository (``GET _snapshot``)."""

    name: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)
    location: str | None = None  # fs location / url repository URL, as the cluster sees it
    readonly: bool = False
    uuid: str | None = None  # 7.12+


@dataclass(frozen=True)
class ClusterIndex:
    """One index of a live cluster (``_cat/indices``): a restore target's existing state."""

    name: str
    uuid: str | None
    health: str | None
    status: str | None  # open / close
    primary_shards: int | None
    replicas: int | None
    docs_count: int | None
    size_in_bytes: int | None


@dataclass(frozen=True)
class ClusterLicense:
    """``GET _license``: what decides archive-index restores (8.3+ need enterprise or trial).

    ``type`` as Elasticsearch reports it (basic, trial, gold, platinum, enterprise); ``status``
    is "active", "expired" or "invalid".
    """

    type: str
    status: str

    @property
    def effective(self) -> str:
        """The type when active, else e.g. "enterprise (expired)" (it unlocks nothing)."""
        return self.type if self.status == "active" else f"{self.type} ({self.status})"


@dataclass
class SnapshotPage:
    """One page of a snapshot list, newest first by default.

    ``next`` is an opaque cursor for ``snapshots_page(after=...)``; None on the last page.
    ``server_paged`` says whether the cluster paged (7.14+) or esnap paged a cheap
    ``verbose=false`` list itself; ``sorted_exactly`` is False when that list lacked the
    sort key and name order stood in for it.
    """

    items: list[SnapshotSummary]
    next: str | None = None
    total: int | None = None
    remaining: int | None = None
    server_paged: bool = True
    sorted_exactly: bool = True
