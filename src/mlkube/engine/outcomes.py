"""What the API server's verbs return, how they refuse an invalid object, and who the API
server's own writes are from.

Shared by :mod:`mlkube.engine.apiserver` and the subresource modules beside it
(:mod:`~mlkube.engine.scale`, :mod:`~mlkube.engine.binding`,
:mod:`~mlkube.engine.namespacedelete`, :mod:`~mlkube.engine.eviction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mlkube.api.field import FieldError
from mlkube.api.registry import ResourceType
from mlkube.engine.errors import Invalid

__all__ = ["LOOPBACK_USER_AGENT", "DeleteOutcome", "WriteResult", "kind_of", "raise_invalid"]

#: kube-apiserver's loopback client, which writes what the server itself changes (quota
#: usage charged by admission, a budget an eviction spends): manager ``kube-apiserver``.
LOOPBACK_USER_AGENT: Final = "kube-apiserver/v1.37.2"


@dataclass
class WriteResult:
    """What a write returns: the object, kube-apiserver's ``Warning`` texts, and whether
    the write created the object (201) rather than changing it (200)."""

    object: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    created: bool = False


@dataclass
class DeleteOutcome:
    """A delete's result: the object (gone, or kept with a deletionTimestamp)."""

    object: dict[str, Any]
    deleted: bool


def kind_of(rt: ResourceType) -> str:
    """``Job.batch``: how Invalid errors name a kind."""
    return f"{rt.kind}.{rt.group}" if rt.group else rt.kind


def raise_invalid(rt: ResourceType, name: str, errors: Sequence[FieldError]) -> None:
    """422 Invalid naming every field error, if there are any."""
    if errors:
        raise Invalid(kind_of(rt), name, list(errors))
