"""Watchers in the watch cache: what a new one is sent first, registration, bookmarks.

Internal to :mod:`mlkube.engine.store`; ``Store.watch``, its stop callback and
``Store.send_bookmarks`` call these under the store's lock. :mod:`.watch` is the stream a
client holds; this module is the cache's side of it (``k8s.io/apiserver/pkg/storage/cacher``:
``Cacher.Watch``, ``watchCache.getAllEventsSinceLocked``, the bookmark timer):

* a watch from ``"0"`` (or with ``sendInitialEvents``) starts with a synthetic ADDED for
  every matching object, then, when it allows bookmarks, the BOOKMARK annotated
  ``k8s.io/initial-events-end``;
* a watch from ``N`` starts with every change after N still in the ring, as that watcher
  sees it (:func:`.bucket.for_watcher`), or is 410 ``too old resource version``;
* the backlog is queued before the watcher joins the bucket, so no live event overtakes it;
* a periodic BOOKMARK carries only kind, apiVersion and the current resourceVersion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from mlkube.engine.errors import Gone
from mlkube.engine.store.bucket import Bucket, Change, Watcher, for_watcher, matches
from mlkube.engine.store.contract import ResourceTypeLike
from mlkube.engine.store.watch import ADDED, BOOKMARK, INITIAL_EVENTS_END_ANNOTATION, Event, Watch

__all__ = ["backlog", "bookmark", "register", "send_bookmarks", "unregister"]

_encode = msgspec.json.Encoder().encode


def backlog(
    rt: ResourceTypeLike, bucket: Bucket, watcher: Watcher, n: int, current: int, initial: bool
) -> list[Event]:
    """The events a new watcher gets before live ones, the store being at ``current``.

    ``initial``: the matching objects as ADDED (and the initial-events-end bookmark if the
    watcher allows bookmarks); else, for ``n > 0``, the ring's changes after ``n`` (:class:`Gone`
    when ``n`` is older than the ring); else nothing.
    """
    events: list[Event] = []
    if initial:
        for key in bucket.sorted_keys():
            entry = bucket.objects[key]
            if watcher.trivial or matches(watcher.predicate, entry):
                events.append(Event(ADDED, entry.rv, entry.raw))
        if watcher.bookmarks:
            events.append(bookmark(rt.kind, rt.api_version, current, initial_events_end=True))
    elif n > 0:
        floor = bucket.watch_floor()
        if n < floor:
            raise Gone.too_old_resource_version(n, floor)
        pending: list[Change] = []
        for change in reversed(bucket.ring):
            if change.event.resource_version <= n:
                break
            pending.append(change)
        for change in reversed(pending):
            event = for_watcher(watcher, change)
            if event is not None:
                events.append(event)
    return events


def register(bucket: Bucket, watcher: Watcher, events: list[Event]) -> None:
    """Queue ``events`` on the watcher, then let it receive the bucket's live events."""
    if events:
        watcher.watch._push_all(events)
    bucket.watchers.append(watcher)
    if watcher.predicate.fields is not None:
        bucket.field_watchers += 1


def unregister(bucket: Bucket, watch: Watch) -> None:
    """Remove a stopped watch's watcher and recount those selecting by field."""
    bucket.watchers = [w for w in bucket.watchers if w.watch is not watch]
    bucket.field_watchers = sum(1 for w in bucket.watchers if w.predicate.fields is not None)


def bookmark(kind: str, api_version: str, rv: int, *, initial_events_end: bool = False) -> Event:
    """A BOOKMARK at ``rv``: an object with only kind, apiVersion and resourceVersion (and
    the ``k8s.io/initial-events-end`` annotation when it ends the initial events)."""
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if initial_events_end:
        meta["annotations"] = {INITIAL_EVENTS_END_ANNOTATION: "true"}
    obj = {"kind": kind, "apiVersion": api_version, "metadata": meta}
    return Event(BOOKMARK, rv, _encode(obj))


def send_bookmarks(buckets: Iterable[Bucket], rv: int) -> int:
    """Push a BOOKMARK at ``rv`` to every watcher of ``buckets`` that allows them; returns
    how many were sent (one event per bucket, shared by its watchers)."""
    sent = 0
    for bucket in buckets:
        targets = [w for w in bucket.watchers if w.bookmarks]
        if not targets:
            continue
        event = bookmark(bucket.kind, bucket.api_version, rv)
        for w in targets:
            w.watch._push(event)
            sent += 1
    return sent
