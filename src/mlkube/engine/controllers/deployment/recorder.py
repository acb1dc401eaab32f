"""The Deployment controller's event recorder: core/v1 Events named and aggregated as
client-go's recorder does.

It exists so that the controller's logic does not carry the event plumbing. Follows
``k8s.io/client-go/tools/record/event.go`` and ``events_cache.go`` (``EventCorrelator``).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.errors import AlreadyExists, ApiError

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["_record_event"]

_EVENTS = lookup("events")


class _Recorder:
    """Per API server: the Event last written for each aggregation key, and the last
    name suffix used per object (events at one instant get consecutive suffixes)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], str] = {}
        self.last: dict[tuple[str, str], int] = {}


_RECORDERS: weakref.WeakKeyDictionary[APIServer, _Recorder] = weakref.WeakKeyDictionary()


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event as client-go's recorder does: named ``<object>.<hex nanos>``
    in the object's namespace; a repeat of the same event counts up the one written
    before (``EventCorrelator``'s aggregation). Best effort, as upstream: failures are
    dropped."""
    meta = obj["metadata"]
    ns, name = meta.get("namespace") or "default", str(meta.get("name"))
    rec = _RECORDERS.setdefault(api, _Recorder())
    key = (ns, str(obj.get("kind")), name, str(meta.get("uid")), kind, reason, message, component)
    now = api.clock.now()
    stamp = format_time(now)
    if key in rec.seen:
        try:
            existing = api.get(_EVENTS, ns, rec.seen[key])
            existing["count"] = int(existing.get("count") or 1) + 1
            existing["lastTimestamp"] = stamp
            api.update(_EVENTS, existing, namespace=ns)
            return
        except ApiError:
            del rec.seen[key]  # gone: write a new one
    involved: dict[str, Any] = {
        "kind": obj.get("kind"),
        "namespace": meta.get("namespace"),
        "name": name,
        "uid": meta.get("uid"),
        "apiVersion": obj.get("apiVersion"),
        "resourceVersion": meta.get("resourceVersion"),
    }
    if not meta.get("namespace"):
        involved.pop("namespace")
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"namespace": ns},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "type": kind,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": "",
    }
    nanos = max(int(now.timestamp() * 1_000_000_000), rec.last.get((ns, name), -1) + 1)
    for suffix in range(nanos, nanos + 16):
        body["metadata"]["name"] = f"{name}.{suffix:x}"
        try:
            api.create(_EVENTS, body, namespace=ns, field_manager=component)
        except AlreadyExists:
            continue
        except ApiError:
            return
        rec.last[(ns, name)] = suffix
        rec.seen[key] = body["metadata"]["name"]
        return
