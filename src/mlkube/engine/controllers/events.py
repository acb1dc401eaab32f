"""Recording core/v1 Events the way a controller's ``record.EventRecorder`` does.

One call, ``record(api, obj, type, reason, message, component)``, writes an Event about
``obj`` through the API server: named ``<object>.<unix nanoseconds in hex>`` in the
object's namespace, with ``involvedObject``, ``source.component`` and
``reportingComponent`` naming the controller. Repeating the same (object, type, reason,
message) from the same component bumps ``count`` and ``lastTimestamp`` on the existing
Event instead of writing a new one, as client-go's ``EventCorrelator`` does. Follows
``k8s.io/client-go/tools/record/event.go`` and ``events_cache.go`` (``getEventKey``,
``eventObserve``); the similar-event aggregation ("combined from similar events") is not
modelled. Recording never fails the caller: an Event that cannot be written is dropped,
as upstream drops it.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import AlreadyExists, ApiError, NotFound

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NORMAL", "WARNING", "record"]

NORMAL: Final = "Normal"
WARNING: Final = "Warning"

_EVENTS = lookup("events")
_Key = tuple[str, ...]
#: Per API server: the Event name last written for each aggregation key.
_SEEN: weakref.WeakKeyDictionary[APIServer, dict[_Key, str]] = weakref.WeakKeyDictionary()
_LAST_NANOS: weakref.WeakKeyDictionary[APIServer, dict[tuple[str, str], int]] = (
    weakref.WeakKeyDictionary()
)
_MAX_NAME_TRIES: Final = 16


def _reference(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    ref = {
        "kind": obj.get("kind", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "apiVersion": obj.get("apiVersion", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
    }
    return {k: v for k, v in ref.items() if v}


def record(
    api: APIServer,
    obj: Mapping[str, Any],
    event_type: str,
    reason: str,
    message: str,
    component: str,
    *,
    user_agent: str = USER_AGENT,
) -> dict[str, Any] | None:
    """Record an Event about ``obj``; returns the Event as stored, ``None`` if dropped.

    ``user_agent`` is the recording component's client's, which names the manager of the
    Event's writes (kube-controller-manager's unless told).
    """
    ref = _reference(obj)
    namespace = str(ref.get("namespace") or "default")
    key: _Key = (
        namespace,
        str(ref.get("kind", "")),
        str(ref.get("name", "")),
        str(ref.get("uid", "")),
        str(ref.get("apiVersion", "")),
        event_type,
        reason,
        message,
        component,
    )
    seen = _SEEN.setdefault(api, {})
    now = api.clock.now()
    stamp = format_time(now)
    try:
        if key in seen:
            try:
                existing = api.get(_EVENTS, namespace, seen[key])
            except NotFound:
                del seen[key]
            else:
                updated = copy.deepcopy(existing)
                updated["count"] = int(existing.get("count") or 1) + 1
                updated["lastTimestamp"] = stamp
                return api.update(
                    _EVENTS, updated, namespace=namespace, user_agent=user_agent
                ).object
        event: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": namespace},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": component},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": event_type,
            "reportingComponent": component,
            "reportingInstance": "",
        }
        # Names carry the time in nanoseconds; events in the same instant take the next one.
        stamps = _LAST_NANOS.setdefault(api, {})
        name = str(ref.get("name", ""))
        nanos = int(now.timestamp()) * 1_000_000_000 + now.microsecond * 1000
        for _ in range(_MAX_NAME_TRIES):
            nanos = max(nanos, stamps.get((namespace, name), -1) + 1)
            stamps[(namespace, name)] = nanos
            event["metadata"]["name"] = f"{name}.{nanos:x}"
            try:
                stored = api.create(
                    _EVENTS, event, namespace=namespace, user_agent=user_agent
                ).object
            except AlreadyExists:
                continue
            seen[key] = stored["metadata"]["name"]
            return stored
    except ApiError:
        return None
    return None
