"""The garbage collector: dependents follow their owners through ``ownerReferences``.

A graph of every object's owners is kept from watch events (``graph_builder.go``); work is
two queues' worth of keys, as upstream's ``attemptToDelete`` and ``attemptToOrphan``.
Follows ``pkg/controller/garbagecollector/garbagecollector.go``:

- ``attemptToDeleteItem``: an object whose owners are all gone (dangling, checked live
  through the API server by uid) is deleted, with the propagation its own finalizers ask
  for; an owner that is merely waiting for its dependents (``foregroundDeletion``) makes a
  dependent with dependents of its own go in the foreground; solid owners keep it, and
  references to the dangling or waiting ones are removed.
- ``processDeletingDependentsItem``: an owner deleting in the foreground loses its
  ``foregroundDeletion`` finalizer once no dependent with ``blockOwnerDeletion`` is left.
- ``orphanDependents``: an owner with the ``orphan`` finalizer has its reference removed
  from every dependent, then loses the finalizer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlkube.api.registry import ALL, ResourceType, by_kind
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import Conflict, NotFound
from mlkube.engine.store import Event
from mlkube.engine.store.deletion import FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN_DEPENDENTS

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NAME", "GarbageCollector"]

NAME = "garbagecollector"
_WATCHED: tuple[ResourceType, ...] = tuple(t for t in ALL if t.kind != "Binding")
_DELETE, _ORPHAN = "delete", "orphan"
#: Retry delay after a conflict or a failed write (the workqueue's rate limiter, simplified).
_RETRY = 1.0


@dataclass
class _Node:
    """One object of the graph (``graph.go`` node): identity and owner references."""

    rt: ResourceType
    namespace: str | None
    name: str
    owners: list[dict[str, Any]] = field(default_factory=list)
    deleting: bool = False
    finalizers: tuple[str, ...] = ()

    @property
    def deleting_dependents(self) -> bool:
        return self.deleting and FINALIZER_DELETE_DEPENDENTS in self.finalizers

    @property
    def orphaning(self) -> bool:
        return self.deleting and FINALIZER_ORPHAN_DEPENDENTS in self.finalizers


class GarbageCollector:
    """Deletes orphaned dependents and runs foreground and orphan propagation."""

    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api
        self._nodes: dict[str, _Node] = {}
        self._dependents: dict[str, set[str]] = {}

    @property
    def watched(self) -> Sequence[ResourceType]:
        return _WATCHED

    # -- the graph (graph_builder.go processGraphChanges) -------------------------------

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        uid = meta.get("uid")
        if not uid:
            return []
        out: list[str] = []
        old = self._nodes.get(uid)
        if event.type == "DELETED":
            self._remove(uid)
            # dependents of a deleted owner may now be dangling; an owner waiting in the
            # foreground re-checks its blocking dependents
            out += [f"{_DELETE}:{d}" for d in sorted(self._dependents.get(uid, ()))]
            if old is not None:
                out += [
                    f"{_DELETE}:{o['uid']}"
                    for o in old.owners
                    if (n := self._nodes.get(o["uid"])) and n.deleting_dependents
                ]
            return out
        node = _Node(
            rt,
            meta.get("namespace"),
            meta.get("name", ""),
            [dict(r) for r in meta.get("ownerReferences") or [] if r.get("uid")],
            bool(meta.get("deletionTimestamp")),
            tuple(meta.get("finalizers") or ()),
        )
        old_owners = {o["uid"] for o in old.owners} if old else set()
        self._nodes[uid] = node
        for ref in old.owners if old else []:
            self._dependents.get(ref["uid"], set()).discard(uid)
        for ref in node.owners:
            self._dependents.setdefault(ref["uid"], set()).add(uid)
        if node.orphaning:
            out.append(f"{_ORPHAN}:{uid}")
        if node.deleting_dependents:
            out.append(f"{_DELETE}:{uid}")
            out += [f"{_DELETE}:{d}" for d in sorted(self._dependents.get(uid, ()))]
        new_owners = {o["uid"] for o in node.owners}
        # a new reference is checked live: its owner may be absent (a virtual node)
        if new_owners - old_owners:
            out.append(f"{_DELETE}:{uid}")
        # a removed reference may unblock an owner waiting for its dependents
        for gone in old_owners - new_owners:
            if (n := self._nodes.get(gone)) and n.deleting_dependents:
                out.append(f"{_DELETE}:{gone}")
        return out

    def _remove(self, uid: str) -> None:
        node = self._nodes.pop(uid, None)
        if node is None:
            return
        for ref in node.owners:
            deps = self._dependents.get(ref["uid"])
            if deps is not None:
                deps.discard(uid)
                if not deps and ref["uid"] not in self._nodes:
                    del self._dependents[ref["uid"]]

    def dependents(self, uid: str) -> list[str]:
        """The uids of the objects that name ``uid`` as an owner (for inspection)."""
        return sorted(self._dependents.get(uid, ()))

    # -- work -----------------------------------------------------------------------------

    def sync(self, key: str) -> float | None:
        kind, _, uid = key.partition(":")
        node = self._nodes.get(uid)
        if node is None:
            return None
        try:
            if kind == _ORPHAN:
                self._orphan(uid, node)
            else:
                self._attempt_to_delete(uid, node)
        except Conflict:
            return _RETRY
        return None

    def _live(self, uid: str, node: _Node) -> dict[str, Any] | None:
        try:
            obj = self._api.get(node.rt, node.namespace, node.name)
        except NotFound:
            return None
        return obj if obj["metadata"].get("uid") == uid else None

    def _attempt_to_delete(self, uid: str, node: _Node) -> None:
        """``attemptToDeleteItem``."""
        if node.deleting and not node.deleting_dependents:
            return
        latest = self._live(uid, node)
        if latest is None:
            return
        if node.deleting_dependents:
            self._process_deleting_dependents(uid, latest)
            return
        refs = latest["metadata"].get("ownerReferences") or []
        if not refs:
            return
        solid, dangling, waiting = self._classify(latest, refs)
        if solid:
            if dangling or waiting:
                drop = {r["uid"] for r in dangling + waiting}
                self._drop_owner_refs(node, uid, drop)
            return
        if waiting and self._dependents.get(uid):
            self._delete(node, uid, "Foreground")
            return
        finalizers = latest["metadata"].get("finalizers") or []
        if FINALIZER_ORPHAN_DEPENDENTS in finalizers:
            policy = "Orphan"
        elif FINALIZER_DELETE_DEPENDENTS in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        self._delete(node, uid, policy)

    def _classify(
        self, dependent: dict[str, Any], refs: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """``classifyReferences``: solid, dangling and waitingForDependentsDeletion owners."""
        solid: list[dict[str, Any]] = []
        dangling: list[dict[str, Any]] = []
        waiting: list[dict[str, Any]] = []
        namespace = dependent["metadata"].get("namespace")
        for ref in refs:
            owner = self._owner(ref, namespace)
            if owner is _UNKNOWN:
                solid.append(ref)  # an unresolvable kind is never treated as absent
            elif owner is None:
                dangling.append(ref)
            elif owner["metadata"].get("deletionTimestamp") and FINALIZER_DELETE_DEPENDENTS in (
                owner["metadata"].get("finalizers") or []
            ):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def _owner(self, ref: dict[str, Any], namespace: str | None) -> Any:
        try:
            rt = by_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
        except LookupError:
            return _UNKNOWN
        try:
            owner = self._api.get(rt, namespace if rt.namespaced else None, ref.get("name", ""))
        except NotFound:
            return None
        return owner if owner["metadata"].get("uid") == ref.get("uid") else None

    def _process_deleting_dependents(self, uid: str, owner: dict[str, Any]) -> None:
        """``processDeletingDependentsItem``: blocking dependents first, then the finalizer."""
        blocking = [
            d
            for d in sorted(self._dependents.get(uid, ()))
            if (n := self._nodes.get(d))
            and any(r["uid"] == uid and r.get("blockOwnerDeletion") for r in n.owners)
        ]
        if not blocking:
            self._remove_finalizer(owner, FINALIZER_DELETE_DEPENDENTS)
            return
        for dep in blocking:
            node = self._nodes[dep]
            if not node.deleting_dependents:
                self._attempt_to_delete(dep, node)

    def _orphan(self, uid: str, node: _Node) -> None:
        """``orphanDependents`` then ``removeFinalizer(orphan)``."""
        latest = self._live(uid, node)
        if latest is None:
            return
        for dep in sorted(self._dependents.get(uid, ())):
            dep_node = self._nodes.get(dep)
            if dep_node is not None:
                self._drop_owner_refs(dep_node, dep, {uid})
        self._remove_finalizer(latest, FINALIZER_ORPHAN_DEPENDENTS)

    # -- writes -----------------------------------------------------------------------------

    def _delete(self, node: _Node, uid: str, policy: str) -> None:
        try:
            self._api.delete(
                node.rt,
                node.namespace,
                node.name,
                propagation_policy=policy,
                preconditions={"uid": uid},
            )
        except NotFound:
            return

    def _drop_owner_refs(self, node: _Node, uid: str, owners: set[str]) -> None:
        """``GenerateDeleteOwnerRefStrategicMergeBytes``, as a conditional update."""
        obj = self._live(uid, node)
        if obj is None:
            return
        refs = obj["metadata"].get("ownerReferences") or []
        kept = [r for r in refs if r.get("uid") not in owners]
        if len(kept) == len(refs):
            return
        if kept:
            obj["metadata"]["ownerReferences"] = kept
        else:
            obj["metadata"].pop("ownerReferences", None)
        try:
            self._api.update(node.rt, obj, namespace=node.namespace, user_agent=USER_AGENT)
        except NotFound:
            return

    def _remove_finalizer(self, obj: dict[str, Any], finalizer: str) -> None:
        meta = obj["metadata"]
        finalizers = meta.get("finalizers") or []
        if finalizer not in finalizers:
            return
        meta["finalizers"] = [f for f in finalizers if f != finalizer]
        rt = by_kind(obj["apiVersion"], obj["kind"])
        try:
            self._api.update(rt, obj, namespace=meta.get("namespace"), user_agent=USER_AGENT)
        except NotFound:
            return


_UNKNOWN: Any = object()
