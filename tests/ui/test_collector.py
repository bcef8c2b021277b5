"""The app's garbage-collection policy: full collections only at quiet moments, and the
process's own settings back when the app exits."""

from __future__ import annotations

import gc
import weakref

import pytest

from esnap_tui.ui.app import EsnapApp
from esnap_tui.ui.collector import IDLE_AFTER, MANUAL, MIN_GAP, OVERDUE, QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector() -> QuietCollector:
    clock = Clock()
    quiet = QuietCollector(clock)
    quiet.clock = clock  # type: ignore[attr-defined]
    quiet.install()
    yield quiet
    quiet.uninstall()


def test_install_freezes_the_start_up_heap_and_uninstall_gives_it_back() -> None:
    before = gc.get_threshold()
    quiet = QuietCollector()
    quiet.install()
    try:
        assert gc.get_threshold() == (before[0], before[1], MANUAL)
        assert gc.get_freeze_count() > 0
    finally:
        quiet.uninstall()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_full_collection_waits_for_a_quiet_moment(collector: QuietCollector) -> None:
    clock = collector.clock  # type: ignore[attr-defined]
    clock.now += MIN_GAP
    assert not collector.collect_if_due(idle_for=IDLE_AFTER / 2, busy=False)  # typing
    assert not collector.collect_if_due(idle_for=IDLE_AFTER, busy=True)  # loading
    assert collector.collect_if_due(idle_for=IDLE_AFTER, busy=False)
    assert not collector.collect_if_due(idle_for=IDLE_AFTER * 5, busy=False)  # just ran
    clock.now += OVERDUE
    assert collector.collect_if_due(idle_for=0, busy=True)  # overdue: runs anyway
    assert collector.full_collections == 2


def test_cyclic_garbage_is_freed_at_the_next_quiet_collection(collector: QuietCollector) -> None:
    class Node:
        pass

    node = Node()
    node.self = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    gc.collect(1)
    gc.collect(1)  # alive through two collections: now in the oldest generation
    del node
    for _ in range(3):
        gc.collect(1)  # automatic (young) collections never look at the oldest generation
    assert gone() is not None
    collector.clock.now += MIN_GAP  # type: ignore[attr-defined]
    assert collector.collect_if_due(idle_for=IDLE_AFTER, busy=False)
    assert gone() is None


async def test_the_app_takes_over_collection_only_while_it_runs() -> None:
    before = gc.get_threshold()
    app = EsnapApp(None, quiet_gc=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.collector is not None and app.collector.installed
        assert gc.get_threshold()[2] == MANUAL
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

    plain = EsnapApp(None)  # what tests and embedders get by default
    async with plain.run_test() as pilot:
        await pilot.pause()
        assert plain.collector is None
        assert gc.get_threshold() == before
