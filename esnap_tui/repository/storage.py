"""Where repository blobs live, behind one small interface.

The reader and writer only ever talk to a ``BlobStore``, so an object store (S3, GCS) can be
added later without touching the catalogue or blob parsing. Paths are relative, ``/``-separated
blob names exactly as Elasticsearch lays them out (``index-5``, ``indices/<id>/meta-<b>.dat``).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from esnap_tui.repository.errors import MissingBlobError, RepositoryError


@runtime_checkable
class BlobStore(Protocol):
    """A flat namespace of blobs addressed by relative ``/``-separated paths."""

    def list(self, prefix: str = "") -> list[str]:
        """Names of the blobs directly under the ``prefix`` directory (not recursive)."""
        ...

    def read(self, path: str) -> bytes:
        """The blob's bytes; raises ``MissingBlobError`` when it does not exist."""
        ...

    def write(self, path: str, data: bytes) -> None:
        """Create or replace a blob (readers never see a half-written blob)."""
        ...

    def delete(self, path: str) -> None:
        """Remove a blob; removing a blob that is already gone is not an error."""
        ...

    def describe(self, path: str) -> str:
        """A human path for messages (the full file path, or an object URL)."""
        ...


class LocalDirectoryStore:
    """A repository on a local or mounted file system (the ``fs`` repository type)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, path: str) -> Path:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise RepositoryError(self.describe(path), "blob path escapes the repository")
        return self.root.joinpath(*parts)

    def describe(self, path: str) -> str:
        return str(self.root / path) if path else str(self.root)

    def list(self, prefix: str = "") -> list[str]:
        directory = self._path(prefix)
        try:
            with os.scandir(directory) as entries:
                return sorted(e.name for e in entries if e.is_file())
        except FileNotFoundError:
            return []
        except NotADirectoryError as error:
            raise RepositoryError(self.describe(prefix), "not a directory") from error
        except OSError as error:
            raise RepositoryError(self.describe(prefix), _os_problem(error)) from error

    def list_dirs(self, prefix: str = "") -> list[str]:
        """Names of the sub-directories of ``prefix`` (shard directories, index directories)."""
        directory = self._path(prefix)
        try:
            with os.scandir(directory) as entries:
                return sorted(e.name for e in entries if e.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise RepositoryError(self.describe(prefix), _os_problem(error)) from error

    def exists(self) -> bool:
        return self.root.is_dir()

    def read(self, path: str) -> bytes:
        try:
            return self._path(path).read_bytes()
        except FileNotFoundError as error:
            raise MissingBlobError(self.describe(path), "blob does not exist") from error
        except IsADirectoryError as error:
            raise RepositoryError(self.describe(path), "is a directory, not a blob") from error
        except OSError as error:
            raise RepositoryError(self.describe(path), _os_problem(error)) from error

    def write(self, path: str, data: bytes) -> None:
        target = self._path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader (or another sandbox cluster) never sees a torn blob.
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise RepositoryError(self.describe(path), _os_problem(error)) from error

    def delete(self, path: str) -> None:
        target = self._path(path)
        try:
            target.unlink(missing_ok=True)
        except OSError as error:
            raise RepositoryError(self.describe(path), _os_problem(error)) from error
        # Drop directories the deletion left empty (an index removed from the repository).
        parent = target.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


class CountingStore:
    """Wraps a store and counts reads per blob: proves caching and cheap listings."""

    def __init__(self, inner: BlobStore) -> None:
        self.inner = inner
        self.reads: Counter[str] = Counter()

    def reads_matching(self, predicate: Callable[[str], bool]) -> int:
        """Total reads of blobs whose path satisfies ``predicate``."""
        return sum(n for path, n in self.reads.items() if predicate(path))

    def list(self, prefix: str = "") -> list[str]:
        return self.inner.list(prefix)

    def list_dirs(self, prefix: str = "") -> list[str]:
        return list_dirs(self.inner, prefix)

    def read(self, path: str) -> bytes:
        self.reads[path] += 1
        return self.inner.read(path)

    def write(self, path: str, data: bytes) -> None:
        self.inner.write(path, data)

    def delete(self, path: str) -> None:
        self.inner.delete(path)

    def describe(self, path: str) -> str:
        return self.inner.describe(path)


def list_dirs(store: BlobStore, prefix: str = "") -> list[str]:
    """Sub-directories of ``prefix`` when the store can tell (object stores: common prefixes)."""
    method = getattr(store, "list_dirs", None)
    return list(method(prefix)) if method is not None else []


def open_store(source: BlobStore | str | Path) -> BlobStore:
    """A path becomes a ``LocalDirectoryStore``; a store is used as given."""
    if isinstance(source, (str, Path)):
        return LocalDirectoryStore(source)
    return source


def _os_problem(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()
