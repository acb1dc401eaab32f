"""Watch streams: one queue per watcher, fed under the store's commit lock.

Upstream's shape (``k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go``,
``k8s.io/apimachinery/pkg/watch/watch.go``): each event is ``ADDED``, ``MODIFIED``,
``DELETED`` or ``BOOKMARK`` and carries the object at its resourceVersion. An event holds
the object already encoded (``msgspec.json`` bytes), shared by every watcher it is fanned
out to, so fan-out costs one append per watcher; ``event.object`` decodes a private copy.

A :class:`Watch` is usable from threads (``next(timeout)``, ``drain()``, iteration) and from
asyncio (``await w.get()``, ``async for``): a waiting coroutine parks on a future that the
committing thread resolves with ``loop.call_soon_threadsafe``, so the loop never blocks.

A watcher that lets more than the store's ``watch_queue_limit`` live events pile up is ended
(``terminated``), as the cacher ends an unresponsive watcher; its client re-watches from the
last resourceVersion it saw.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

__all__ = [
    "ADDED",
    "BOOKMARK",
    "DELETED",
    "INITIAL_EVENTS_END_ANNOTATION",
    "MODIFIED",
    "Event",
    "Watch",
]

ADDED: Final = "ADDED"
MODIFIED: Final = "MODIFIED"
DELETED: Final = "DELETED"
BOOKMARK: Final = "BOOKMARK"
#: ``metav1.InitialEventsAnnotationKey``: set on the bookmark that ends a streaming list.
INITIAL_EVENTS_END_ANNOTATION: Final = "k8s.io/initial-events-end"

_decode = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class Event:
    """One watch event: its type, the resourceVersion it happened at, the encoded object."""

    type: str
    resource_version: int
    raw: bytes
    _view: dict[str, Any] | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def object(self) -> dict[str, Any]:
        """A fresh decoded copy of the object (each access decodes again)."""
        obj: dict[str, Any] = _decode(self.raw)
        return obj

    @property
    def view(self) -> dict[str, Any]:
        """The object as informers cache it: decoded once and kept on this event, shared
        by every reader, without ``metadata.managedFields`` (kube-controller-manager's and
        kube-scheduler's informers trim them: no controller reads them).

        Normative: readers never mutate it (nor anything inside it); whoever needs to
        change it, or needs the managedFields, takes :attr:`object`.
        """
        view = self._view
        if view is None:
            view = _decode(self.raw)
            meta = view.get("metadata")
            if type(meta) is dict:
                meta.pop("managedFields", None)
            object.__setattr__(self, "_view", view)
        return view

    def to_json(self) -> bytes:
        """The watch frame ``{"type":...,"object":...}`` without its newline."""
        return b'{"type":"' + self.type.encode() + b'","object":' + self.raw + b"}"


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Watch:
    """A stream of events for one watcher; ``stop()`` ends it (idempotent).

    Normative: ``next``/``get`` return ``None`` only once the watch is stopped and every
    queued event has been taken; events come in resourceVersion order.
    """

    def __init__(
        self, on_stop: Callable[[Watch], None] | None = None, *, limit: int | None = None
    ) -> None:
        self._events: deque[Event] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._stopped = False
        self._terminated = False
        self._limit = limit
        # Initial events still queued (at the head); they do not count against the limit.
        self._initial = 0
        self._waiter: asyncio.Future[None] | None = None
        self._on_stop = on_stop

    # -- producer side (the store, holding its commit lock) -------------------------------

    def _push(self, event: Event) -> None:
        with self._cond:
            if self._stopped:
                return
            if self._limit is not None and len(self._events) - self._initial >= self._limit:
                overflow = True
            else:
                overflow = False
                self._events.append(event)
                self._cond.notify()
                waiter, self._waiter = self._waiter, None
        if overflow:
            self._terminate()
            return
        if waiter is not None:
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    def _terminate(self) -> None:
        """The cacher's answer to a watcher that does not keep up: drop what is queued and
        end the stream; the client re-watches from the last resourceVersion it saw."""
        with self._cond:
            self._events.clear()
            self._initial = 0
            self._terminated = True
        self.stop()

    def _push_all(self, events: list[Event]) -> None:
        """Queue the initial events (before the watch is registered for live ones)."""
        with self._cond:
            self._events.extend(events)
            self._initial += len(events)
            self._cond.notify()

    def _pop(self) -> Event:
        if self._initial:
            self._initial -= 1
        return self._events.popleft()

    # -- consumer side ---------------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def terminated(self) -> bool:
        """True when the store ended the watch because its queue overflowed."""
        return self._terminated

    def pending(self) -> int:
        """How many events are queued and not yet taken."""
        with self._cond:
            return len(self._events)

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting up to ``timeout`` seconds (None: until one comes or stop).

        Returns None on timeout or when the watch is stopped and drained.
        """
        with self._cond:
            if not self._events and not self._stopped:
                self._cond.wait_for(lambda: bool(self._events) or self._stopped, timeout)
            if self._events:
                return self._pop()
            return None

    def drain(self) -> list[Event]:
        """Every queued event, without waiting."""
        with self._cond:
            out = list(self._events)
            self._events.clear()
            self._initial = 0
            return out

    def stop(self) -> None:
        """End the stream: no further events are queued; waiters wake up."""
        with self._cond:
            if self._stopped:
                return
            self._stopped = True
            self._cond.notify_all()
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)
        if self._on_stop is not None:
            self._on_stop(self)

    def __iter__(self) -> Iterator[Event]:
        """Block for each event until the watch is stopped."""
        while (event := self.next()) is not None:
            yield event

    async def get(self) -> Event | None:
        """The next event without blocking the event loop; None once stopped and drained."""
        while True:
            with self._cond:
                if self._events:
                    return self._pop()
                if self._stopped:
                    return None
                fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._waiter = fut
            await fut

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[Event]:
        while (event := await self.get()) is not None:
            yield event

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
