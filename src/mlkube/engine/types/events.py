"""Events of events.k8s.io/v1 as kube-apiserver v1.37 validates them.

Follows ``pkg/apis/core/validation/events.go`` (``ValidateEventCreate`` and
``ValidateEventUpdate`` with request version events.k8s.io/v1: the legacy rules, then
ObjectMeta, the series and the strict rules). Upstream validates the internal
``core.Event``, so some paths carry core's names: ``involvedObject`` for ``regarding``,
``message`` for ``note``, ``count``/``source``/``firstTimestamp``/``lastTimestamp`` on
update. Events have no status and no generation.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path, invalid, required
from mlkube.engine.types.meta import validate_meta, validate_meta_update
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = ["EventStrategy", "validate_event_create", "validate_event_update"]

Obj = dict[str, Any]

REPORTING_INSTANCE_LENGTH_LIMIT: Final = 128
ACTION_LENGTH_LIMIT: Final = 128
REASON_LENGTH_LIMIT: Final = 128
NOTE_LENGTH_LIMIT: Final = 1024


def _s(obj: Obj, key: str) -> str:
    return str(obj.get(key) or "")


def _legacy_validate(event: Obj) -> list[FieldError]:
    """``legacyValidateEvent`` for events.k8s.io/v1 (the field is ``reportingController``)."""
    errs: list[FieldError] = []
    namespace = _s(event.get("metadata") or {}, "namespace")
    regarding_ns = _s(event.get("regarding") or {}, "namespace")
    ns_path = Path("involvedObject", "namespace")
    if not event.get("eventTime"):
        if not regarding_ns:
            if namespace not in ("", "default"):
                errs.append(invalid(ns_path, regarding_ns, "does not match event.namespace"))
        elif namespace != regarding_ns:
            errs.append(invalid(ns_path, regarding_ns, "does not match event.namespace"))
    else:
        if not regarding_ns and namespace not in ("default", "kube-system"):
            errs.append(invalid(ns_path, regarding_ns, "does not match event.namespace"))
        controller = _s(event, "reportingController")
        if not controller:
            errs.append(required(Path("reportingController"), ""))
        errs += [
            invalid(Path("reportingController"), controller, m)
            for m in _v.is_qualified_name(controller)
        ]
        for key, path, limit in (
            ("reportingInstance", "reportingInstance", REPORTING_INSTANCE_LENGTH_LIMIT),
            ("action", "action", ACTION_LENGTH_LIMIT),
            ("reason", "reason", REASON_LENGTH_LIMIT),
        ):
            value = _s(event, key)
            if not value:
                errs.append(required(Path(path), ""))
            if len(value) > limit:
                errs.append(invalid(Path(path), "", f"can have at most {limit} characters"))
        if len(_s(event, "note")) > NOTE_LENGTH_LIMIT:
            errs.append(
                invalid(Path("message"), "", f"can have at most {NOTE_LENGTH_LIMIT} characters")
            )
    errs += [invalid(Path("namespace"), namespace, m) for m in _v.is_dns1123_subdomain(namespace)]
    return errs


def validate_event_create(event: Obj) -> list[FieldError]:
    """``ValidateEventCreate`` for events.k8s.io/v1, ObjectMeta included."""
    errs = _legacy_validate(event)
    errs += validate_meta(
        event.get("metadata") or {}, namespaced=True, name_fn=_v.name_is_dns_subdomain
    )
    series = event.get("series")
    if isinstance(series, dict):
        if int(series.get("count") or 0) < 2:
            errs.append(invalid(Path("series.count"), "", "should be at least 2"))
        if not series.get("lastObservedTime"):
            errs.append(required(Path("series.lastObservedTime"), ""))
    if not event.get("eventTime"):
        errs.append(required(Path("eventTime"), ""))
    event_type = _s(event, "type")
    if event_type not in ("Normal", "Warning"):
        errs.append(invalid(Path("type"), "", f"has invalid value: {event_type}"))
    for key in ("deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"):
        if event.get(key):
            errs.append(invalid(Path(key), "", "needs to be unset"))
    source = event.get("deprecatedSource") or {}
    if source.get("component") or source.get("host"):
        errs.append(invalid(Path("deprecatedSource"), "", "needs to be unset"))
    return errs


# events.k8s.io/v1 field -> the internal core.Event field ValidateEventUpdate names.
_IMMUTABLE: Final = (
    ("regarding", "involvedObject"),
    ("reason", "reason"),
    ("note", "message"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
    ("type", "type"),
    ("eventTime", "eventTime"),
    ("action", "action"),
    ("related", "related"),
    ("reportingController", "reportingController"),
    ("reportingInstance", "reportingInstance"),
)


def validate_event_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateEventUpdate`` for events.k8s.io/v1, ObjectMeta included."""
    errs = _legacy_validate(new)
    errs += validate_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
    for key, name in _IMMUTABLE:
        errs += _v.validate_immutable_field(new.get(key), old.get(key), Path(name))
    return errs


class EventStrategy(BaseStrategy):
    """``pkg/registry/core/event/strategy.go`` serving events.k8s.io/v1."""

    kind = "Event"
    api_version = "events.k8s.io/v1"

    def validate(self, obj: Obj) -> list[FieldError]:
        return validate_event_create(obj)

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_event_update(new, old)


register(EventStrategy())
