"""The store's contract with its callers: what it needs of a type, what its reads return.

A leaf module, so every part of the store (and any caller) can name these shapes without
importing :class:`~mlkube.engine.store.store.Store` itself. :class:`ResourceTypeLike` is
what the store reads of ``mlkube.api.registry.ResourceType``; :class:`ListResult`,
:class:`EncodedList` and :class:`DeleteResult` are what ``list``, ``list_encoded`` and
``delete_result`` return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

__all__ = ["DeleteResult", "EncodedList", "ListResult", "ResourceTypeLike"]


class ResourceTypeLike(Protocol):
    """What the store needs of a type (``mlkube.api.registry.ResourceType`` fits)."""

    @property
    def group(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def plural(self) -> str: ...
    @property
    def namespaced(self) -> bool: ...
    @property
    def api_version(self) -> str: ...
    @property
    def qualified(self) -> str: ...


class ListResult(NamedTuple):
    """A list: items (without kind/apiVersion, as in a List), its resourceVersion, the
    ``continue`` token (``""`` on the last page) and ``remainingItemCount`` (or None)."""

    items: list[dict[str, Any]]
    resource_version: str
    continue_: str
    remaining_item_count: int | None


class EncodedList(NamedTuple):
    """:class:`ListResult` with ``items`` as the bytes of one JSON array (see
    :meth:`Store.list_encoded`)."""

    items: bytes
    resource_version: str
    continue_: str
    remaining_item_count: int | None


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """What a delete did: ``object`` is the stored object after the call.

    ``deleted``: it is gone (``object`` is its final state, at the deletion's
    resourceVersion). ``already_deleting``: a graceful deletion was pending and nothing
    changed (upstream answers with ``finalizeDelete``, as for a deleted object). Neither:
    the object was kept, marked with a deletionTimestamp (grace or finalizers pending).
    """

    object: dict[str, Any]
    deleted: bool
    already_deleting: bool = False
