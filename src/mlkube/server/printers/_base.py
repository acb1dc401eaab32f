"""What every printer shares: the :class:`Printer` type, ``duration.HumanDuration`` and the
cell helpers of ``pkg/printers/internalversion/printers.go``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.api.timestamps import human_duration, parse_time

__all__ = ["Column", "ConditionsFn", "Printer", "RowFn", "human_duration"]


_NONE: Final = "<none>"


_UNKNOWN: Final = "<unknown>"


_UNSET: Final = "<unset>"


_DESCRIPTIONS: Final = {
    "Name": "Name must be unique within a namespace. Is required when creating resources, "
    "although some resources may allow a client to request the generation of an appropriate "
    "name automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
    "Age": "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.",
    "Created At": "CreationTimestamp is a timestamp representing the server time when this "
    "object was created. It is not guaranteed to be set in happens-before order across "
    "separate operations. Clients may not set this value. It is represented in RFC3339 form "
    "and is in UTC.",
}


Column = tuple[str, str, int]  # name, type, priority


RowFn = Callable[[Mapping[str, Any], datetime], list[Any]]


ConditionsFn = Callable[[Mapping[str, Any]], list[dict[str, Any]] | None]


class Printer:
    """One resource's columns, the function that renders a row's cells, and the one that
    gives a row its conditions (pods only)."""

    __slots__ = ("columns", "conditions", "row")

    def __init__(
        self, columns: Sequence[Column], row: RowFn, conditions: ConditionsFn | None = None
    ) -> None:
        self.columns = tuple(columns)
        self.row = row
        self.conditions = conditions

    def column_definitions(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": _DESCRIPTIONS.get(name, name),
                "priority": priority,
            }
            for name, kind, priority in self.columns
        ]


def _since(value: Any, now: datetime) -> str:
    """``translateTimestampSince``: ``<unknown>`` for a zero time."""
    if not value:
        return _UNKNOWN
    try:
        return human_duration((now - parse_time(str(value))).total_seconds())
    except ValueError:
        return _UNKNOWN


def _between(start: Any, end: Any) -> str:
    return human_duration((parse_time(str(end)) - parse_time(str(start))).total_seconds())


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    node: Any = obj
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _name(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("name", ""))


def _age(obj: Mapping[str, Any], now: datetime) -> str:
    return _since(_meta(obj).get("creationTimestamp"), now)


def _format_selector(selector: Mapping[str, Any] | None) -> str:
    """``metav1.FormatLabelSelector``."""
    try:
        text = str(selector_from_label_selector(selector))
    except SelectorError:
        return "<error>"
    return text or _NONE


def _format_labels(labels: Mapping[str, str] | None) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs, ``<none>`` when empty."""
    if not labels:
        return _NONE
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _containers(template_spec: Mapping[str, Any] | None) -> tuple[str, str]:
    containers = (template_spec or {}).get("containers") or []
    names = ",".join(str(c.get("name", "")) for c in containers)
    images = ",".join(str(c.get("image", "")) for c in containers)
    return names, images


_ACCESS_MODES: Final = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: Sequence[str] | None) -> str:
    present = set(modes or ())
    return ",".join(short for mode, short in _ACCESS_MODES if mode in present)


def _storage_class(obj: Mapping[str, Any]) -> str:
    annotations = _meta(obj).get("annotations") or {}
    beta = annotations.get("volume.beta.kubernetes.io/storage-class")
    if beta is not None:
        return str(beta)
    return str(_get(obj, "spec", "storageClassName") or "")


def _true_condition(obj: Mapping[str, Any], kind: str) -> bool:
    for c in _get(obj, "status", "conditions") or []:
        if c.get("type") == kind and c.get("status") == "True":
            return True
    return False


def _cols(
    *names: str, wide: Sequence[str] = (), types: Mapping[str, str] | None = None
) -> list[Column]:
    kinds = dict(types or {})
    return [(n, kinds.get(n, "string"), 0) for n in names] + [
        (n, kinds.get(n, "string"), 1) for n in wide
    ]


_WORKLOAD_WIDE: Final = ("Containers", "Images", "Selector")


_INTEGER: Final = "integer"
