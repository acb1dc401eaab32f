"""Shared informers: one watch per resource type for every controller, each event decoded once.

kube-controller-manager runs one ``SharedInformerFactory``: however many controllers
watch Pods, there is one watch on Pods, and every controller's event handler reads the
same cached object, which it must not mutate (client-go's informer contract). This is the
embedded cluster's version of that: :class:`SharedInformers` opens one watch per resource
type (from resourceVersion 0, so every existing object arrives as ADDED first), and
:meth:`SharedInformers.drain` hands out the pending events of each type once per step.

Each event handed out is a fresh :class:`~mlkube.engine.store.Event` (not the one kept in
the store's watch-cache ring), so its :attr:`~mlkube.engine.store.Event.view` (the object
decoded once, shared read-only by every controller) lives only as long as the step that
delivers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlkube.engine.store import Event, Watch

if TYPE_CHECKING:
    from mlkube.api.registry import ResourceType
    from mlkube.engine.apiserver import APIServer

__all__ = ["SharedInformers"]


class SharedInformers:
    """One watch per resource type, shared by every controller that watches it."""

    def __init__(self, api: APIServer, types: Iterable[ResourceType]) -> None:
        # keyed by ResourceType.qualified ("pods", "jobs.batch")
        self._watches: dict[str, Watch] = {}
        for rt in types:
            if rt.qualified not in self._watches:
                self._watches[rt.qualified] = api.watch(rt, None, resource_version="0")

    def drain(self) -> dict[str, list[Event]]:
        """Every event queued since the last drain, by ``ResourceType.qualified`` (types
        without events are left out); each event's ``view`` is decoded at most once."""
        out: dict[str, list[Event]] = {}
        for qualified, watch in self._watches.items():
            events = watch.drain()
            if events:
                out[qualified] = [Event(e.type, e.resource_version, e.raw) for e in events]
        return out

    def pending(self) -> bool:
        """Whether any watch has events not yet drained."""
        return any(w.pending() for w in self._watches.values())

    def stop(self) -> None:
        for watch in self._watches.values():
            watch.stop()
