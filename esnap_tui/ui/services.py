"""The only door from the UI to the lower layers.

Why a source abstraction: a live cluster and an offline repository directory answer the same
questions (which repositories, one page of snapshots, one snapshot's detail, which snapshots
contain index X) in very different ways. Screens talk to ``Source`` objects only, from async
Textual workers, so neither HTTP nor disk reads ever run on the UI thread: the live client is
async, and repository files are read and decoded in a child process
(``esnap_tui.repository.reader_process``), because pure-Python decoding in a thread of this
process held the GIL and fed the garbage collector enough to freeze the screen. Lower layers
are imported lazily so the app still opens when one of them is broken; the source then shows
the import error in its own pane.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import importlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from esnap_tui.models import SnapshotDetail, SnapshotState, SnapshotSummary

if TYPE_CHECKING:
    from esnap_tui.config import ClusterConfig, EsnapConfig, OfflineRepositoryConfig
    from esnap_tui.models import IndexInSnapshot
    from esnap_tui.repository.reader_process import ReaderHandle, ReaderProcess

PAGE_SIZE = 50
# per repository, when only the REST API can answer (one request per snapshot): stay bounded
FIND_MAX_REST_SNAPSHOTS = 500
FIND_DETAIL_CONCURRENCY = 8


# --------------------------------------------------------------------------- view models


@dataclass
class SourceState:
    """How a source is doing, in words (never colour alone)."""

    ok: bool | None  # None while connecting
    headline: str  # "ES 8.15.0 green" or "refused"
    detail: str = ""  # the one-line reason or extra facts
    kind: str | None = None  # failure kind: refused, timeout, unauthorized, tls, ...

    @property
    def symbol(self) -> str:
        if self.ok is None:
            return "…"
        return "✓" if self.ok else "✗"


@dataclass(frozen=True)
class RepoRef:
    source: str  # Source.key
    name: str
    type: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class SortOrder:
    field: str  # as the get-snapshots API names it
    order: str  # "asc" | "desc"
    label: str


SORTS: tuple[SortOrder, ...] = (
    SortOrder("start_time", "desc", "newest first"),
    SortOrder("start_time", "asc", "oldest first"),
    SortOrder("name", "asc", "name A→Z"),
    SortOrder("name", "desc", "name Z→A"),
    SortOrder("duration", "desc", "longest first"),
)

_STATE_WORDS = {s.value.lower(): s for s in SnapshotState} | {
    "ok": SnapshotState.SUCCESS,
    "failure": SnapshotState.FAILED,
    "running": SnapshotState.IN_PROGRESS,
    "in-progress": SnapshotState.IN_PROGRESS,
}


@dataclass(frozen=True)
class SnapshotFilter:
    """What the user typed after ``/``: words match names; ``state:``/``policy:`` narrow.

    A bare word that is a state name (``failed``) filters by state. The first name word is sent
    to the server as a ``*word*`` pattern so a match deep in a 10,000-snapshot repository is
    found without paging through everything; the rest is checked on each loaded row.
    """

    text: str = ""
    names: tuple[str, ...] = ()
    states: frozenset[SnapshotState] = frozenset()
    policies: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SnapshotFilter:
        names: list[str] = []
        states: set[SnapshotState] = set()
        policies: list[str] = []
        for word in text.split():
            lower = word.lower()
            key, sep, value = lower.partition(":")
            if sep and key in ("state", "s") and value:
                states.update(_STATE_WORDS[v] for v in value.split(",") if v in _STATE_WORDS)
            elif sep and key in ("policy", "p", "slm") and value:
                policies.append(value)
            elif sep and key in ("name", "n") and value:
                names.append(value)
            elif lower in _STATE_WORDS:
                states.add(_STATE_WORDS[lower])
            else:
                names.append(lower)
        return cls(text.strip(), tuple(names), frozenset(states), tuple(policies))

    @property
    def active(self) -> bool:
        return bool(self.names or self.states or self.policies)

    @property
    def server_pattern(self) -> str:
        if not self.names:
            return "*"
        word = self.names[0].strip("*")
        return f"*{word}*" if word else "*"

    def matches(self, snapshot: SnapshotSummary) -> bool:
        name = snapshot.name.lower()
        if any(_word_in(word, name) is False for word in self.names):
            return False
        if self.states and snapshot.state not in self.states:
            return False
        if self.policies:
            policy = (snapshot.slm_policy or "").lower()
            if not any(p in policy for p in self.policies):
                return False
        return True


def _word_in(word: str, name: str) -> bool:
    if any(ch in word for ch in "*?"):
        return fnmatch.fnmatchcase(name, word)
    return word in name


@dataclass
class Page:
    items: list[SnapshotSummary]
    next: str | None = None  # cursor for the following page; None when the list is complete
    total: int | None = None


@dataclass
class FindResult:
    """Snapshots of one repository that contain an index matching the pattern."""

    source: str
    repository: str
    matches: list[tuple[SnapshotSummary, list[str]]] = field(default_factory=list)
    scanned: int = 0
    truncated: bool = False  # more snapshots exist than the search bound
    error: str | None = None


# --------------------------------------------------------------------------- formatting


def describe_error(error: BaseException) -> tuple[str, str]:
    """(kind, one-line message) for any failure a lower layer raises."""
    kind = getattr(error, "kind", None)
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if kind:
        return str(kind), message
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return "missing", message
    if isinstance(error, PermissionError):
        return "permission", message
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return "timeout", message or "timed out"
    return "error", f"{type(error).__name__}: {message}"


KIND_LABELS = {
    "refused": "connection refused",
    "timeout": "timed out",
    "unauthorized": "401 unauthorized",
    "forbidden": "403 forbidden",
    "tls": "TLS error",
    "not-elasticsearch": "not Elasticsearch",
    "http-error": "HTTP error",
    "missing": "not found",
    "permission": "permission denied",
    "unavailable": "layer not available",
}


def format_time(ms: int | None) -> str:
    """Absolute UTC minutes: stable in screenshots and unambiguous across time zones."""
    if ms is None or ms < 0:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def format_time_full(ms: int | None) -> str:
    if ms is None or ms < 0:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(ms: int | None) -> str:
    if ms is None or ms < 0:
        return "—"
    seconds = ms // 1000
    if seconds < 60:
        return f"{ms / 1000:.1f}s" if ms < 10_000 else f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def format_bytes(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{size}B"


STATE_SYMBOLS = {
    SnapshotState.SUCCESS: "✓",
    SnapshotState.PARTIAL: "◐",
    SnapshotState.FAILED: "✗",
    SnapshotState.IN_PROGRESS: "…",
    SnapshotState.INCOMPATIBLE: "!",
}


_SHORT_STATES = {SnapshotState.IN_PROGRESS: "RUNNING", SnapshotState.INCOMPATIBLE: "INCOMPAT"}


def format_state(state: SnapshotState | None, *, short: bool = False) -> str:
    """Symbol and word, so state reads without colour; ``short`` fits 10 columns."""
    if state is None:
        return "? unknown"
    word = _SHORT_STATES.get(state, state.value) if short else state.value
    return f"{STATE_SYMBOLS.get(state, '?')} {word}"


def matches_index(pattern: str, index: str) -> bool:
    """Comma separated names or wildcard patterns, ``-x`` excludes (as Elasticsearch reads
    them); a plain word without wildcards must match the whole name."""
    included = False
    for part in (p.strip() for p in pattern.split(",")):
        if not part:
            continue
        if part.startswith("-") and len(part) > 1:
            if fnmatch.fnmatchcase(index, part[1:]):
                return False
            continue
        if fnmatch.fnmatchcase(index, part):
            included = True
    return included


def sort_find_matches(
    matches: list[tuple[SnapshotSummary, list[str]]],
) -> list[tuple[SnapshotSummary, list[str]]]:
    """Newest successful first, then the other states newest first."""
    return sorted(
        matches,
        key=lambda m: (m[0].state is not SnapshotState.SUCCESS, -(m[0].start_time_ms or 0)),
    )


# --------------------------------------------------------------------------- sources


class Source:
    """A place snapshots come from: a live cluster, or an offline repository directory."""

    kind = "source"

    def __init__(self, name: str) -> None:
        self.name = name
        self.read_only = False
        self.protected = False
        self.theme: str | None = None
        self.state = SourceState(None, "connecting")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    async def connect(self) -> SourceState:
        raise NotImplementedError

    async def repositories(self) -> list[RepoRef]:
        raise NotImplementedError

    async def snapshots_page(
        self, repository: str, *, sort: SortOrder, filt: SnapshotFilter,
        after: str | None = None, size: int = PAGE_SIZE,
    ) -> Page:
        raise NotImplementedError

    async def snapshot(self, repository: str, name: str) -> SnapshotDetail:
        raise NotImplementedError

    async def snapshot_indices(self, repository: str, name: str) -> list[IndexInSnapshot] | None:
        """Per-index metadata (created version...) when the repository bytes are readable."""
        return None

    async def find_index(self, repository: str, pattern: str) -> FindResult:
        raise NotImplementedError

    def missing_times(self, repository: str) -> tuple[int, int]:
        """(snapshots listed without a start time, snapshots in all). Catalogues before 7.14
        carry no times; a live cluster always answers with them."""
        return 0, 0

    async def fill_times(self, repository: str) -> AsyncIterator[list[SnapshotSummary]]:
        """Fill in the start times ``missing_times`` counts, yielding the summaries filled a
        few at a time so the list can update as they come."""
        return
        yield

    async def close(self) -> None:
        return None


def reader_process() -> ReaderProcess:
    """The child process every repository read goes to (one per app process)."""
    from esnap_tui.repository.reader_process import shared_reader_process

    return shared_reader_process()


def _reader_method(name: str) -> Any:
    """A ``RepositoryReader`` method, to run in the reader process."""
    from esnap_tui.repository.reader import RepositoryReader

    return getattr(RepositoryReader, name)


def _opened(reader: Any) -> None:
    """Nothing: calling it opens the reader (reads its catalogue) in the reader process."""


def _listing(reader: Any) -> tuple[list[SnapshotSummary], int, list[str]]:
    return reader.snapshots(), reader.generation, list(reader.warnings)


def _fresh_indices(reader: Any, name: str) -> list[IndexInSnapshot]:
    reader.refresh()
    return reader.indices(name)


def _fresh_search(reader: Any, source: str, repository: str, pattern: str) -> FindResult:
    reader.refresh()
    return catalogue_search(reader, source, repository, pattern)


class ClusterSource(Source):
    """A live cluster through ``esnap_tui.cluster.ClusterClient``.

    When an ``fs`` repository's files are readable on this machine (config ``repositories``
    mapping, or its own location), they are also read directly: that gives each index's
    created version and a cheap index-to-snapshots map for the index search.
    """

    kind = "cluster"

    def __init__(self, config: ClusterConfig) -> None:
        super().__init__(config.name)
        self.config = config
        self.read_only = bool(config.read_only)
        self.protected = bool(config.protected)
        self.theme = config.theme
        self._client: Any = None
        self._details: dict[tuple[str, str], SnapshotDetail] = {}
        self._repos: dict[str, Any] = {}  # name -> RepositoryInfo
        self._local: dict[str, ReaderHandle | None] = {}  # name -> its files' reader, if any

    async def _get_client(self) -> Any:
        if self._client is None:
            from esnap_tui.cluster import ClusterClient

            self._client = ClusterClient(self.config)
        return self._client

    async def connect(self) -> SourceState:
        try:
            client = await self._get_client()
            info = await client.connect()
        except Exception as error:  # every failure becomes this source's own state
            kind, message = describe_error(error)
            self.state = SourceState(False, KIND_LABELS.get(kind, kind), message, kind)
            return self.state
        opensearch = str(getattr(info, "product", "")) == "opensearch"
        flavour = getattr(info, "build_flavor", None)
        headline = f"{'OpenSearch' if opensearch else 'ES'} {info.version}"
        if flavour and flavour != "default":
            headline += f" {flavour}"
        detail = f"cluster {getattr(info, 'cluster_name', '') or '?'}"
        try:
            health = await client.health()
            headline += f" {health.status}"
            nodes = getattr(health, "number_of_nodes", None)
            if nodes is not None:
                detail += f" · {nodes} node{'s' if nodes != 1 else ''}"
        except Exception as error:
            _, message = describe_error(error)
            headline += " health?"
            detail += f" · health unavailable: {message}"
        self.state = SourceState(True, headline, detail)
        return self.state

    async def repositories(self) -> list[RepoRef]:
        client = await self._get_client()
        repos = await client.repositories()
        self._repos = {r.name: r for r in repos}
        refs = []
        for repo in sorted(repos, key=lambda r: r.name):
            detail = getattr(repo, "location", None)
            if getattr(repo, "readonly", False):
                detail = f"read-only {detail or ''}".strip()
            refs.append(RepoRef(self.key, repo.name, getattr(repo, "type", None), detail))
        return refs

    async def local_reader(self, repository: str) -> ReaderHandle | None:
        """The reader (in the reader process) over the repository's files when this machine
        can read them, else None."""
        if repository not in self._local:
            info = self._repos.get(repository)
            if info is None:
                return None
            from esnap_tui.cluster import local_repository_path
            from esnap_tui.repository.reader_process import ReaderHandle

            handle: ReaderHandle | None = None
            path = await asyncio.to_thread(local_repository_path, info, self.config)
            if path is not None:
                handle = ReaderHandle.new(path, repository)
                try:
                    await reader_process().call(handle, _opened)
                except Exception:  # unreadable files: fall back to the REST API
                    await reader_process().release(handle)
                    handle = None
            if repository in self._local:  # another worker opened it meanwhile: keep one
                if handle is not None:
                    await reader_process().release(handle)
            else:
                self._local[repository] = handle
        return self._local[repository]

    async def snapshots_page(
        self, repository: str, *, sort: SortOrder, filt: SnapshotFilter,
        after: str | None = None, size: int = PAGE_SIZE,
    ) -> Page:
        client = await self._get_client()
        state = next(iter(filt.states)).value if len(filt.states) == 1 else None
        page = await client.snapshots_page(
            repository, size=size, after=after, sort=sort.field, order=sort.order,
            pattern=filt.server_pattern, state=state,
        )
        items = [s for s in page.items if filt.matches(s)]
        return Page(items, page.next, getattr(page, "total", None))

    async def snapshot(self, repository: str, name: str) -> SnapshotDetail:
        key = (repository, name)
        if key not in self._details:
            client = await self._get_client()
            self._details[key] = await client.snapshot(repository, name)
        return self._details[key]

    async def snapshot_indices(self, repository: str, name: str) -> list[IndexInSnapshot] | None:
        handle = await self.local_reader(repository)
        if handle is None:
            return None
        return await reader_process().call(handle, _fresh_indices, name)

    async def find_index(self, repository: str, pattern: str) -> FindResult:
        """From the repository files when readable (one catalogue read), else by paging the
        REST listing newest first and reading each snapshot's index list (bounded)."""
        handle = await self.local_reader(repository)
        if handle is not None:
            return await reader_process().call(handle, _fresh_search, self.key, repository,
                                               pattern)
        client = await self._get_client()
        result = FindResult(self.key, repository)
        after: str | None = None
        semaphore = asyncio.Semaphore(FIND_DETAIL_CONCURRENCY)

        async def indices_of(summary: SnapshotSummary) -> list[str]:
            own = getattr(summary, "indices", None)
            if own:
                return list(own)
            async with semaphore:
                return list((await self.snapshot(repository, summary.name)).indices)

        while True:
            page = await client.snapshots_page(
                repository, size=100, after=after, sort="start_time", order="desc"
            )
            lists = await asyncio.gather(*(indices_of(s) for s in page.items))
            for summary, indices in zip(page.items, lists, strict=True):
                hits = [i for i in indices if matches_index(pattern, i)]
                if hits:
                    result.matches.append((summary, hits))
            result.scanned += len(page.items)
            after = page.next
            if after is None or not page.items:
                break
            if result.scanned >= FIND_MAX_REST_SNAPSHOTS:
                result.truncated = True
                break
        result.matches = sort_find_matches(result.matches)
        return result

    async def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):  # a broken connection must not break shutdown
                await self._client.close()
        handles = [h for h in self._local.values() if h is not None]
        self._local.clear()
        await reader_process().release(*handles)


def catalogue_search(reader: Any, source: str, repository: str, pattern: str) -> FindResult:
    """Index search from the repository catalogue: ``index-N`` maps every index name to the
    snapshots holding it. Runs in the reader process.

    Catalogues before 7.14 carry no start times, and their snapshot order is not creation
    order (Elasticsearch wrote them from a hash map): "newest first" would be a lie, so the
    matches without a time get it from their own ``snap-*.dat`` (up to the bound the list
    uses), and those beyond it stay last, without a time."""
    result = FindResult(source, repository)
    by_uuid = {s.uuid: s for s in reader.snapshots()}
    hits: dict[str, list[str]] = {}
    for name, index in reader.catalogue.indices.items():
        if matches_index(pattern, name):
            for uuid in index.snapshots:
                hits.setdefault(uuid, []).append(name)
    found = [(by_uuid[uuid], sorted(names)) for uuid, names in hits.items() if uuid in by_uuid]
    untimed = [summary for summary, _ in found if summary.start_time_ms is None]
    chunk = untimed[:times_fill_limit()]
    for summary, detail in zip(chunk, _read_details(reader, [s.name for s in chunk]),
                               strict=True):
        if detail is not None:
            fill_summary(summary, detail)
    result.matches = sort_find_matches(found)
    result.scanned = len(by_uuid)
    return result


class OfflineSource(Source):
    """One repository read straight from its files (``offline:`` in the config)."""

    kind = "offline"

    def __init__(self, config: OfflineRepositoryConfig) -> None:
        super().__init__(config.name)
        self.config = config
        self.read_only = True
        self._all: list[SnapshotSummary] | None = None
        from esnap_tui.repository.reader_process import ReaderHandle

        self.handle = ReaderHandle.new(config.path, config.name)

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await reader_process().call(self.handle, fn, *args)

    async def connect(self) -> SourceState:
        try:
            summaries, generation, warnings = await self._call(_listing)
        except Exception as error:
            kind, message = describe_error(error)
            self.state = SourceState(False, KIND_LABELS.get(kind, "unreadable"), message, kind)
            return self.state
        self._all = summaries
        detail = f"generation {generation} · {self.config.path}"
        if warnings:
            detail = f"{len(warnings)} warning(s): {warnings[0]}"
        self.state = SourceState(True, f"offline · {len(summaries)} snapshots", detail)
        return self.state

    async def repositories(self) -> list[RepoRef]:
        if self.state.ok is None:
            await self.connect()
        if self.state.ok is False:
            raise RuntimeError(self.state.detail)
        return [RepoRef(self.key, self.name, "offline", str(self.config.path))]

    async def _summaries(self) -> list[SnapshotSummary]:
        if self._all is None:
            self._all = await self._call(_reader_method("snapshots"))
        return self._all

    async def snapshots_page(
        self, repository: str, *, sort: SortOrder, filt: SnapshotFilter,
        after: str | None = None, size: int = PAGE_SIZE,
    ) -> Page:
        summaries = await self._summaries()
        ordered = sort_summaries([s for s in summaries if filt.matches(s)], sort)
        start = int(after or 0)
        end = start + size
        return Page(ordered[start:end], str(end) if end < len(ordered) else None, len(ordered))

    async def snapshot(self, repository: str, name: str) -> SnapshotDetail:
        return await self._call(_reader_method("snapshot"), name)

    async def snapshot_indices(self, repository: str, name: str) -> list[IndexInSnapshot] | None:
        return await self._call(_reader_method("indices"), name)

    async def find_index(self, repository: str, pattern: str) -> FindResult:
        return await self._call(catalogue_search, self.key, repository, pattern)

    async def close(self) -> None:
        await reader_process().release(self.handle)

    def missing_times(self, repository: str) -> tuple[int, int]:
        summaries = self._all or []
        return sum(1 for s in summaries if s.start_time_ms is None), len(summaries)

    async def fill_times(self, repository: str) -> AsyncIterator[list[SnapshotSummary]]:
        """Read the ``snap-*.dat`` of every snapshot the catalogue gives no start time, in the
        reader process, a few per call; the cached summaries are filled in place (so the next
        sort sees the times)."""
        pending = [s for s in await self._summaries() if s.start_time_ms is None]
        for start in range(0, len(pending), TIMES_BATCH):
            chunk = pending[start:start + TIMES_BATCH]
            details = await self._call(_read_details, [s.name for s in chunk])
            filled = [s for s, d in zip(chunk, details, strict=True)
                      if d is not None and fill_summary(s, d)]
            if filled:
                yield filled


TIMES_BATCH = 10  # snapshot blobs read per call while filling in old catalogues' times


def times_fill_limit() -> int:
    """Up to how many snapshots old catalogues get their times filled in: the bound
    ``esnap repo inspect`` uses, so the app and the CLI agree."""
    from esnap_tui.cli.repo import FILL_LIMIT

    return FILL_LIMIT


def _read_details(reader: Any, names: list[str]) -> list[SnapshotDetail | None]:
    details: list[SnapshotDetail | None] = []
    for name in names:
        try:
            details.append(reader.snapshot(name))
        except Exception:  # one unreadable blob leaves its row as it was, not the others
            details.append(None)
    return details


def fill_summary(summary: SnapshotSummary, detail: SnapshotDetail) -> bool:
    """Copy what the catalogue lacked (times, state, version, policy) from the snapshot's own
    blob into ``summary``; True when anything changed."""
    changed = False
    for name in ("start_time_ms", "end_time_ms", "state", "version", "slm_policy"):
        if getattr(summary, name) is None and getattr(detail, name) is not None:
            setattr(summary, name, getattr(detail, name))
            changed = True
    return changed


def sort_summaries(items: Iterable[SnapshotSummary], sort: SortOrder) -> list[SnapshotSummary]:
    """Client-side sort with the same meaning as the server's ``sort``/``order``."""

    def key(s: SnapshotSummary) -> Any:
        if sort.field == "name":
            return (s.name,)
        if sort.field == "duration":
            return (s.duration_ms or 0, s.name)
        if sort.field == "index_count":
            return (s.indices_count or 0, s.name)
        return (s.start_time_ms or 0, s.name)

    return sorted(items, key=key, reverse=sort.order == "desc")


# --------------------------------------------------------------------------- restore
# (the restore wizard ``R``, its monitor and the restores-in-flight list). ``esnap_tui.restore``
# plans, checks, executes and follows; these functions only pick the right client or reader for
# a source and keep repository file reads off the UI loop (read in a thread, then handed to the
# async gather as ready answers).


@dataclass
class RestorePreparation:
    """Everything the checks, review and go steps show for one plan (see ``esnap restore``)."""

    plan: Any  # RestorePlan
    target: Any  # TargetFacts
    snapshot: Any  # SnapshotFacts
    report: Any  # CheckReport
    request: Any  # RestoreRequest | None
    request_error: str | None
    curl: str | None
    notes: list[str] = field(default_factory=list)
    target_url: str = ""


@dataclass(frozen=True)
class _CatalogueId:
    """What the gather asks of a catalogue (its uuid), without shipping the catalogue."""

    uuid: str | None


class _ReadyReader:
    """A repository reader's answers for one snapshot, read beforehand in the reader process,
    so the async gather never touches the disk on the UI loop. Errors are raised where they
    were."""

    def __init__(self, reader: Any, snapshot: str) -> None:
        self.catalogue = _CatalogueId(getattr(getattr(reader, "catalogue", None), "uuid", None))
        self._answers: dict[str, Any] = {}
        for method in ("snapshot", "indices", "global_metadata"):
            try:
                self._answers[method] = getattr(reader, method)(snapshot)
            except Exception as error:  # replayed by the gather, which degrades per fact
                self._answers[method] = error

    def _answer(self, method: str) -> Any:
        value = self._answers[method]
        if isinstance(value, Exception):
            raise value
        return value

    def snapshot(self, name: str) -> Any:
        return self._answer("snapshot")

    def indices(self, name: str) -> Any:
        return self._answer("indices")

    def global_metadata(self, name: str) -> Any:
        return self._answer("global_metadata")


def _fresh_answers(reader: Any, snapshot: str) -> _ReadyReader:
    reader.refresh()
    return _ReadyReader(reader, snapshot)


def restore_targets(services: Services, *, read_only: bool = False) -> list[ClusterSource]:
    """Clusters a restore may go to: every configured cluster that is not read-only (none at
    all in read-only mode)."""
    if read_only:
        return []
    return [s for s in services.sources if isinstance(s, ClusterSource) and not s.read_only]


async def cluster_client(source: ClusterSource) -> Any:
    """The source's connected ``ClusterClient`` (shared with its panes)."""
    client = await source._get_client()
    if client.info is None or client.capabilities is None:
        await client.connect()
    return client


async def restore_snapshot_facts(
    source: Source, repository: str, snapshot: str, *, target: Any = None,
    notes: list[str] | None = None,
) -> Any:
    """``SnapshotFacts`` of the snapshot being restored, from its cluster and/or its files."""
    from esnap_tui.restore.gather import gather_snapshot_facts

    reader: Any = None
    client: Any = None
    if isinstance(source, ClusterSource):
        client = await cluster_client(source)
        if repository not in source._repos:
            await source.repositories()
        handle = await source.local_reader(repository)
        if handle is not None:
            reader = await reader_process().call(handle, _fresh_answers, snapshot)
    elif isinstance(source, OfflineSource):
        reader = await reader_process().call(source.handle, _ReadyReader, snapshot)
    return await gather_snapshot_facts(
        repository, snapshot, source=client, reader=reader, target=target, notes=notes
    )


async def restore_target_facts(services: Services, plan: Any, notes: list[str] | None = None
                               ) -> Any:
    """``TargetFacts`` of the plan's target cluster (fresh on every call)."""
    from esnap_tui.restore.gather import gather_target_facts

    target = services.get(f"cluster:{plan.target_cluster}")
    assert isinstance(target, ClusterSource)
    client = await cluster_client(target)
    return await gather_target_facts(
        client, repository=plan.repository_on_target, snapshot=plan.snapshot,
        global_state=plan.include_global_state, notes=notes,
    )


def evaluate_restore(plan: Any, snapshot: Any, target: Any, config: ClusterConfig,
                     notes: list[str] | None = None) -> RestorePreparation:
    """Checks, request and curl for ``plan`` from facts already gathered (pure, quick: the
    wizard re-runs it on every keystroke of the rename fields for the live preview)."""
    from esnap_tui.restore.checks import run_checks
    from esnap_tui.restore.request import UnsupportedOption, build_request

    report = run_checks(plan, snapshot, target)
    request = curl = error = None
    try:
        request = build_request(plan, target.version)
    except UnsupportedOption as problem:
        error = str(problem)
    if request is not None:
        curl = request.curl(
            config.url, username=config.username, password_env=config.password_env,
            api_key_env=config.api_key_env, has_password=config.password_command is not None,
            ca_certs=config.ca_certs, insecure=not config.verify_certs,
        )
    return RestorePreparation(plan, target, snapshot, report, request, error, curl,
                              list(notes or []), config.url)


async def prepare_restore(services: Services, source: Source, plan: Any,
                          snapshot: Any = None) -> RestorePreparation:
    """Gather the target's facts (and the snapshot's unless given), then run the checks."""
    notes: list[str] = []
    target_source = services.get(f"cluster:{plan.target_cluster}")
    assert isinstance(target_source, ClusterSource)
    target = await restore_target_facts(services, plan, notes)
    if snapshot is None:
        snapshot = await restore_snapshot_facts(source, plan.repository, plan.snapshot,
                                                target=target, notes=notes)
    else:
        from esnap_tui.restore.gather import compat_verdicts

        snapshot.verdicts = compat_verdicts(snapshot, target)
    return evaluate_restore(plan, snapshot, target, target_source.config, notes)


async def run_restore(
    services: Services, prep: RestorePreparation, *, audit_path: Any = None,
    confirmation: str | None = None, read_only: bool = False, timeout: float | None = None,
    sleep: Any = None,
) -> Any:
    """Send the plan's restore request ONCE (``execute_restore``); the result says started,
    refused or unknown. Raises ``ExecutionRefused`` when esnap will not send it."""
    from esnap_tui.restore.audit import AuditLog
    from esnap_tui.restore.execute import execute_restore, expected_indices

    target = services.get(f"cluster:{prep.plan.target_cluster}")
    assert isinstance(target, ClusterSource)
    client = await cluster_client(target)
    options: dict[str, Any] = {}
    if sleep is not None:
        options["sleep"] = sleep
    return await execute_restore(
        client, prep.plan, audit=AuditLog(audit_path), report=prep.report,
        expected=expected_indices(prep.report, prep.snapshot), confirmation=confirmation,
        read_only=read_only, request=prep.request, timeout=timeout, **options,
    )


async def run_fix_step(
    services: Services, prep: RestorePreparation, action: Any, *, audit_path: Any = None,
    read_only: bool = False, repository: str | None = None, snapshot_name: str | None = None,
) -> str:
    """Run one confirmed side step a check offered (close an index, register the repository
    read-only, take a safety snapshot into ``repository``); returns what was done."""
    from esnap_tui.restore.audit import AuditLog
    from esnap_tui.restore.execute import (
        close_index,
        register_repository_readonly,
        take_safety_snapshot,
    )

    target = services.get(f"cluster:{prep.plan.target_cluster}")
    assert isinstance(target, ClusterSource)
    client = await cluster_client(target)
    audit = AuditLog(audit_path)
    if action.kind == "close-index":
        index = action.params["index"]
        await close_index(client, index, audit=audit, read_only=read_only)
        return f"closed {index} on {target.name}"
    if action.kind == "register-repository":
        name = action.params["name"]
        body = action.request.body if action.request is not None else {}
        existing = {r.name for r in await client.repositories()}
        await register_repository_readonly(
            client, name, body.get("type", "fs"), body.get("settings", {}), audit=audit,
            replace=name in existing and name == prep.plan.repository_on_target,
            read_only=read_only,
        )
        return f"registered repository {name} read-only on {target.name}"
    if action.kind == "safety-snapshot":
        if not repository:
            raise ValueError("choose a writable repository for the safety snapshot")
        body = await take_safety_snapshot(
            client, repository, action.params.get("indices", []), audit=audit,
            include_global_state=bool(action.params.get("include_global_state")),
            read_only=read_only, name=snapshot_name,
        )
        taken = (body.get("snapshot") or {}).get("snapshot") or snapshot_name or "it"
        return f"safety snapshot {taken} taken in {repository} on {target.name}"
    raise ValueError(f"{action.kind} is not a step that runs on the cluster")


async def writable_repositories(services: Services, cluster: str) -> list[str]:
    """Repositories of ``cluster`` a safety snapshot can be written to."""
    source = services.get(f"cluster:{cluster}")
    assert isinstance(source, ClusterSource)
    client = await cluster_client(source)
    return sorted(r.name for r in await client.repositories() if not r.readonly)


async def restores_in_flight(services: Services) -> list[tuple[ClusterSource, Any]]:
    """Restores running on every reachable cluster, started by anyone: (cluster, restore)."""
    from esnap_tui.restore.monitor import find_restores_in_flight

    clusters = [s for s in services.sources if isinstance(s, ClusterSource)]

    async def one(source: ClusterSource) -> list[tuple[ClusterSource, Any]]:
        try:
            client = await cluster_client(source)
            return [(source, r) for r in await find_restores_in_flight(client)]
        except Exception:  # an unreachable cluster has nothing we can watch
            return []

    found = await asyncio.gather(*(one(s) for s in clusters))
    return [item for group in found for item in group]


async def attach_restore_monitor(source: ClusterSource, restore: Any, **options: Any) -> Any:
    """A ``RestoreMonitor`` re-attached to a restore found in flight."""
    from esnap_tui.restore.monitor import RestoreMonitor

    return await RestoreMonitor.attach(await cluster_client(source), restore, **options)


async def new_restore_monitor(services: Services, prep: RestorePreparation, result: Any,
                              **options: Any) -> Any:
    """A ``RestoreMonitor`` for a restore this app just started (None: nothing to follow)."""
    from esnap_tui.restore.monitor import RestoreMonitor

    if not result.expected:
        return None
    source = services.get(f"cluster:{prep.plan.target_cluster}")
    assert isinstance(source, ClusterSource)
    return RestoreMonitor(
        await cluster_client(source), prep.plan.repository_on_target, prep.plan.snapshot,
        result.expected, restore_uuid=result.restore_uuid, **options,
    )


def preload_layers() -> list[str]:
    """Import the lower layers now, before the app runs: importing the elasticsearch
    transport lazily from a worker took 100+ ms on the event loop, a visible freeze.
    A layer that fails to import is reported and left to fail in its own pane later."""
    problems = []
    for module in ("esnap_tui.cluster", "esnap_tui.repository.reader"):
        try:
            importlib.import_module(module)
        except Exception as error:  # a broken layer must not stop the app from opening
            problems.append(f"{module} is unavailable: {error}")
    return problems


class Services:
    """Every source from the config, in config order: clusters first, then offline ones."""

    def __init__(self, config: EsnapConfig | None) -> None:
        self.config = config
        self.sources: list[Source] = []
        if config is not None:
            self.sources.extend(ClusterSource(c) for c in config.clusters)
            self.sources.extend(OfflineSource(o) for o in config.offline)
        self._by_key = {s.key: s for s in self.sources}

    def get(self, key: str) -> Source:
        return self._by_key[key]

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.sources), return_exceptions=True)


# --------------------------------------------------------------------------- compatibility
# (the compatibility view, ``c``). ``esnap_tui.compat`` is pure; its ``gather`` module does the
# I/O. Facts about a live snapshot are gathered in a thread with its own event loop and its own
# client: ``gather_live`` reads repository files synchronously when they are readable here, and
# that must not stall the UI loop. A live target is read with the source's own async client.

LICENCE_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "not known"),
    ("basic", "basic (also gold)"),
    ("platinum", "platinum"),
    ("enterprise", "enterprise (unlocks archive indices)"),
    ("trial", "trial (unlocks archive indices)"),
)
_LICENCE_WORDS = frozenset({"basic", "gold", "platinum", "enterprise", "trial"})


def compat_target_sources(services: Services) -> list[ClusterSource]:
    """Every configured cluster, in config order: each may be a restore target."""
    return [s for s in services.sources if isinstance(s, ClusterSource)]


def _gather_live_in_thread(config: ClusterConfig, repository: str, snapshot: str) -> Any:
    from esnap_tui.cluster import ClusterClient
    from esnap_tui.compat.gather import gather_live

    async def run() -> Any:
        async with ClusterClient(config) as client:
            return await gather_live(client, repository, snapshot)

    return asyncio.run(run())


async def compat_facts(source: Source, repository: str, snapshot: str) -> Any:
    """``SnapshotFacts`` for one snapshot of ``source`` (offline folder or live cluster).

    Raises ``GatherError`` / ``ClusterUnavailable`` with a one-line message."""
    from esnap_tui.compat.gather import gather_offline

    if isinstance(source, OfflineSource):  # every index blob decoded: the child's work
        return await reader_process().run(gather_offline, source.config.path, snapshot)
    if isinstance(source, ClusterSource):
        return await asyncio.to_thread(
            _gather_live_in_thread, source.config, repository, snapshot
        )
    raise TypeError(f"cannot read compatibility facts from a {source.kind} source")


async def compat_target(source: Source) -> Any:
    """The ``TargetCluster`` a configured cluster is (its version and licence, read live)."""
    from esnap_tui.compat.gather import target_from_cluster

    if not isinstance(source, ClusterSource):
        raise TypeError(f"{source.name} is not a cluster")
    return await target_from_cluster(await source._get_client())


def compat_typed_target(text: str, license: str | None = None) -> Any:
    """A target that may not exist yet: ``"8.15.0"``, ``"opensearch-2.11.0"``; a trailing
    licence word (``"8.15 enterprise"``) is taken as the licence. ValueError when unreadable."""
    from esnap_tui.compat.gather import target_from_version

    words = text.split()
    if len(words) > 1 and words[-1].lower() in _LICENCE_WORDS:
        license = words[-1].lower()
        words = words[:-1]
    version = " ".join(words)
    if not version:
        raise ValueError("type a version, e.g. 8.15.0 or opensearch-2.11.0")
    return target_from_version(version, license)


async def compat_check(facts: Any, target: Any) -> Any:
    """Run the (pure) engine off the UI loop: a snapshot may hold thousands of indices."""
    return await asyncio.to_thread(facts.check, target)
