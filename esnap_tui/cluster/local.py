"""Open a live cluster's ``fs`` repository straight from disk when this machine can read it.

Reading the repository files directly gives facts the REST API never exposes (the created
version of every index), so the UI prefers it whenever the files are reachable: the
cluster's ``repositories`` mapping in the config first, else the repository's own
``location`` when that absolute path exists here (a shared mount, or the sandbox).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from esnap_tui.cluster.models import RepositoryInfo
from esnap_tui.config import ClusterConfig

if TYPE_CHECKING:
    from esnap_tui.repository.reader import RepositoryReader


def _looks_like_repository(path: Path) -> bool:
    try:
        if not path.is_dir():
            return False
        if (path / "index.latest").is_file():
            return True
        return any(child.name.startswith("index-") for child in path.iterdir())
    except OSError:
        return False


def local_repository_path(repo: RepositoryInfo, config: ClusterConfig | None) -> Path | None:
    """Where the files of ``repo`` can be read on this machine, or None."""
    if config is not None and repo.name in config.repositories:
        mapped = Path(config.repositories[repo.name]).expanduser()
        return mapped if mapped.is_dir() else None
    delegate = str(repo.settings.get("delegate_type", "")) if repo.type == "source" else ""
    if repo.type != "fs" and delegate != "fs":
        return None
    if not repo.location:
        return None
    location = Path(repo.location)
    # A relative location is resolved against the cluster's path.repo, unknown here.
    if not location.is_absolute():
        return None
    return location if _looks_like_repository(location) else None


def open_local_reader(
    repo: RepositoryInfo, config: ClusterConfig | None
) -> RepositoryReader | None:
    """A ``RepositoryReader`` over the local files of ``repo`` when they are readable."""
    path = local_repository_path(repo, config)
    if path is None:
        return None
    from esnap_tui.repository.reader import RepositoryReader

    return RepositoryReader(path, name=repo.name)
