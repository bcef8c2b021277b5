"""Offline snapshot repositories: read and write the on-disk format with no cluster.

``RepositoryReader`` lists snapshots from the ``index-N`` catalogue alone and loads snapshot
info and index metadata blobs lazily; ``RepositoryWriter`` writes the same format in the
dialect of a chosen Elasticsearch or OpenSearch version. Storage sits behind ``BlobStore``.
"""

from esnap_tui.repository.catalogue import (
    CatalogueIndex,
    CatalogueSnapshot,
    RepositoryCatalogue,
    parse_catalogue,
)
from esnap_tui.repository.errors import (
    CatalogueError,
    CorruptBlobError,
    MissingBlobError,
    RepositoryError,
    UnsupportedCompressionError,
)
from esnap_tui.repository.reader import (
    IndexNotFoundError,
    PreV5RepositoryError,
    RepositoryReader,
    ShardFile,
    ShardSnapshot,
    SnapshotNotFoundError,
    find_generation,
)
from esnap_tui.repository.storage import BlobStore, CountingStore, LocalDirectoryStore
from esnap_tui.repository.writer import (
    DIALECTS,
    Dialect,
    DuplicateSnapshotError,
    IndexToWrite,
    RepositoryWriter,
    SnapshotToWrite,
)

__all__ = [
    "DIALECTS",
    "BlobStore",
    "CatalogueError",
    "CatalogueIndex",
    "CatalogueSnapshot",
    "CorruptBlobError",
    "CountingStore",
    "Dialect",
    "DuplicateSnapshotError",
    "IndexNotFoundError",
    "IndexToWrite",
    "LocalDirectoryStore",
    "MissingBlobError",
    "PreV5RepositoryError",
    "RepositoryCatalogue",
    "RepositoryError",
    "RepositoryReader",
    "RepositoryWriter",
    "ShardFile",
    "ShardSnapshot",
    "SnapshotNotFoundError",
    "SnapshotToWrite",
    "UnsupportedCompressionError",
    "find_generation",
    "parse_catalogue",
]
