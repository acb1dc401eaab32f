"""Desired against live: what an apply would create, change, remove or leave alone.

Only the fields mlkube owns are compared, as server-side apply decides what it writes
(``sigs.k8s.io/structured-merge-diff``): a live object needs a write when a field of the
apply configuration differs from it, or when a field mlkube's manager owns
(``metadata.managedFields``, ``fieldsV1``) is gone from the configuration (the apply would
remove it). Fields the server defaulted and fields other managers own are ignored, and
quantities compare by amount (``1000m`` is ``1``), so a second apply of the same spec plans
zero writes. Each change carries a unified diff for ``mlkube platform diff``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from mlkube.api.quantity import QuantityError, parse_quantity
from mlkube.platform.names import FIELD_MANAGER

__all__ = [
    "Action",
    "Change",
    "Plan",
    "compare",
    "display_name",
    "key_of",
    "owned_fields",
    "project",
]

Action = Literal["create", "change", "remove", "orphan", "unchanged"]
Key = tuple[str, str, str, str, str]  # apiVersion, kind, namespace, name, subresource

#: Maps whose values are quantities, compared by amount.
_QUANTITY_MAPS = frozenset(
    {
        "capacity",
        "allocatable",
        "hard",
        "default",
        "defaultRequest",
        "max",
        "min",
        "requests",
        "limits",
    }
)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


#: Multi-line strings (the stored platform spec) as literal blocks, as kubectl diff shows
#: ConfigMap data, so that a diff shows the lines that changed.
_Dumper: Any = type("_Dumper", (_BaseDumper,), {})


def _represent_str(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def key_of(obj: Mapping[str, Any], subresource: str = "") -> Key:
    meta = obj.get("metadata") or {}
    return (
        str(obj.get("apiVersion", "")),
        str(obj.get("kind", "")),
        str(meta.get("namespace") or ""),
        str(meta.get("name") or ""),
        subresource,
    )


def display_name(key: Key) -> str:
    """``kind/name`` as kubectl prints it, with the namespace and subresource when there are."""
    _, kind, namespace, name, sub = key
    text = f"{kind.lower()}/{name}" + (f"/{sub}" if sub else "")
    return f"{text} -n {namespace}" if namespace else text


def owned_fields(
    live: Mapping[str, Any], subresource: str = "", manager: str = FIELD_MANAGER
) -> dict[str, Any]:
    """The field tree ``manager`` owns by apply through the object (``status`` left out) or
    through one subresource (only that), from ``fieldsV1``: ``f:`` keys only, a list's
    elements counting as the list."""
    tree: dict[str, Any] = {}
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if (
            entry.get("manager") == manager
            and entry.get("operation") == "Apply"
            and (entry.get("subresource") or "") == subresource
        ):
            _merge(tree, _fields(entry.get("fieldsV1") or {}))
    if subresource:
        return {k: v for k, v in tree.items() if k == subresource}
    return {k: v for k, v in tree.items() if k != "status"}


def _fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k[2:]: _fields(v or {}) for k, v in raw.items() if k.startswith("f:")}


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    for k, v in other.items():
        _merge(into.setdefault(k, {}), v)


def _same_quantity(desired: str, live: Any) -> bool:
    if desired == live:
        return True
    try:
        return isinstance(live, str) and parse_quantity(desired) == parse_quantity(live)
    except QuantityError:
        return False


def _is_zero(value: Any) -> bool:
    """A Go zero value, which ``omitempty`` leaves out of the wire form."""
    return value is False or (isinstance(value, str | list | dict) and not value)


def _covers(live: Any, desired: Any, key: str = "") -> bool:
    """Whether live already holds every field of desired (lists: same length, each covered);
    the values of a resource map (``hard``, ``capacity``, ...) compare as quantities, and a
    zero value is held by its absence (kube-apiserver omits ``omitempty`` fields:
    ``storageClassName: ""`` on a PersistentVolume)."""
    if isinstance(desired, Mapping):
        if not isinstance(live, Mapping):
            return False
        quantities = key in _QUANTITY_MAPS
        return all(
            _is_zero(v)
            if k not in live
            else (
                _same_quantity(v, live[k])
                if quantities and isinstance(v, str)
                else _covers(live[k], v, k)
            )
            for k, v in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(live, list)
            and len(live) == len(desired)
            and all(_covers(a, b, key) for a, b in zip(live, desired, strict=True))
        )
    return bool(desired == live and type(desired) is type(live))


def _drops_owned(owned: Mapping[str, Any], desired: Any) -> bool:
    """Whether an apply of desired would remove a field mlkube owns."""
    if not isinstance(desired, Mapping):
        return False
    for k, sub in owned.items():
        if k not in desired:
            return True
        if sub and _drops_owned(sub, desired[k]):
            return True
    return False


def compare(
    desired: Mapping[str, Any], live: Mapping[str, Any] | None, owned: Mapping[str, Any]
) -> Action:
    """create when absent; change when a desired field differs or an owned one would go."""
    if live is None:
        return "create"
    body = {k: v for k, v in desired.items() if k not in ("apiVersion", "kind")}
    if not _covers(live, body) or _drops_owned(owned, body):
        return "change"
    return "unchanged"


def project(live: Any, desired: Any, owned: Mapping[str, Any]) -> Any:
    """The live object seen through desired's shape (and what mlkube owns), for a diff."""
    if not isinstance(live, Mapping) or not isinstance(desired, Mapping):
        return live
    keys = [k for k in desired if k in live] + [k for k in owned if k in live and k not in desired]
    return {k: project(live[k], desired.get(k), owned.get(k) or {}) for k in keys}


_NOISE = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation")


def _strip(live: Mapping[str, Any]) -> dict[str, Any]:
    obj = {k: v for k, v in live.items() if k != "status"}
    obj["metadata"] = {k: v for k, v in (live.get("metadata") or {}).items() if k not in _NOISE}
    return obj


def _yaml(obj: Any) -> list[str]:
    if obj is None:
        return []
    text: str = yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False)
    return text.splitlines(keepends=True)


@dataclass
class Change:
    """One object of the plan and what apply does to it."""

    action: Action
    key: Key
    desired: dict[str, Any] | None = None
    live: dict[str, Any] | None = None
    owned: dict[str, Any] = field(default_factory=dict)
    #: The field manager that applies it (``mlkube``; the node registrar on the embedded).
    manager: str = FIELD_MANAGER

    @property
    def name(self) -> str:
        return display_name(self.key)

    @property
    def is_write(self) -> bool:
        return self.action in ("create", "change", "remove")

    def diff(self) -> str:
        """A unified diff, live (as mlkube sees it) to desired."""
        if self.action in ("remove", "orphan") and self.desired is None:
            before, after = _yaml(_strip(self.live or {})), []
        else:
            shown = None if self.live is None else project(self.live, self.desired, self.owned)
            if shown is not None and self.desired is not None:
                shown = {
                    "apiVersion": self.desired["apiVersion"],
                    "kind": self.desired["kind"],
                    **shown,
                }
            before, after = _yaml(shown), _yaml(self.desired)
        lines = difflib.unified_diff(before, after, f"live/{self.name}", f"desired/{self.name}")
        return "".join(lines)


@dataclass
class Plan:
    """Every object the platform touches, in apply order, with its action."""

    changes: list[Change] = field(default_factory=list)

    def of(self, *actions: Action) -> list[Change]:
        return [c for c in self.changes if c.action in actions]

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.is_write]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("create", "change", "remove", "orphan", "unchanged"), 0)
        for c in self.changes:
            counts[c.action] += 1
        return counts

    def add(
        self, desired: Mapping[str, Any], live: Mapping[str, Any] | None, subresource: str = ""
    ) -> Change:
        owned = owned_fields(live, subresource) if live is not None else {}
        change = Change(
            compare(desired, live, owned),
            key_of(desired, subresource),
            dict(desired),
            None if live is None else dict(live),
            owned,
        )
        self.changes.append(change)
        return change

    def extend_removals(self, leftovers: Iterable[Mapping[str, Any]], *, prune: bool) -> None:
        for live in leftovers:
            self.changes.append(
                Change("remove" if prune else "orphan", key_of(live), None, dict(live))
            )
