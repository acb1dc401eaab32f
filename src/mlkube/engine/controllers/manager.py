"""The controller manager: controllers driven by watch events and timers, one key at a time.

Like kube-controller-manager, each controller watches the types it cares about, turns
events into work keys (deduplicated, as a workqueue does) and reconciles one key at a time
through the API server's verbs. Time comes from the cluster's Clock: a controller asks to be
called again later by returning a delay, which becomes a timer on that clock, so the same
controllers run on a real clock in the served cluster and jump through virtual time in a
simulation.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from mlkube.api.registry import ResourceType
from mlkube.engine.clock import Clock
from mlkube.engine.controllers.informer import SharedInformers
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["Controller", "ControllerManager"]


class Controller(Protocol):
    """A reconciler.

    ``watched`` lists the types whose events may create work; ``keys(rt, event)`` maps one
    event to the keys to reconcile (never raising, never writing; ``event.view`` is the
    object shared with every other controller, read-only: a controller that keeps a
    mutable copy takes ``event.object``); ``sync(key)`` brings the cluster towards
    the desired state for that key through the API server, returning ``None`` when done or
    a delay in seconds after which the key is synced again. ``sync`` may be called for a
    key whose objects no longer exist and must then do nothing.
    """

    NAME: str

    @property
    def watched(self) -> Sequence[ResourceType]: ...

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]: ...

    def sync(self, key: str) -> float | None: ...


class _Queue:
    """A deduplicating FIFO of keys (client-go's workqueue, without rate limiting)."""

    def __init__(self) -> None:
        self._keys: dict[str, None] = {}

    def add(self, key: str) -> None:
        self._keys.setdefault(key, None)

    def pop_all(self) -> list[str]:
        keys = list(self._keys)
        self._keys.clear()
        return keys

    def __len__(self) -> int:
        return len(self._keys)


class ControllerManager:
    """Runs controllers over one API server and clock."""

    def __init__(self, api: APIServer, clock: Clock, controllers: Sequence[Controller]) -> None:
        self.api = api
        self.clock = clock
        # One controller per name, as kube-controller-manager runs them: a second
        # controller with a name already taken is the same controller, and is dropped.
        unique: dict[str, Controller] = {}
        for controller in controllers:
            unique.setdefault(controller.NAME, controller)
        self.controllers = list(unique.values())
        self._queues = {c.NAME: _Queue() for c in self.controllers}
        self._informers = SharedInformers(
            api, (rt for controller in self.controllers for rt in controller.watched)
        )

    def enqueue(self, controller: Controller, key: str) -> None:
        self._queues[controller.NAME].add(key)

    def step(self) -> int:
        """Turn pending events into keys, then sync every queued key once; returns how many
        keys were synced.

        The cycle collector is paused for the step. A step allocates many objects that
        live until the step ends (events' views, request bodies, working copies) and
        creates no reference cycles (``test_no_cycles`` checks that), so a collection
        in between finds nothing to free and only moves those objects into older
        generations, whose full collections then cost the cluster a fifth of its time.
        Collections resume after the step, so cycles a caller's code makes are still
        freed.
        """
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            self._map_events()
            synced = 0
            for controller in self.controllers:
                for key in self._queues[controller.NAME].pop_all():
                    delay = controller.sync(key)
                    synced += 1
                    if delay is not None:
                        self.clock.call_later(
                            delay, functools.partial(self.enqueue, controller, key)
                        )
            return synced
        finally:
            if paused:
                gc.enable()

    def _map_events(self) -> None:
        """Every controller maps the new events of its types to keys, in its own order.

        The events' shared views live only until every controller has read them, and are
        freed by reference counting at the end.
        """
        batches = self._informers.drain()
        for controller in self.controllers:
            queue = self._queues[controller.NAME]
            for rt in controller.watched:
                for event in batches.get(rt.qualified, ()):
                    for key in controller.keys(rt, event):
                        queue.add(key)
        batches.clear()

    def pending(self) -> bool:
        """Whether any event or key is waiting (timers not yet due do not count)."""
        return self._informers.pending() or any(len(q) for q in self._queues.values())

    def stop(self) -> None:
        self._informers.stop()
