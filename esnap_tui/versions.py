"""Elasticsearch and OpenSearch versions: release strings and numeric ids.

Why this module matters: the created version of an index is stored as a numeric id whose meaning
changed over time (legacy ``MMmmrrbb`` ids up to 8.10, detached ``IndexVersion`` ids from 8.11,
OpenSearch ids with bit 27 flipped). One id may map to a *range* of releases, and an unknown id
must give an honest range, never a wrong release.

Id spaces, decided in this order by :func:`decode_version_id`:

* bit 27 (``0x08000000``) set: OpenSearch, ``legacy id XOR 0x08000000`` (2.11.0 = 136327827);
* below ``8_500_000``: Elasticsearch legacy id ``major*1e6 + minor*1e4 + revision*100 + build``,
  exact (7100299 = 7.10.2);
* otherwise: an Elasticsearch ``IndexVersion`` id (8.11+, ``M_NNN_S_PP``), looked up in the shipped
  table ``data/index_versions.csv`` the way Elasticsearch's ``ReleaseVersions.Lookup.inferVersion``
  does: a known id gives the releases that write it; an unknown id gives (the revision after the
  last release below it) .. (the first release above it), or "<that> or newer" above the table.

Text forms of :class:`VersionRange`: ``"7.10.2"`` (exact), ``"8.11.0-8.11.4"`` (range),
``"9.3.8 or newer"`` (open-ended), ``"8.12.1 (pre-release build)"`` (an unknown id squeezed
between two releases' ids, so written by a development build of that release).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

OPENSEARCH_MASK = 0x08000000
"""OpenSearch flips bit 27 of the legacy id, so its ids never collide with Elasticsearch's."""

FIRST_INDEX_VERSION_ID = 8_500_000
"""``IndexVersions.FIRST_DETACHED_INDEX_VERSION``: ids from here on are not release-aligned."""

_MAX_LEGACY_ID = 99_99_99_99
_GA_BUILD = 99


class Product(StrEnum):
    ELASTICSEARCH = "elasticsearch"
    OPENSEARCH = "opensearch"


_VERSION_TEXT = re.compile(
    r"""
    (?P<major>\d{1,2}) \. (?P<minor>\d{1,2}) (?: \. (?P<revision>\d{1,2}) )?
    (?: [-.]? (?P<kind>alpha|beta|rc) (?P<number>\d{1,2}) )?
    (?P<snapshot>-SNAPSHOT)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _modern_builds(major: int, product: Product) -> bool:
    """ES 5+ (and all OpenSearch) split builds into alpha/beta/rc; ES < 5 had no alphas."""
    return product is Product.OPENSEARCH or major >= 5


@dataclass(frozen=True)
class Version:
    """One release. ``build`` follows the legacy encoding: 99 = GA, <25 alpha, 25-49 beta, 50-98 rc.

    Ordered by (major, minor, revision, build); ``-SNAPSHOT`` builds sort with their release.
    Comparing versions of different products is allowed (it orders by numbers only); callers
    that care about product check ``product`` themselves. Equality and hashing use every field,
    so ``8.15.0-SNAPSHOT != 8.15.0`` although neither sorts before the other.
    """

    major: int
    minor: int = 0
    revision: int = 0
    build: int = 99
    product: Product = Product.ELASTICSEARCH
    snapshot: bool = False

    def __post_init__(self) -> None:
        for name in ("major", "minor", "revision", "build"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
                raise ValueError(f"version {name} must be an integer 0-99, got {value!r}")
        if not isinstance(self.product, Product):
            object.__setattr__(self, "product", Product(self.product))

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, product: Product = Product.ELASTICSEARCH) -> Version:
        """Parse "7.13.4", "8.15.0-SNAPSHOT", "6.0.0-beta1", "2.11.0" (raise ValueError if bad).

        Also accepts "6.8" (revision 0), upper-case qualifiers and the 1.x spelling "1.0.0.RC1".
        """
        if not isinstance(text, str):
            raise ValueError(f"version must be a string, got {type(text).__name__}")
        match = _VERSION_TEXT.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                f"not a version: {text!r} "
                "(expected e.g. '7.10.2', '8.15.0-SNAPSHOT', '6.0.0-beta1')"
            )
        product = Product(product)
        major, minor = int(match["major"]), int(match["minor"])
        revision = int(match["revision"] or 0)
        build = _GA_BUILD
        kind = (match["kind"] or "").lower()
        if kind:
            build = _encode_build(major, product, kind, int(match["number"]), text)
        return cls(major, minor, revision, build, product, snapshot=match["snapshot"] is not None)

    @classmethod
    def from_legacy_id(cls, version_id: int) -> Version:
        """Decode a legacy ``MMmmrrbb`` id (``7100299`` = 7.10.2); OpenSearch ids (bit 27 set)
        give an OpenSearch version.

        Elasticsearch ids in ``8_500_000..8_999_999`` are ``IndexVersion`` ids, not releases:
        they raise ValueError (use :func:`decode_version_id`). Ids from 9_000_000 up are decoded
        arithmetically, as 9.x ``Version`` ids (``9010099`` = 9.1.0) are still written in places.
        """
        if isinstance(version_id, bool) or not isinstance(version_id, int):
            raise ValueError(f"version id must be an integer, got {version_id!r}")
        product = Product.ELASTICSEARCH
        raw = version_id
        if raw & OPENSEARCH_MASK:
            product = Product.OPENSEARCH
            raw ^= OPENSEARCH_MASK
        if raw <= 0 or raw > _MAX_LEGACY_ID:
            raise ValueError(f"not a version id: {version_id}")
        if product is Product.ELASTICSEARCH and FIRST_INDEX_VERSION_ID <= raw < 9_000_000:
            raise ValueError(
                f"{version_id} is an 8.11+ IndexVersion id, not a release id; "
                "decode it with decode_version_id()"
            )
        return cls(
            raw // 1_000_000 % 100, raw // 10_000 % 100, raw // 100 % 100, raw % 100, product
        )

    # -- derived ----------------------------------------------------------------------------

    @property
    def legacy_id(self) -> int:
        """The ``MMmmrrbb`` id (with bit 27 flipped for OpenSearch)."""
        raw = self.major * 1_000_000 + self.minor * 10_000 + self.revision * 100 + self.build
        return raw ^ OPENSEARCH_MASK if self.product is Product.OPENSEARCH else raw

    @property
    def is_release(self) -> bool:
        """A GA build (not alpha/beta/rc, not -SNAPSHOT)."""
        return self.build == _GA_BUILD and not self.snapshot

    @property
    def qualifier(self) -> str:
        """The pre-release part: "alpha1", "beta2", "rc1"; "" for GA."""
        build = self.build
        if build == _GA_BUILD:
            return ""
        if _modern_builds(self.major, self.product):
            if build < 25:
                return f"alpha{build}"
            if build < 50:
                return f"beta{build - 25}"
        elif build < 50:
            return f"beta{build}"
        return f"rc{build - 50}"

    def release(self) -> Version:
        """The GA release this build belongs to (drops qualifier and -SNAPSHOT)."""
        return Version(self.major, self.minor, self.revision, _GA_BUILD, self.product)

    def next_revision(self) -> Version:
        """The GA release one revision up (Elasticsearch's ``nextVersion`` guess)."""
        if self.revision == 99:
            return Version(self.major, self.minor + 1, 0, _GA_BUILD, self.product)
        return Version(self.major, self.minor, self.revision + 1, _GA_BUILD, self.product)

    def _key(self) -> tuple[int, int, int, int]:
        return (self.major, self.minor, self.revision, self.build)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() >= other._key()

    def __str__(self) -> str:  # "7.10.2", "6.0.0-beta1", "8.15.0-SNAPSHOT"
        text = f"{self.major}.{self.minor}.{self.revision}"
        if qualifier := self.qualifier:
            text += f"-{qualifier}"
        if self.snapshot:
            text += "-SNAPSHOT"
        return text


def _encode_build(major: int, product: Product, kind: str, number: int, text: str) -> int:
    if kind == "rc":
        build = 50 + number
    elif not _modern_builds(major, product):
        if kind == "alpha":
            raise ValueError(f"not a version: {text!r} (Elasticsearch before 5.0 had no alphas)")
        build = number if number < 50 else -1
    elif kind == "alpha":
        build = number if number < 25 else -1
    else:
        build = 25 + number if number < 25 else -1
    if not 0 <= build < _GA_BUILD:
        raise ValueError(f"not a version: {text!r} ({kind}{number} cannot be encoded in an id)")
    return build


@dataclass(frozen=True)
class VersionRange:
    """The releases an id may stand for; ``low == high`` when exact; ``high is None`` when
    open-ended (an id newer than anything in our table).

    ``inferred`` is True when the id itself was not in the table and the bounds come from its
    neighbours; such a range is never ``exact``, even when both bounds are the same release.

    ``index_version_id`` keeps the raw 8.11+ ``IndexVersion`` id the range was decoded from
    (None for legacy and OpenSearch ids, and for ranges built by hand). Elasticsearch decides
    by comparing ids, not releases: 9033000 is readable by every release that writes 9033000
    or more, although its range 9.1.0-9.1.8 reaches past 9.1.5. It takes no part in equality.
    """

    low: Version
    high: Version | None
    inferred: bool = False
    index_version_id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.high is not None:
            if self.high.product is not self.low.product:
                raise ValueError(f"range mixes products: {self.low!r} and {self.high!r}")
            if self.high < self.low:
                raise ValueError(f"range ends ({self.high}) before it starts ({self.low})")

    @classmethod
    def exactly(cls, version: Version) -> VersionRange:
        return cls(version, version)

    @property
    def exact(self) -> bool:
        return self.high is not None and self.low == self.high and not self.inferred

    @property
    def product(self) -> Product:
        return self.low.product

    def __contains__(self, version: object) -> bool:
        """``v in r``: same product and ``low <= v <= high`` (SNAPSHOTs sort with their release)."""
        if not isinstance(version, Version) or version.product is not self.product:
            return False
        return self.low <= version and (self.high is None or version <= self.high)

    def __str__(self) -> str:  # "7.10.2", "8.11.0-8.11.4", "9.1.0 or newer"
        if self.high is None:
            return f"{self.low} or newer"
        if self.low == self.high:
            return f"{self.low} (pre-release build)" if self.inferred else str(self.low)
        return f"{self.low}-{self.high}"


# -- the shipped IndexVersion table ------------------------------------------------------------

_TABLE_LINE = re.compile(r"(\d+)\.(\d+)\.(\d+),(\d+)")


class IndexVersionTable:
    """``release,id`` rows grouped by id, sorted, for bisect lookups in both directions.

    Rows must be monotone: a newer release never writes a smaller id (checked on load), which is
    what makes "between its neighbours" a sound inference.
    """

    def __init__(self, rows: list[tuple[Version, int]]) -> None:
        if not rows:
            raise ValueError("index version table is empty")
        rows = sorted(rows, key=lambda row: row[0]._key())
        self._id_by_release: dict[Version, int] = {}
        self._newest_by_line: dict[tuple[int, int], tuple[Version, int]] = {}
        ids: list[int] = []
        bounds: list[tuple[Version, Version]] = []
        for version, version_id in rows:
            if version in self._id_by_release:
                raise ValueError(f"index version table lists {version} twice")
            if ids and version_id < ids[-1]:
                raise ValueError(
                    f"index version table is not monotone: {version} has id {version_id}, "
                    f"below {bounds[-1][1]}'s {ids[-1]}"
                )
            self._id_by_release[version] = version_id
            self._newest_by_line[(version.major, version.minor)] = (version, version_id)
            if ids and ids[-1] == version_id:
                bounds[-1] = (bounds[-1][0], version)
            else:
                ids.append(version_id)
                bounds.append((version, version))
        self._ids = ids
        self._bounds = bounds

    @classmethod
    def from_lines(cls, lines: list[str] | str, *, source: str = "<table>") -> IndexVersionTable:
        """Parse CSV lines; ``#`` comments and blank lines are skipped, anything else must match."""
        if isinstance(lines, str):
            lines = lines.splitlines()
        rows: list[tuple[Version, int]] = []
        for number, line in enumerate(lines, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            match = _TABLE_LINE.fullmatch(line)
            if match is None:
                raise ValueError(f"{source}:{number}: expected 'release,id', got {line!r}")
            major, minor, revision, version_id = (int(part) for part in match.groups())
            rows.append((Version(major, minor, revision), version_id))
        return cls(rows)

    @classmethod
    def from_path(cls, path: str | Path) -> IndexVersionTable:
        path = Path(path)
        return cls.from_lines(path.read_text(encoding="utf-8"), source=str(path))

    @property
    def releases(self) -> list[Version]:
        """Every release in the table, oldest first."""
        return list(self._id_by_release)

    @property
    def newest_release(self) -> Version:
        return self._bounds[-1][1]

    @property
    def newest_id(self) -> int:
        return self._ids[-1]

    def releases_for(self, version_id: int) -> VersionRange:
        """Elasticsearch's ``inferVersion`` rule: a known id -> its releases; an unknown id ->
        (revision after the last release below it) .. (first release above it), or open."""
        index = bisect.bisect_left(self._ids, version_id)
        if index < len(self._ids) and self._ids[index] == version_id:
            low, high = self._bounds[index]
            return VersionRange(low, high)
        if index > 0:
            low = self._bounds[index - 1][1].next_revision()
        else:  # below everything we know: only the major is certain
            low = Version(version_id // 1_000_000 % 100, 0, 0)
        high = self._bounds[index][0] if index < len(self._ids) else None
        if high is not None and high < low:  # neighbours closer than one revision apart
            low = high
        return VersionRange(low, high, inferred=True)

    def writes_exactly(self, version: Version) -> bool:
        """Whether the table lists this very release (so :meth:`id_for` is its id, not the
        newest id of its line, which a revision past the table writes *at least*)."""
        return version.release() in self._id_by_release

    def id_for(self, version: Version) -> int | None:
        """The id this release writes; for a revision past the table, its line's newest id."""
        release = version.release()
        version_id = self._id_by_release.get(release)
        if version_id is None:
            newest = self._newest_by_line.get((release.major, release.minor))
            if newest is not None and release > newest[0]:
                version_id = newest[1]
        return version_id


@lru_cache(maxsize=1)
def index_version_table() -> IndexVersionTable:
    """The shipped table, loaded once on first use."""
    resource = resources.files("esnap_tui") / "data" / "index_versions.csv"
    return IndexVersionTable.from_lines(
        resource.read_text(encoding="utf-8"), source="esnap_tui/data/index_versions.csv"
    )


# -- public entry points -----------------------------------------------------------------------


def decode_version_id(value: int | str) -> VersionRange:
    """Any numeric id found in a repository or a cluster's settings -> the releases it may be.

    Legacy ids (< 8_500_000) are exact; 8.11+ IndexVersion ids go through the shipped table;
    OpenSearch ids are detected by bit 27. Raises ValueError for something that is not an id.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a version id: {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            raise ValueError(f"not a version id: {value!r} (expected digits, e.g. '7100299')")
        value = int(text)
    elif not isinstance(value, int):
        raise ValueError(f"not a version id: {value!r}")
    return _decode_int(value)


@lru_cache(maxsize=8192)
def _decode_int(value: int) -> VersionRange:
    if value <= 0:
        raise ValueError(f"not a version id: {value} (ids are positive)")
    if value & OPENSEARCH_MASK or value < FIRST_INDEX_VERSION_ID:
        return VersionRange.exactly(Version.from_legacy_id(value))
    if value > _MAX_LEGACY_ID:
        raise ValueError(f"not a version id: {value} (too large for Elasticsearch or OpenSearch)")
    return replace(index_version_table().releases_for(value), index_version_id=value)


def index_version_id_for(version: Version) -> int:
    """The ``index.version.created`` id a given release writes.

    Elasticsearch up to 8.10 and all OpenSearch: the legacy id (OpenSearch with bit 27 flipped).
    Elasticsearch 8.11+: the id of that release in the shipped table; a revision newer than the
    table's last one on a known line gets that line's newest id. Raises ValueError for 8.11+
    alpha/beta/rc builds and for lines the table does not know, rather than guess.
    ``-SNAPSHOT`` builds get their release's id.
    """
    if version.product is Product.OPENSEARCH or (version.major, version.minor) < (8, 11):
        return version.legacy_id
    if version.build != _GA_BUILD:
        raise ValueError(f"no IndexVersion id is known for pre-release {version}")
    table = index_version_table()
    version_id = table.id_for(version)
    if version_id is None:
        raise ValueError(
            f"no IndexVersion id is known for {version.release()} "
            f"(esnap's table ends at {table.newest_release})"
        )
    return version_id
