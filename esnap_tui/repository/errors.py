"""Errors of the offline repository layer: each names the file and the problem in one line."""

from __future__ import annotations


class RepositoryError(Exception):
    """Something in a repository cannot be read. ``str()`` is one line: ``<path>: <problem>``."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[RepositoryError], tuple[str, str]]:
        # Rebuilt from (path, problem), not from ``args``: errors cross from the reader process.
        return type(self), (self.path, self.problem)


class CorruptBlobError(RepositoryError):
    """A blob's bytes are damaged: bad header, checksum mismatch, truncated, bad SMILE."""


class UnsupportedCompressionError(RepositoryError):
    """A blob is compressed with a scheme we cannot decode here (LZ4, or ZSTD without zstd)."""


class MissingBlobError(RepositoryError):
    """The catalogue references a blob that is not in the repository."""


class CatalogueError(RepositoryError):
    """The ``index-N`` catalogue is missing, not JSON, or has an impossible shape."""
