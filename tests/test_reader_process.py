"""Repository reads through the reader's child process answer exactly as a reader here does.

The app reads repository files only through ``ReaderProcess`` (decoding in a thread of the UI
process froze the screen), so what a user sees depends on these answers crossing the process
boundary intact: models, errors with their path and problem, and each opener's own view.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from esnap_tui.models import IndexInSnapshot
from esnap_tui.repository import (
    DIALECTS,
    IndexToWrite,
    RepositoryError,
    RepositoryReader,
    RepositoryWriter,
    SnapshotNotFoundError,
    SnapshotToWrite,
)
from esnap_tui.repository.reader_process import ReaderHandle, ReaderProcess
from esnap_tui.versions import index_version_id_for


@pytest.fixture(scope="module")
def child() -> Iterator[ReaderProcess]:
    process = ReaderProcess(use_process=True)
    yield process
    process.shutdown()


def _pid(reader: RepositoryReader) -> int:
    return os.getpid()


def _indices(reader: RepositoryReader, snapshot: str) -> list[IndexInSnapshot]:
    return reader.indices(snapshot)


@pytest.mark.parametrize("in_child", [True, False], ids=["child-process", "thread"])
async def test_real_repository_reads_match_a_reader_here(
    real_repositories: Path, child: ReaderProcess, in_child: bool
) -> None:
    process = child if in_child else ReaderProcess(use_process=False)
    for folder in ("ES_5_6_Updates_Deletes", "ES_6_8_Single", "ES_7_10_Double"):
        path = real_repositories / folder
        here = RepositoryReader(path)
        handle = ReaderHandle.new(path, folder)
        summaries = await process.call(handle, RepositoryReader.snapshots)
        assert summaries == here.snapshots()
        for summary in summaries:
            assert await process.call(handle, RepositoryReader.snapshot, summary.name) \
                == here.snapshot(summary.name)
            assert await process.call(handle, _indices, summary.name) \
                == here.indices(summary.name)
        await process.release(handle)
    elsewhere = await process.call(ReaderHandle.new(path, "pid"), _pid) != os.getpid()
    assert elsewhere is in_child  # the child really ran (no silent fallback to a thread)


async def test_errors_keep_their_type_path_and_problem(
    real_repositories: Path, child: ReaderProcess, tmp_path: Path
) -> None:
    path = real_repositories / "ES_6_8_Single"
    handle = ReaderHandle.new(path, "single")
    with pytest.raises(SnapshotNotFoundError) as raised:
        await child.call(handle, RepositoryReader.snapshot, "no-such-snapshot")
    with pytest.raises(SnapshotNotFoundError) as expected:
        RepositoryReader(path).snapshot("no-such-snapshot")
    assert (raised.value.path, raised.value.problem) == (expected.value.path,
                                                         expected.value.problem)

    missing = ReaderHandle.new(tmp_path / "gone", "gone")
    with pytest.raises(RepositoryError, match="no such directory") as raised_missing:
        await child.call(missing, RepositoryReader.snapshots)
    assert str(tmp_path / "gone") in raised_missing.value.path


async def test_each_opener_keeps_its_own_view_until_it_refreshes(
    tmp_path: Path, child: ReaderProcess
) -> None:
    writer = RepositoryWriter(tmp_path, "8.15")
    index = IndexToWrite("logs", "LogsUuid00000000000000",
                         index_version_id_for(DIALECTS["8.15"]))
    writer.add_snapshot(SnapshotToWrite("first", "uuid-1", indices=[index]))
    early = ReaderHandle.new(tmp_path, "r")
    assert [s.name for s in await child.call(early, RepositoryReader.snapshots)] == ["first"]

    writer.add_snapshot(SnapshotToWrite("second", "uuid-2", indices=[index]))
    late = ReaderHandle.new(tmp_path, "r")
    assert [s.name for s in await child.call(late, RepositoryReader.snapshots)] \
        == ["first", "second"]
    assert [s.name for s in await child.call(early, RepositoryReader.snapshots)] == ["first"]
    assert await child.call(early, RepositoryReader.refresh) is True
    assert len(await child.call(early, RepositoryReader.snapshots)) == 2


async def test_a_stopped_child_is_replaced_on_the_next_call(real_repositories: Path) -> None:
    process = ReaderProcess(use_process=True)
    handle = ReaderHandle.new(real_repositories / "ES_7_10_Single", "single")
    first = await process.call(handle, RepositoryReader.snapshots)
    process.shutdown()  # what the app does when it exits
    assert await process.call(handle, RepositoryReader.snapshots) == first
    assert process.use_process
    process.shutdown()


def _chatty(reader: RepositoryReader) -> int:
    print("from the reader process")
    os.write(2, b"straight to the descriptor\n")
    return len(reader.snapshots())


async def test_the_child_never_writes_to_the_terminal_the_app_draws_on(
    real_repositories: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    process = ReaderProcess(use_process=True)  # started here: it inherits the captured fds
    try:
        handle = ReaderHandle.new(real_repositories / "ES_6_8_Single", "single")
        assert await process.call(handle, _chatty) == 1
    finally:
        process.shutdown()
    written = capfd.readouterr()
    assert "reader process" not in written.out + written.err
    assert "descriptor" not in written.out + written.err
