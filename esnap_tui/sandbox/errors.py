"""The one exception every sandbox handler raises to answer with a real Elasticsearch error.

Why: real clusters render every failure in the same envelope
(``{"error":{"root_cause":[...],"type","reason",...},"status":N}``); handlers raise
``ApiError`` and the server's middleware renders it, so the wording lives next to the check
that produced it and the envelope is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiError(Exception):
    """An Elasticsearch-style error response.

    ``extra`` keys are written inside ``error`` after ``reason`` (e.g. ``index``, ``index_uuid``,
    ``license.expired.feature``). ``caused_by`` is another ``ApiError`` (rendered nested, and its
    innermost cause becomes the ``root_cause`` unless ``root_cause`` is given explicitly).
    ``headers`` are extra response headers (``WWW-Authenticate`` on 401).
    ``plain`` renders the pre-7.x-style string error ``{"error": "<reason>", "status": N}``
    (used by the 406 media-type answer of old versions).
    """

    status: int
    type: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)
    caused_by: ApiError | None = None
    root_cause: list[dict[str, Any]] | None = None
    headers: dict[str, str | list[str]] = field(default_factory=dict)
    plain: bool = False

    def __post_init__(self) -> None:
        Exception.__init__(self, f"{self.status} {self.type}: {self.reason}")

    def _own(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "reason": self.reason}
        body.update(self.extra)
        return body

    def _nested(self) -> dict[str, Any]:
        body = self._own()
        if self.caused_by is not None:
            body["caused_by"] = self.caused_by._nested()
        return body

    def body(self) -> dict[str, Any]:
        """The JSON body a real cluster would send."""
        if self.plain:
            return {"error": self.reason, "status": self.status}
        # ES (ElasticsearchException.guessRootCauses) reports the innermost cause by default.
        roots = self.root_cause if self.root_cause is not None else [self._root()._own()]
        error: dict[str, Any] = {"root_cause": roots}
        error.update(self._nested())
        return {"error": error, "status": self.status}

    def _root(self) -> ApiError:
        return self.caused_by._root() if self.caused_by is not None else self


def wrapped(outer: ApiError, inner: ApiError, *, root_is_inner: bool = True) -> ApiError:
    """``outer`` caused by ``inner``; ``root_is_inner=False`` reports the outer one as root cause
    (what the REST layer does for ``media_type_header_exception``)."""
    outer.caused_by = inner
    if not root_is_inner:
        outer.root_cause = [outer._own()]
    return outer


def bad_request(reason: str, type_: str = "illegal_argument_exception") -> ApiError:
    return ApiError(400, type_, reason)


def not_found(type_: str, reason: str, **extra: Any) -> ApiError:
    return ApiError(404, type_, reason, extra=dict(extra))


def index_not_found(index: str) -> ApiError:
    """``index_not_found_exception`` as ES renders it (``resource.*`` and ``index`` keys)."""
    return ApiError(
        404,
        "index_not_found_exception",
        f"no such index [{index}]",
        extra={
            "resource.type": "index_or_alias",
            "resource.id": index,
            "index_uuid": "_na_",
            "index": index,
        },
    )
