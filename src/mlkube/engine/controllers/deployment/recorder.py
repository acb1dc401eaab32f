"""The Deployment controller's event recorder: core/v1 Events named and aggregated as
client-go's recorder does.

It exists so that the controller's logic does not carry the event plumbing. Follows
``k8s.io/client-go/tools/record/event.go`` and ``events_cache.go`` (``EventCorrelator``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlkube.api.registry import lookup
from mlkube.engine.controllers.events import record

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["_record_event"]

_EVENTS = lookup("events")


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event through the shared recorder (count aggregation and
    ``<object>.<hex nanos>`` names as client-go's)."""
    record(api, obj, kind, reason, message, component)
