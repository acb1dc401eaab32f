"""The client's one error: a ``metav1.Status`` answered by a cluster, embedded or real.

The embedded server writes the engine's errors as ``metav1.Status`` bodies; a real
kube-apiserver writes its own. Either way the client raises :class:`ApiError` carrying the
HTTP code, the ``reason`` (``NotFound``, ``AlreadyExists``, ``Conflict``, ``Invalid``,
``Forbidden``, ...), the message word for word and the details, so callers branch on
``reason`` and show ``message`` unchanged.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ApiError", "ConnectionFailed"]


class ApiError(Exception):
    """A request the cluster refused."""

    def __init__(self, code: int, reason: str, message: str, status: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.status: dict[str, Any] = status or {}

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.status.get("details") or {})

    @property
    def causes(self) -> list[dict[str, Any]]:
        return list(self.details.get("causes") or [])

    @classmethod
    def from_response(cls, code: int, body: bytes) -> ApiError:
        """Build from an HTTP error response; a body that is not a Status keeps its text."""
        try:
            status = json.loads(body)
        except ValueError:
            status = None
        if isinstance(status, dict) and status.get("kind") == "Status":
            return cls(
                int(status.get("code") or code),
                str(status.get("reason") or ""),
                str(status.get("message") or ""),
                status,
            )
        text = body.decode("utf-8", "replace").strip()
        return cls(code, "", text or f"the server answered {code}")

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.reason!r}, {self.message!r})"


class ConnectionFailed(Exception):
    """The cluster could not be reached at all (no server, refused, TLS failure)."""
