"""What the store keeps per resource: encoded entries, the change ring, watchers.

Internal to :mod:`mlkube.engine.store`. A :class:`Bucket` is one resource's share of
kube-apiserver's watch cache (``k8s.io/apiserver/pkg/storage/cacher/watch_cache.go``): the
current objects by key, a bounded ring of recent changes (each with the entries before
and after it, so lists can be rolled back to an older resourceVersion), and the watchers;
:func:`new_entry` reads an object's indexes once, when it is stored; :func:`for_watcher` is
the cacher's selector-transition rule (``cache_watcher.go``).
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import msgspec

from mlkube.api import fields as _fields
from mlkube.engine.store.listing import Predicate
from mlkube.engine.store.watch import ADDED, DELETED, Event, Watch

__all__ = [
    "Bucket",
    "Change",
    "Entry",
    "View",
    "Watcher",
    "for_watcher",
    "matches",
    "new_entry",
]

_decode = msgspec.json.decode
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})


class Entry:
    """One stored object: its encoded form plus what indexes and selectors read.

    The field-selector values are computed when first needed (a field-selector list or
    watch) and then kept, so writes nobody filters by field do not pay for them.
    """

    __slots__ = ("_fields", "labels", "namespace", "plural", "raw", "rv")

    def __init__(
        self,
        raw: bytes,
        rv: int,
        namespace: str,
        labels: Mapping[str, str],
        plural: str,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        self.raw = raw
        self.rv = rv
        self.namespace = namespace
        self.labels = labels
        self.plural = plural
        self._fields = fields

    def fields(self) -> Mapping[str, str]:
        """``fields.Set`` of the object (``GetAttrs``)."""
        fields = self._fields
        if fields is None:
            fields = self._fields = _fields.field_set(self.plural, _decode(self.raw))
        return fields


def new_entry(
    plural: str, raw: bytes, obj: Mapping[str, Any], rv: int, *, with_fields: bool = False
) -> Entry:
    """The entry of ``obj`` (encoded as ``raw``) at ``rv``: its namespace (interned), its
    labels, and its field set now when ``with_fields`` (a field watcher will read it)."""
    meta = obj.get("metadata") or {}
    labels = meta.get("labels")
    return Entry(
        raw,
        rv,
        sys.intern(meta.get("namespace") or ""),
        dict(labels) if labels else _EMPTY,
        plural,
        _fields.field_set(plural, obj) if with_fields else None,
    )


class Change:
    """A committed change in the ring: the event and the entries before and after it."""

    __slots__ = ("event", "key", "new", "prev")

    def __init__(self, event: Event, key: str, new: Entry, prev: Entry | None) -> None:
        self.event = event
        self.key = key
        self.new = new
        self.prev = prev


class Watcher:
    __slots__ = ("bookmarks", "predicate", "trivial", "watch")

    def __init__(self, watch: Watch, predicate: Predicate, bookmarks: bool) -> None:
        self.watch = watch
        self.predicate = predicate
        self.bookmarks = bookmarks
        self.trivial = predicate.namespace is None and not predicate.filters


class Bucket:
    """Everything stored for one resource (``pods``, ``jobs.batch``)."""

    __slots__ = (
        "_sorted",
        "api_version",
        "capacity",
        "evicted",
        "field_watchers",
        "floor",
        "kind",
        "objects",
        "plural",
        "ring",
        "watchers",
    )

    def __init__(self, plural: str, floor: int, capacity: int) -> None:
        self.plural = plural
        self.kind = ""
        self.api_version = ""
        self.objects: dict[str, Entry] = {}
        self._sorted: list[str] | None = None
        self.ring: deque[Change] = deque()
        # Every change with resourceVersion > floor is in the ring.
        self.floor = floor
        self.evicted = False
        self.capacity = capacity
        self.watchers: list[Watcher] = []
        # How many watchers select by field: their commits compute field sets eagerly.
        self.field_watchers = 0

    def sorted_keys(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.objects)
        return self._sorted

    def keys_changed(self) -> None:
        self._sorted = None

    def remember(self, change: Change) -> None:
        self.ring.append(change)
        if len(self.ring) > self.capacity:
            self.floor = self.ring.popleft().event.resource_version
            self.evicted = True

    def watch_floor(self) -> int:
        """The oldest resourceVersion a watch may start from: the watch cache's
        ``oldest - 1``, oldest being its oldest event once one has been evicted."""
        if self.evicted and self.ring:
            return self.ring[0].event.resource_version - 1
        return self.floor


def matches(pred: Predicate, entry: Entry) -> bool:
    """``SelectionPredicate.Matches`` on an entry."""
    if pred.namespace is not None and entry.namespace != pred.namespace:
        return False
    if pred.labels is not None and not pred.labels.matches(entry.labels):
        return False
    return pred.fields is None or pred.fields.matches(entry.fields())


def for_watcher(w: Watcher, change: Change) -> Event | None:
    """The event one watcher sees for a change (cacher's selector transitions)."""
    event = change.event
    if w.trivial:
        return event
    pred = w.predicate
    if event.type == ADDED:
        return event if matches(pred, change.new) else None
    if event.type == DELETED:
        assert change.prev is not None
        return event if matches(pred, change.prev) else None
    was = change.prev is not None and matches(pred, change.prev)
    now = matches(pred, change.new)
    if was and now:
        return event
    if now:
        return Event(ADDED, event.resource_version, event.raw)
    if was:
        return Event(DELETED, event.resource_version, event.raw)
    return None


class View:
    """A read-only snapshot of a bucket's keys and entries at some resourceVersion."""

    __slots__ = ("keys", "objects", "overrides")

    def __init__(
        self,
        keys: list[str],
        objects: dict[str, Entry],
        overrides: dict[str, Entry | None] | None,
    ) -> None:
        self.keys = keys
        self.objects = objects
        self.overrides = overrides

    def get(self, key: str) -> Entry:
        if self.overrides is not None and key in self.overrides:
            entry = self.overrides[key]
            assert entry is not None
            return entry
        return self.objects[key]
