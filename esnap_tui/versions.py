"""Elasticsearch and OpenSearch versions: release strings and numeric ids.

INTERFACE STUB -- being implemented. Other layers may rely on these names and signatures.

Why this module matters: the created version of an index is stored as a numeric id whose meaning
changed over time (legacy ``MMmmrrbb`` ids up to 8.10, detached ``IndexVersion`` ids from 8.11,
OpenSearch ids with bit 27 flipped). One id may map to a *range* of releases, and an unknown id
must give an honest range, never a wrong release.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Product(StrEnum):
    ELASTICSEARCH = "elasticsearch"
    OPENSEARCH = "opensearch"


@dataclass(frozen=True)
class Version:
    """One release. ``build`` follows the legacy encoding: 99 = GA, <25 alpha, 25-49 beta, 50-98 rc.

    Ordered by (major, minor, revision, build); ``-SNAPSHOT`` builds sort with their release.
    Comparing versions of different products is allowed (it orders by numbers only); callers
    that care about product check ``product`` themselves.
    """

    major: int
    minor: int = 0
    revision: int = 0
    build: int = 99
    product: Product = Product.ELASTICSEARCH
    snapshot: bool = False

    @classmethod
    def parse(cls, text: str, product: Product = Product.ELASTICSEARCH) -> Version:
        """Parse "7.13.4", "8.15.0-SNAPSHOT", "6.0.0-beta1", "2.11.0" (raise ValueError if bad)."""
        raise NotImplementedError

    @classmethod
    def from_legacy_id(cls, version_id: int) -> Version:
        """Decode a legacy ``MMmmrrbb`` id (``7100299`` = 7.10.2); OpenSearch ids (bit 27 set)
        give an OpenSearch version."""
        raise NotImplementedError

    @property
    def legacy_id(self) -> int:
        """The ``MMmmrrbb`` id (with bit 27 flipped for OpenSearch)."""
        raise NotImplementedError

    def __str__(self) -> str:  # "7.10.2", "6.0.0-beta1", "8.15.0-SNAPSHOT"
        raise NotImplementedError


@dataclass(frozen=True)
class VersionRange:
    """The releases an id may stand for; ``low == high`` when exact; ``high is None`` when
    open-ended (an id newer than anything in our table)."""

    low: Version
    high: Version | None

    @property
    def exact(self) -> bool:
        raise NotImplementedError

    @property
    def product(self) -> Product:
        return self.low.product

    def __str__(self) -> str:  # "7.10.2", "8.11.0-8.11.4", "9.1.0 or newer"
        raise NotImplementedError


def decode_version_id(value: int | str) -> VersionRange:
    """Any numeric id found in a repository or a cluster's settings -> the releases it may be.

    Legacy ids (< 8_500_000) are exact; 8.11+ IndexVersion ids go through the shipped table;
    OpenSearch ids are detected by bit 27. Raises ValueError for something that is not an id.
    """
    raise NotImplementedError
