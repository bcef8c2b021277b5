"""Waiting for the app's workers in UI tests.

``app.workers.wait_for_complete()`` raises ``WorkerCancelled`` when an exclusive worker was
replaced by a newer one while we waited (the app does that on purpose: a newer selection
supersedes an older load). Tests want "nothing is running any more", so they wait until no
worker is left unfinished; a worker that failed still fails the test, because the app exits on
worker errors.
"""

from __future__ import annotations

import asyncio

from textual.app import App


async def settle_workers(app: App) -> None:
    while True:
        running = [worker for worker in app.workers if not worker.is_finished]
        if not running:
            return
        await asyncio.gather(*(worker.wait() for worker in running), return_exceptions=True)
