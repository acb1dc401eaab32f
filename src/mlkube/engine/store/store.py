"""The store: the embedded cluster's kube-apiserver storage layer and watch cache.

Every other engine component reads and writes objects only through these verbs, as real
controllers talk only through the API server. Objects are Kubernetes wire-form dicts; each
is kept encoded (``msgspec.json`` bytes) beside the few decoded fields the indexes need
(namespace, labels, resourceVersion, the field-selector values), and decoded on every read,
so callers always get a private copy and the store stays small. ``list_encoded`` is the one
read that decodes nothing: a server's JSON List splices the stored bytes (:mod:`.items`).

One global counter hands out resourceVersions (as etcd's revision does); one lock covers
each commit, its durable write (:mod:`.persist`) and its fan-out to watchers (:mod:`.watch`).
Each resource keeps a bounded history of recent changes, the watch cache's ring: it serves
watches from a resourceVersion, exact-resourceVersion lists and continue tokens; a
resourceVersion older than the ring is 410 Expired. A resourceVersion newer than the store
is answered at once with the 504 the watch cache gives after waiting ~3 s for it (the
embedded store has nothing to wait for).

The store does mechanism only, as ``k8s.io/apiserver/pkg/registry/generic/registry/store.go``
(``Create``, ``Update``, ``Delete``, ``DeleteCollection``), ``pkg/registry/rest``
(``BeforeCreate``, ``BeforeUpdate``, ``BeforeDelete``) and ``pkg/storage/cacher`` do it:
server-owned metadata (uid, resourceVersion, creationTimestamp, deletionTimestamp,
deletionGracePeriodSeconds, the GC finalizers) and nothing else. Defaulting, validation,
generation and status/spec separation belong to the per-type strategies above it.

This module holds :class:`Store`: its state, the lock, the commit, and the verbs that take
the lock, find the key and commit; the rules they apply live in the sibling modules (the
package's docstring maps them). The shapes of :mod:`.contract` are re-exported here.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import msgspec

from mlkube.engine.clock import Clock
from mlkube.engine.errors import BadRequest, InternalError, NotFound, Timeout
from mlkube.engine.store.bucket import Bucket, Change, Entry, Watcher, for_watcher, new_entry
from mlkube.engine.store.contract import DeleteResult, EncodedList, ListResult, ResourceTypeLike
from mlkube.engine.store.deletion import (
    FINALIZER_DELETE_DEPENDENTS,
    FINALIZER_ORPHAN_DEPENDENTS,
    apply_gc_finalizers,
    before_delete,
    check_preconditions,
    mark_as_deleting,
    should_delete_during_update,
    validate_delete_options,
)
from mlkube.engine.store.items import encoded_items
from mlkube.engine.store.listing import (
    FieldSelectorLike,
    LabelSelectorLike,
    predicate,
    validate_list_options,
)
from mlkube.engine.store.metadata import (
    NAMESPACE_REQUIRED,
    already_exists,
    ordered_meta,
    parse_rv,
    prepare_create,
    prepare_update,
    working_copy,
)
from mlkube.engine.store.names import MAX_NAME_GENERATION_ATTEMPTS, generate_name
from mlkube.engine.store.paging import Page, select_page
from mlkube.engine.store.persist import Persistence, Synchronous
from mlkube.engine.store.watch import ADDED, DELETED, MODIFIED, Event, Watch
from mlkube.engine.store.watching import backlog, register, send_bookmarks, unregister

__all__ = [
    "DEFAULT_WATCH_HISTORY",
    "FINALIZER_DELETE_DEPENDENTS",
    "FINALIZER_ORPHAN_DEPENDENTS",
    "DeleteResult",
    "EncodedList",
    "ListResult",
    "ResourceTypeLike",
    "Store",
]

#: Changes kept per resource for watches from a resourceVersion (the watch cache's ring).
DEFAULT_WATCH_HISTORY: Final = 10_000

_CLOSED: Final = "the store is closed"

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


class Store:
    """The embedded cluster's storage: create, get, list, update, delete, watch.

    ``Store(clock)`` keeps everything in memory; ``Store.open(path, clock=...)`` (or
    ``path=``) also writes every commit to SQLite and restores from it (see
    :mod:`mlkube.engine.store.persist` for what ``synchronous`` guarantees).
    ``watch_history`` bounds the changes kept per resource for watches and paging;
    ``watch_queue_limit`` (None: unbounded) ends a watcher that falls that many events
    behind (``Watch.terminated``).
    """

    def __init__(
        self,
        clock: Clock,
        *,
        path: str | Path | None = None,
        synchronous: Synchronous = "NORMAL",
        watch_history: int = DEFAULT_WATCH_HISTORY,
        watch_queue_limit: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if watch_history < 1:
            raise ValueError("watch_history must be at least 1")
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._history = watch_history
        self._queue_limit = watch_queue_limit
        self._lock = threading.RLock()
        self._buckets: dict[str, Bucket] = {}
        self._rv = 0
        # Changes before this resourceVersion are not in any ring (before a restart).
        self._start_rv = 0
        self._persist: Persistence | None = None
        self._durable = path is not None
        if path is not None:
            self._persist = Persistence(path, synchronous=synchronous)
            self._restore(self._persist)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock,
        synchronous: Synchronous = "NORMAL",
        watch_history: int = DEFAULT_WATCH_HISTORY,
        watch_queue_limit: int | None = None,
        rng: random.Random | None = None,
    ) -> Store:
        """A store persisted at ``path``, restored with every acknowledged write."""
        return cls(
            clock,
            path=path,
            synchronous=synchronous,
            watch_history=watch_history,
            watch_queue_limit=watch_queue_limit,
            rng=rng,
        )

    def close(self) -> None:
        """Stop every watch and close the database. The state stays readable; a persisted
        store refuses further writes (they could not be made durable)."""
        with self._lock:
            watchers = [w for b in self._buckets.values() for w in b.watchers]
            persist, self._persist = self._persist, None
        for w in watchers:
            w.watch.stop()
        if persist is not None:
            persist.close()

    def current_resource_version(self) -> str:
        """The resourceVersion of the last commit (``"0"`` for an empty new store)."""
        return str(self._rv)

    # -- internals ---------------------------------------------------------------------

    def _restore(self, persist: Persistence) -> None:
        self._rv = persist.resource_version()
        for resource, key, rv, data in persist.rows():
            bucket = self._bucket_for(resource)
            obj = _decode(data)
            bucket.objects[key] = new_entry(bucket.plural, data, obj, rv)
            bucket.kind = bucket.kind or str(obj.get("kind") or "")
            bucket.api_version = bucket.api_version or str(obj.get("apiVersion") or "")
        self._start_rv = self._rv
        for bucket in self._buckets.values():
            bucket.floor = self._rv

    def _bucket_for(self, qualified: str) -> Bucket:
        bucket = self._buckets.get(qualified)
        if bucket is None:
            bucket = Bucket(qualified.partition(".")[0], self._start_rv, self._history)
            self._buckets[qualified] = bucket
        return bucket

    def _bucket(self, rt: ResourceTypeLike) -> Bucket:
        bucket = self._bucket_for(rt.qualified)
        if not bucket.kind:
            bucket.kind, bucket.api_version = rt.kind, rt.api_version
        return bucket

    @staticmethod
    def _key(rt: ResourceTypeLike, namespace: str | None, name: str) -> str:
        if rt.namespaced:
            if not namespace:
                raise BadRequest(NAMESPACE_REQUIRED)
            return f"{namespace}/{name}"
        return name

    def _commit(
        self,
        rt: ResourceTypeLike,
        bucket: Bucket,
        kind: str,
        key: str,
        obj: dict[str, Any],
        prev: Entry | None,
    ) -> tuple[bytes, int]:
        """Assign the next resourceVersion, persist, apply, fan out; returns (raw, rv)."""
        if self._durable and self._persist is None:
            raise InternalError(_CLOSED)
        rv = self._rv + 1
        obj["metadata"]["resourceVersion"] = str(rv)
        obj["metadata"] = ordered_meta(obj["metadata"])
        raw = _encode(obj)
        entry = new_entry(bucket.plural, raw, obj, rv, with_fields=bucket.field_watchers > 0)
        if self._persist is not None:
            try:
                if kind == DELETED:
                    self._persist.delete(rt.qualified, key, rv)
                else:
                    self._persist.put(rt.qualified, key, rv, raw)
            except Exception as err:
                raise InternalError(err) from err
        self._rv = rv
        if kind == DELETED:
            del bucket.objects[key]
            bucket.keys_changed()
        else:
            if prev is None:
                bucket.keys_changed()
            bucket.objects[key] = entry
        change = Change(Event(kind, rv, raw), key, entry, prev)
        bucket.remember(change)
        for w in bucket.watchers:
            event = for_watcher(w, change)
            if event is not None:
                w.watch._push(event)
        return raw, rv

    # -- verbs -------------------------------------------------------------------------

    def create(
        self,
        rt: ResourceTypeLike,
        obj: Mapping[str, Any],
        *,
        dry_run: bool = False,
        keep_uid: bool = False,
    ) -> dict[str, Any]:
        """Store a new object (``store.go`` Create) and return it as stored.

        Sets uid, creationTimestamp and resourceVersion; resolves ``generateName`` (up to
        8 attempts on collisions); clears deletionTimestamp/deletionGracePeriodSeconds.
        ``keep_uid``: the caller already ran ``FillObjectMetaSystemFields``; its uid and
        creationTimestamp are kept (and filled only when absent).
        A dry run returns the object it would store, without a resourceVersion.
        """
        new, meta = prepare_create(rt, obj, self._clock, keep_uid=keep_uid)
        generate = meta.get("generateName") or ""
        with self._lock:
            bucket = self._bucket(rt)
            generated = not meta.get("name")
            attempts = MAX_NAME_GENERATION_ATTEMPTS if generated else 1
            for _ in range(attempts):
                if generated:
                    meta["name"] = generate_name(generate, self._rng)
                key = self._key(rt, meta.get("namespace"), meta["name"])
                existing = bucket.objects.get(key)
                if existing is None:
                    break
            else:
                assert existing is not None
                raise already_exists(rt, meta["name"], generate, existing.raw)
            if dry_run:
                new["metadata"] = ordered_meta(meta)
                out: dict[str, Any] = _decode(_encode(new))
                return out
            raw, _ = self._commit(rt, bucket, ADDED, key, new, None)
        created: dict[str, Any] = _decode(raw)
        return created

    def get(self, rt: ResourceTypeLike, namespace: str | None, name: str) -> dict[str, Any]:
        """The stored object, or :class:`NotFound` ``pods "x" not found``."""
        key = self._key(rt, namespace, name)
        with self._lock:
            entry = self._bucket(rt).objects.get(key)
        if entry is None:
            raise NotFound(rt, name)
        obj: dict[str, Any] = _decode(entry.raw)
        return obj

    def update(
        self,
        rt: ResourceTypeLike,
        obj: Mapping[str, Any],
        *,
        expect_rv: bool = True,
        allow_unconditional: bool = True,
        dry_run: bool = False,
        force_system_fields: bool = False,
    ) -> dict[str, Any]:
        """Replace a stored object (``store.go`` Update with optimistic concurrency).

        With ``expect_rv`` the object's ``metadata.resourceVersion`` must equal the stored
        one (else :class:`Conflict`); a missing one is an unconditional update when
        ``allow_unconditional`` (``AllowUnconditionalUpdate``), else 422. ``expect_rv=False``
        ignores the object's resourceVersion. Server-owned metadata (uid when empty,
        creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds) is kept from the
        stored object, unless ``force_system_fields`` (a registry's own write, such as a
        namespace's first DELETE setting its deletionTimestamp). Clearing the last
        finalizer of an object being deleted (with no grace pending) deletes it; an update
        that changes nothing writes nothing.
        """
        new, meta = working_copy(rt, obj)
        name = meta.get("name") or ""
        if not name:
            raise BadRequest("Name parameter required.")
        key = self._key(rt, meta.get("namespace"), name)
        with self._lock:
            bucket = self._bucket(rt)
            entry = bucket.objects.get(key)
            if entry is None:
                raise NotFound(rt, name)
            old: dict[str, Any] = _decode(entry.raw)
            old_meta = old["metadata"]
            prepare_update(
                rt,
                key,
                new,
                old_meta,
                entry.rv,
                expect_rv=expect_rv,
                allow_unconditional=allow_unconditional,
                force_system_fields=force_system_fields,
            )
            if should_delete_during_update(rt, new, old_meta):
                # It is deleted; upstream answers with the updated object.
                if not dry_run:
                    self._commit(rt, bucket, DELETED, key, _decode(_encode(new)), entry)
                return new
            if new == old:
                return old
            if dry_run:
                return new
            raw, _ = self._commit(rt, bucket, MODIFIED, key, new, entry)
        updated: dict[str, Any] = _decode(raw)
        return updated

    def delete(
        self,
        rt: ResourceTypeLike,
        namespace: str | None,
        name: str,
        *,
        preconditions: Mapping[str, Any] | None = None,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        orphan_dependents: bool | None = None,
        dry_run: bool = False,
        graceful: bool | None = None,
        default_propagation_policy: str = "Background",
    ) -> dict[str, Any]:
        """Delete an object; returns it (kept with a deletionTimestamp, or its final state).

        See :meth:`delete_result` for the parameters and for whether it is gone.
        """
        return self.delete_result(
            rt,
            namespace,
            name,
            preconditions=preconditions,
            propagation_policy=propagation_policy,
            grace_period_seconds=grace_period_seconds,
            orphan_dependents=orphan_dependents,
            dry_run=dry_run,
            graceful=graceful,
            default_propagation_policy=default_propagation_policy,
        ).object

    def delete_result(
        self,
        rt: ResourceTypeLike,
        namespace: str | None,
        name: str,
        *,
        preconditions: Mapping[str, Any] | None = None,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        orphan_dependents: bool | None = None,
        dry_run: bool = False,
        graceful: bool | None = None,
        default_propagation_policy: str = "Background",
    ) -> DeleteResult:
        """``store.go`` Delete: graceful deletion, GC finalizers, then removal.

        1. ``preconditions`` (``{"uid", "resourceVersion"}``) must match, else Conflict.
        2. Graceful deletion (``rest.BeforeDelete``): ``graceful`` says whether the type
           deletes gracefully (its strategy has resolved ``grace_period_seconds``); it
           defaults to ``grace_period_seconds is not None``. A graceful delete sets
           ``deletionTimestamp = now + grace`` and ``deletionGracePeriodSeconds``; on an
           object already being deleted only a shorter grace changes anything.
        3. ``propagation_policy`` / ``orphan_dependents`` add or remove the ``orphan`` /
           ``foregroundDeletion`` finalizers (``deletionFinalizersForGarbageCollection``),
           existing finalizers and ``default_propagation_policy`` deciding when unset.
        4. With finalizers pending the object is kept (``markAsDeleting``: deletionTimestamp
           now, grace 0); with grace > 0 it is kept; otherwise it is removed (DELETED).
        """
        validate_delete_options(propagation_policy, orphan_dependents)
        key = self._key(rt, namespace, name)
        grace = grace_period_seconds
        if grace is not None and grace < 0:
            grace = 1
        if graceful is None:
            graceful = grace is not None
        with self._lock:
            bucket = self._bucket(rt)
            entry = bucket.objects.get(key)
            if entry is None:
                raise NotFound(rt, name)
            work: dict[str, Any] = _decode(entry.raw)
            meta: dict[str, Any] = work["metadata"]
            if preconditions:
                check_preconditions(rt, name, meta, entry.rv, preconditions)
            now = self._clock.now()
            # 2. rest.BeforeDelete
            is_graceful = before_delete(meta, grace, graceful, now)
            if is_graceful is None:
                return DeleteResult(work, deleted=False, already_deleting=True)
            # 3. deletionFinalizersForGarbageCollection
            gc_work = apply_gc_finalizers(
                meta, propagation_policy, orphan_dependents, default_propagation_policy
            )
            if is_graceful or gc_work:
                pending_finalizers = bool(meta.get("finalizers"))
                if not is_graceful and pending_finalizers:
                    mark_as_deleting(meta, now)
                    return DeleteResult(self._write(rt, bucket, key, work, entry, dry_run), False)
                if is_graceful:
                    kept = self._write(rt, bucket, key, work, entry, dry_run)
                    if pending_finalizers or grace:
                        return DeleteResult(kept, False)
                    work = kept
                    entry = bucket.objects.get(key, entry)
            # 4. delete now
            if dry_run:
                return DeleteResult(work, deleted=True)
            raw, _ = self._commit(rt, bucket, DELETED, key, work, entry)
        final: dict[str, Any] = _decode(raw)
        return DeleteResult(final, deleted=True)

    def _write(
        self,
        rt: ResourceTypeLike,
        bucket: Bucket,
        key: str,
        work: dict[str, Any],
        entry: Entry,
        dry_run: bool,
    ) -> dict[str, Any]:
        """A GuaranteedUpdate inside delete: no write when nothing changed."""
        if dry_run or work == _decode(entry.raw):
            return work
        raw, _ = self._commit(rt, bucket, MODIFIED, key, work, entry)
        out: dict[str, Any] = _decode(raw)
        return out

    def delete_collection(
        self,
        rt: ResourceTypeLike,
        namespace: str | None = None,
        label_selector: str | LabelSelectorLike | None = None,
        field_selector: str | FieldSelectorLike | None = None,
        *,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        orphan_dependents: bool | None = None,
        dry_run: bool = False,
        graceful: bool | None = None,
        default_propagation_policy: str = "Background",
    ) -> list[dict[str, Any]]:
        """``store.go`` DeleteCollection: delete every match with the same options.

        Returns what each delete returned (objects gone or kept), in key order; objects
        that vanish meanwhile are skipped.
        """
        with self._lock:
            items = self.list(
                rt, namespace, label_selector=label_selector, field_selector=field_selector
            ).items
            out: list[dict[str, Any]] = []
            for item in items:
                meta = item["metadata"]
                try:
                    out.append(
                        self.delete(
                            rt,
                            meta.get("namespace"),
                            meta["name"],
                            propagation_policy=propagation_policy,
                            grace_period_seconds=grace_period_seconds,
                            orphan_dependents=orphan_dependents,
                            dry_run=dry_run,
                            graceful=graceful,
                            default_propagation_policy=default_propagation_policy,
                        )
                    )
                except NotFound:
                    continue
            return out

    # -- list --------------------------------------------------------------------------

    def list(
        self,
        rt: ResourceTypeLike,
        namespace: str | None = None,
        *,
        label_selector: str | LabelSelectorLike | None = None,
        field_selector: str | FieldSelectorLike | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> ListResult:
        """Objects in key order (``namespace/name``), with upstream paging semantics.

        ``resource_version``: unset or ``"0"`` lists the latest state; ``N`` with
        ``resource_version_match="Exact"`` (or, legacy, with a ``limit``) lists the state
        at N (410 when N is older than the history kept); otherwise N must not be newer
        than the store (else 504, the watch cache's answer after its wait). ``limit`` and
        ``continue_`` page through one consistent snapshot.
        """
        entries, list_rv, token, remaining = self._select(
            rt,
            namespace,
            label_selector,
            field_selector,
            limit,
            continue_,
            resource_version,
            resource_version_match,
        )
        # One decode of a JSON array is much cheaper than one decode per object.
        items: list[dict[str, Any]] = _decode(b"[" + b",".join(e.raw for e in entries) + b"]")
        for item in items:
            item.pop("kind", None)
            item.pop("apiVersion", None)
        return ListResult(items, str(list_rv), token, remaining)

    def list_encoded(
        self,
        rt: ResourceTypeLike,
        namespace: str | None = None,
        *,
        label_selector: str | LabelSelectorLike | None = None,
        field_selector: str | FieldSelectorLike | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> EncodedList:
        """:meth:`list` with the items as one JSON array, spliced from the stored bytes.

        The bytes equal the encoding (``msgspec.json``) of :meth:`list`'s items, without
        decoding any object: the selectors read the entries' indexes, and each item is
        its stored encoding without the leading kind and apiVersion (:func:`.items.encoded_items`).
        """
        entries, list_rv, token, remaining = self._select(
            rt,
            namespace,
            label_selector,
            field_selector,
            limit,
            continue_,
            resource_version,
            resource_version_match,
        )
        array = encoded_items([e.raw for e in entries], rt.kind, rt.api_version)
        return EncodedList(array, str(list_rv), token, remaining)

    def _select(
        self,
        rt: ResourceTypeLike,
        namespace: str | None,
        label_selector: str | LabelSelectorLike | None,
        field_selector: str | FieldSelectorLike | None,
        limit: int | None,
        continue_: str | None,
        resource_version: str | None,
        resource_version_match: str | None,
    ) -> Page:
        """The page a list returns (:func:`.paging.select_page`, under the lock)."""
        validate_list_options(resource_version, resource_version_match, continue_)
        pred = predicate(rt.plural, rt.namespaced, namespace, label_selector, field_selector)
        prefix = f"{namespace}/" if (rt.namespaced and namespace) else ""
        with self._lock:
            return select_page(
                self._bucket(rt),
                self._rv,
                pred,
                prefix,
                limit,
                continue_,
                resource_version,
                resource_version_match,
            )

    # -- watch -------------------------------------------------------------------------

    def watch(
        self,
        rt: ResourceTypeLike,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | LabelSelectorLike | None = None,
        field_selector: str | FieldSelectorLike | None = None,
        allow_bookmarks: bool = False,
        send_initial_events: bool | None = None,
    ) -> Watch:
        """A watch as the watch cache serves it.

        * ``resource_version`` unset or ``"0"`` (or ``send_initial_events=True``): a
          synthetic ADDED for every matching object, then (with ``allow_bookmarks``) a
          BOOKMARK annotated ``k8s.io/initial-events-end``, then live events: WatchList's
          defaulting (``SetListOptionsDefaults``) applied to the legacy watch.
        * ``N``: every change after N; older than the history kept: :class:`Gone`
          ``too old resource version: N (M)``; newer than the store: :class:`Timeout`.
        * Selectors: an object that starts matching arrives as ADDED, one that stops
          matching as DELETED (with its new state).
        """
        pred = predicate(rt.plural, rt.namespaced, namespace, label_selector, field_selector)
        n = parse_rv(resource_version)
        initial = send_initial_events
        if initial is None:
            initial = n == 0
        with self._lock:
            bucket = self._bucket(rt)
            current = self._rv
            if n > current:
                raise Timeout.too_large_resource_version(n, current)
            watch = Watch(lambda w: self._unwatch(bucket, w), limit=self._queue_limit)
            watcher = Watcher(watch, pred, allow_bookmarks)
            register(bucket, watcher, backlog(rt, bucket, watcher, n, current, initial))
        return watcher.watch

    def _unwatch(self, bucket: Bucket, watch: Watch) -> None:
        with self._lock:
            unregister(bucket, watch)

    def send_bookmarks(self, rt: ResourceTypeLike | None = None) -> int:
        """Send a BOOKMARK at the current resourceVersion to every watcher that allows
        them (of ``rt``, or of every resource); returns how many were sent.

        The watch cache sends these about once a minute; the cluster's loop calls this on
        its Clock.
        """
        with self._lock:
            buckets = [self._bucket(rt)] if rt is not None else list(self._buckets.values())
            return send_bookmarks(buckets, self._rv)
