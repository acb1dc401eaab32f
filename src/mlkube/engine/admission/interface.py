"""The admission contract: what a plugin sees of a request and of the cluster.

Follows ``k8s.io/apiserver/pkg/admission/interfaces.go``: a request is described by
:class:`Attributes`; a plugin may mutate the object in :meth:`AdmissionPlugin.admit` (the
mutating phase) and may only accept or refuse it in :meth:`AdmissionPlugin.validate` (the
validating phase, after schema validation). Plugins read the cluster through
:class:`AdmissionContext`, which the request pipeline implements on top of the store, as a
kube-apiserver plugin reads its informers and client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from mlkube.api.registry import ResourceType
from mlkube.engine.errors import Forbidden

__all__ = [
    "AdmissionContext",
    "AdmissionPlugin",
    "Attributes",
    "Operation",
    "aggregate",
    "forbidden",
]


class Operation(StrEnum):
    """``admission.Operation``."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CONNECT = "CONNECT"


@dataclass
class Attributes:
    """One request as admission sees it (``admission.Attributes``).

    ``obj`` is the incoming object (mutable during the mutating phase), ``old`` the stored
    one for updates and deletes. ``name`` is the final name (a ``generateName`` has already
    been resolved, so refusals name the generated pod as kube-apiserver's do).
    """

    operation: Operation
    resource: ResourceType
    namespace: str
    name: str
    obj: dict[str, Any] | None
    old: dict[str, Any] | None = None
    subresource: str = ""
    dry_run: bool = False
    user: str = ""
    groups: Sequence[str] = field(default_factory=tuple)

    @property
    def group_resource(self) -> tuple[str, str]:
        return self.resource.group, self.resource.plural

    def is_(self, group: str, plural: str, subresource: str = "") -> bool:
        """True for this group/resource and subresource (``""`` = the main resource)."""
        return (
            self.resource.group == group
            and self.resource.plural == plural
            and self.subresource == subresource
        )


class AdmissionContext(Protocol):
    """The cluster as plugins may read (and, for quota, write) it.

    ``get`` returns None for a missing object; ``list`` returns every object of the type in
    the namespace (all namespaces for ``None``). Returned objects are copies: mutating them
    changes nothing. ``update_status`` writes the status subresource with optimistic
    concurrency and raises ``Conflict`` when the object changed since it was read.
    """

    def now(self) -> datetime: ...

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None: ...

    def list(self, rt: ResourceType, namespace: str | None) -> list[dict[str, Any]]: ...

    def update_status(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]: ...


class AdmissionPlugin(Protocol):
    """A plugin of the chain.

    ``NAME`` is the upstream plugin name. ``admit`` may change ``attrs.obj`` in place;
    ``validate`` must not change anything but may refuse by raising an ``ApiError``
    (usually :func:`forbidden`). A plugin that has nothing to do for a request returns.
    """

    NAME: str

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None: ...

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None: ...


def forbidden(attrs: Attributes, why: str, **kwargs: Any) -> Forbidden:
    """``admission.NewForbidden(a, err)``: ``<resource> "<name>" is forbidden: <why>``."""
    return Forbidden(attrs.resource, attrs.name, why, **kwargs)


def aggregate(messages: Sequence[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message bare; several, with
    duplicates dropped, as ``[a, b]``."""
    if len(messages) == 1:
        return messages[0]
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"
