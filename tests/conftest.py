"""Shared pytest fixtures: where the real snapshot repositories written by Elasticsearch live.

The repositories sit in ``shared/fixtures/real-repositories`` beside the project (never copied
into it). Tests skip with a clear reason when that folder is absent, except when
``ESNAP_REQUIRE_FIXTURES=1`` (CI), where its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_REPOS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real-repositories"


def require_real_repositories() -> Path:
    """Return ``REAL_REPOS``, or skip (fail under ``ESNAP_REQUIRE_FIXTURES=1``) if it is absent."""
    if REAL_REPOS.is_dir():
        return REAL_REPOS
    reason = f"real repository fixtures not found at {REAL_REPOS}"
    if os.environ.get("ESNAP_REQUIRE_FIXTURES") == "1":
        pytest.fail(f"{reason} (ESNAP_REQUIRE_FIXTURES=1)")
    pytest.skip(reason)


@pytest.fixture
def real_repositories() -> Path:
    """The folder holding one sub-folder per real fixture repository."""
    return require_real_repositories()
