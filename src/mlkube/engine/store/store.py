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
"""

from __future__ import annotations

import bisect
import builtins
import random
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NamedTuple, Protocol

import msgspec

from mlkube.api import fields as _fields
from mlkube.api import labels as _labels
from mlkube.api.field import Path as FieldPath
from mlkube.api.field import go_quote, invalid, required
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.clock import Clock
from mlkube.engine.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Gone,
    InternalError,
    Invalid,
    NotFound,
    Timeout,
)
from mlkube.engine.store.bucket import Bucket, Change, Entry, View, Watcher, for_watcher, matches
from mlkube.engine.store.deletion import (
    FINALIZER_DELETE_DEPENDENTS,
    FINALIZER_ORPHAN_DEPENDENTS,
    gc_finalizers,
    mark_as_deleting,
    validate_delete_options,
)
from mlkube.engine.store.items import encoded_items
from mlkube.engine.store.listing import (
    LIST_EXPIRED,
    FieldSelectorLike,
    LabelSelectorLike,
    Predicate,
    decode_continue,
    encode_continue,
    expired_continue,
    validate_list_options,
)
from mlkube.engine.store.names import MAX_NAME_GENERATION_ATTEMPTS, generate_name
from mlkube.engine.store.persist import Persistence, Synchronous
from mlkube.engine.store.watch import (
    ADDED,
    BOOKMARK,
    DELETED,
    INITIAL_EVENTS_END_ANNOTATION,
    MODIFIED,
    Event,
    Watch,
)

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

_NAMESPACE_REQUIRED: Final = "Namespace parameter required."
_CLOSED: Final = "the store is closed"
# storage.StorageError.Error() of storage.NewInvalidObjError (storage/errors.go, interfaces.go)
_UID_MISMATCH: Final = (
    "StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
    "AdditionalErrorMsg: Precondition failed: UID in precondition: {new}, UID in object meta: {old}"
)
_RV_SET_ON_CREATE: Final = "resourceVersion should not be set on objects to be created"
_RV_WITH_CONTINUE: Final = "specifying resource version is not allowed when using continue"
_NAME_REQUIRED: Final = "name or generateName is required"
_MUST_SPECIFY_RV: Final = "must be specified for an update"
# ObjectMeta's field order, so stored objects encode as kube-apiserver encodes them.
_META_ORDER: Final = (
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


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


def _ordered_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: meta[k] for k in _META_ORDER if k in meta}
    if len(out) != len(meta):
        out.update((k, v) for k, v in meta.items() if k not in out)
    return out


def _parse_rv(value: str | None) -> int:
    """``APIObjectVersioner.ParseResourceVersion``: ``""`` and ``"0"`` are 0."""
    if not value or value == "0":
        return 0
    if value.isascii() and value.isdigit():
        return int(value)
    # A non-status storage error: the handler answers 500 with the error's text.
    raise ApiError(
        f"resourceVersion: Invalid value: {go_quote(value)}: strconv.ParseUint: parsing "
        f"{go_quote(value)}: invalid syntax",
        code=500,
    )


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
            bucket.objects[key] = self._entry(bucket.plural, data, obj, rv)
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
    def _entry(
        plural: str, raw: bytes, obj: Mapping[str, Any], rv: int, *, with_fields: bool = False
    ) -> Entry:
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

    @staticmethod
    def _key(rt: ResourceTypeLike, namespace: str | None, name: str) -> str:
        if rt.namespaced:
            if not namespace:
                raise BadRequest(_NAMESPACE_REQUIRED)
            return f"{namespace}/{name}"
        return name

    @staticmethod
    def _copy(
        rt: ResourceTypeLike, obj: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A shallow working copy with kind/apiVersion first and its own metadata dict."""
        out: dict[str, Any] = {
            "kind": obj.get("kind") or rt.kind,
            "apiVersion": obj.get("apiVersion") or rt.api_version,
        }
        for k, v in obj.items():
            if k not in out:
                out[k] = v
        meta = dict(obj.get("metadata") or {})
        out["metadata"] = meta
        return out, meta

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
        obj["metadata"] = _ordered_meta(obj["metadata"])
        raw = _encode(obj)
        entry = self._entry(bucket.plural, raw, obj, rv, with_fields=bucket.field_watchers > 0)
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

    def _predicate(
        self,
        rt: ResourceTypeLike,
        namespace: str | None,
        label_selector: str | LabelSelectorLike | None,
        field_selector: str | FieldSelectorLike | None,
    ) -> Predicate:
        labels: LabelSelectorLike | None = None
        if isinstance(label_selector, str):
            try:
                parsed = _labels.parse_selector(label_selector)
            except _labels.SelectorError as err:
                raise BadRequest(err.message) from None
            labels = None if parsed.empty() else parsed
        elif label_selector is not None:
            labels = label_selector
        flds: FieldSelectorLike | None = None
        if isinstance(field_selector, str):
            try:
                fsel = _fields.convert_field_selector(
                    rt.plural, _fields.parse_field_selector(field_selector)
                )
            except _fields.FieldSelectorError as err:
                raise BadRequest(err.message) from None
            flds = None if fsel.empty() else fsel
        elif field_selector is not None:
            flds = field_selector
        ns = namespace or None if rt.namespaced else None
        return Predicate(ns, labels, flds)

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
        new, meta = self._copy(rt, obj)
        if rt.namespaced:
            if not meta.get("namespace"):
                raise BadRequest(_NAMESPACE_REQUIRED)
        else:
            meta.pop("namespace", None)
        if meta.get("resourceVersion"):
            raise InternalError(_RV_SET_ON_CREATE)
        generate = meta.get("generateName") or ""
        if not meta.get("name") and not generate:
            raise Invalid(rt, "", [required(FieldPath("metadata", "name"), _NAME_REQUIRED)])
        meta.pop("deletionTimestamp", None)
        meta.pop("deletionGracePeriodSeconds", None)
        meta.pop("resourceVersion", None)
        if not (keep_uid and meta.get("uid")):
            meta["uid"] = str(uuid.uuid4())
        if not (keep_uid and meta.get("creationTimestamp")):
            meta["creationTimestamp"] = format_time(self._clock.now())
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
                raise self._already_exists(rt, meta["name"], generate, existing)
            if dry_run:
                new["metadata"] = _ordered_meta(meta)
                out: dict[str, Any] = _decode(_encode(new))
                return out
            raw, _ = self._commit(rt, bucket, ADDED, key, new, None)
        created: dict[str, Any] = _decode(raw)
        return created

    @staticmethod
    def _already_exists(
        rt: ResourceTypeLike, name: str, generate: str, existing: Entry
    ) -> AlreadyExists:
        if generate:
            err = AlreadyExists.generate_name_conflict(rt, name, 1)
        else:
            err = AlreadyExists(rt, name)
        meta = _decode(existing.raw).get("metadata") or {}
        if meta.get("deletionTimestamp"):
            err.message = f"object is being deleted: {err.message}"
            err.args = (err.message,)
        return err

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
        new, meta = self._copy(rt, obj)
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
            uid = meta.get("uid")
            if uid and uid != old_meta.get("uid"):
                # rest.defaultUpdatedObjectInfo.Preconditions + storage.Preconditions.Check
                raise Conflict(
                    rt,
                    name,
                    _UID_MISMATCH.format(
                        key=f"/registry/{rt.plural}/{key}", new=uid, old=old_meta.get("uid")
                    ),
                )
            new_rv = _parse_rv(meta.get("resourceVersion")) if expect_rv else 0
            if new_rv == 0:
                if expect_rv and not allow_unconditional:
                    raise Invalid(
                        f"{rt.plural}.{rt.group}" if rt.group else rt.plural,
                        name,
                        [invalid(FieldPath("metadata", "resourceVersion"), 0, _MUST_SPECIFY_RV)],
                    )
            elif new_rv != entry.rv:
                raise Conflict(rt, name)
            if not meta.get("uid"):
                meta["uid"] = old_meta.get("uid")
            for server_owned in (
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ):
                if force_system_fields and meta.get(server_owned) is not None:
                    continue
                if server_owned in old_meta:
                    meta[server_owned] = old_meta[server_owned]
                else:
                    meta.pop(server_owned, None)
            if not rt.namespaced:
                meta.pop("namespace", None)
            meta["resourceVersion"] = str(entry.rv)
            new["metadata"] = _ordered_meta(meta)
            if (
                not meta.get("finalizers")
                and old_meta.get("deletionTimestamp")
                and not old_meta.get("deletionGracePeriodSeconds")
                and not _namespace_finalizers_pending(rt, new)
            ):
                # ShouldDeleteDuringUpdate: upstream answers with the updated object.
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
            self._check_preconditions(rt, name, meta, entry, preconditions)
            now = self._clock.now()
            # 2. rest.BeforeDelete
            dgs = meta.get("deletionGracePeriodSeconds")
            if dgs is not None and dgs < 0:
                meta["deletionGracePeriodSeconds"] = dgs = 1
            is_graceful = False
            if graceful:
                if meta.get("deletionTimestamp"):
                    if dgs:
                        if grace is None or grace >= dgs:
                            return DeleteResult(work, deleted=False, already_deleting=True)
                        shortened = parse_time(meta["deletionTimestamp"]) + timedelta(
                            seconds=grace - dgs
                        )
                        meta["deletionTimestamp"] = format_time(shortened)
                        meta["deletionGracePeriodSeconds"] = grace
                        is_graceful = True
                else:
                    if grace is None:
                        raise InternalError("options.GracePeriodSeconds should not be nil")
                    meta["deletionTimestamp"] = format_time(now + timedelta(seconds=grace))
                    meta["deletionGracePeriodSeconds"] = grace
                    generation = meta.get("generation")
                    if isinstance(generation, int) and generation > 0:
                        meta["generation"] = generation + 1
                    is_graceful = True
            # 3. deletionFinalizersForGarbageCollection
            finalizers = list(meta.get("finalizers") or [])
            changed, new_finalizers = gc_finalizers(
                finalizers, propagation_policy, orphan_dependents, default_propagation_policy
            )
            if is_graceful or finalizers or changed:
                if changed:
                    if new_finalizers:
                        meta["finalizers"] = new_finalizers
                    else:
                        meta.pop("finalizers", None)
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

    @staticmethod
    def _check_preconditions(
        rt: ResourceTypeLike,
        name: str,
        meta: Mapping[str, Any],
        entry: Entry,
        preconditions: Mapping[str, Any] | None,
    ) -> None:
        if not preconditions:
            return
        uid = preconditions.get("uid")
        if uid is not None and uid != meta.get("uid"):
            raise Conflict.uid_precondition(rt, name, str(uid), str(meta.get("uid") or ""))
        rv = preconditions.get("resourceVersion")
        if rv is not None and rv != str(entry.rv):
            raise Conflict.resource_version_precondition(rt, name, str(rv), str(entry.rv))

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
    ) -> tuple[builtins.list[Entry], int, str, int | None]:
        """The entries of a list, its resourceVersion, continue token and remaining count."""
        validate_list_options(resource_version, resource_version_match, continue_)
        pred = self._predicate(rt, namespace, label_selector, field_selector)
        prefix = f"{namespace}/" if (rt.namespaced and namespace) else ""
        if limit is not None and limit <= 0:
            limit = None
        with self._lock:
            bucket = self._bucket(rt)
            current = self._rv
            start = prefix
            if continue_:
                if resource_version and resource_version != "0":
                    raise BadRequest(_RV_WITH_CONTINUE)
                start, token_rv = decode_continue(continue_, prefix)
                if token_rv < 0:
                    list_rv = current
                elif token_rv < bucket.floor:
                    raise expired_continue(start, prefix)
                elif token_rv > current:
                    raise Timeout.too_large_resource_version(token_rv, current)
                else:
                    list_rv = token_rv
            else:
                list_rv = self._list_rv(bucket, resource_version, resource_version_match, limit)
            view = self._view(bucket, list_rv)
            lo = bisect.bisect_left(view.keys, start)
            hi = bisect.bisect_left(view.keys, prefix[:-1] + "0", lo) if prefix else len(view.keys)
            selected: builtins.list[Entry] = []
            last_key = ""
            i = lo
            while i < hi:
                key = view.keys[i]
                entry = view.get(key)
                i += 1
                if pred.filters and not matches(pred, entry):
                    continue
                selected.append(entry)
                last_key = key
                if limit is not None and len(selected) >= limit:
                    break
            has_more = limit is not None and len(selected) >= limit and i < hi
            token = ""
            remaining: int | None = None
            if has_more:
                token = encode_continue(last_key + "\x00", prefix, list_rv)
                if not pred.filters:
                    remaining = hi - i
        return selected, list_rv, token, remaining

    def _list_rv(
        self, bucket: Bucket, resource_version: str | None, match: str | None, limit: int | None
    ) -> int:
        current = self._rv
        n = _parse_rv(resource_version)
        if not resource_version or n == 0:
            return current
        if n > current:
            raise Timeout.too_large_resource_version(n, current)
        exact = match == "Exact" or (not match and limit is not None)
        if not exact:
            return current
        if n < bucket.floor:
            raise Gone(LIST_EXPIRED)
        return n

    @staticmethod
    def _view(bucket: Bucket, rv: int) -> View:
        """The bucket's objects as they were at ``rv`` (rolled back through the ring)."""
        overrides: dict[str, Entry | None] = {}
        for change in reversed(bucket.ring):
            if change.event.resource_version <= rv:
                break
            overrides[change.key] = change.prev
        if not overrides:
            return View(bucket.sorted_keys(), bucket.objects, None)
        keys = sorted(
            {k for k in bucket.objects if k not in overrides}
            | {k for k, e in overrides.items() if e is not None}
        )
        return View(keys, bucket.objects, overrides)

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
        pred = self._predicate(rt, namespace, label_selector, field_selector)
        n = _parse_rv(resource_version)
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
            backlog: list[Event] = []
            if initial:
                for key in bucket.sorted_keys():
                    entry = bucket.objects[key]
                    if watcher.trivial or matches(pred, entry):
                        backlog.append(Event(ADDED, entry.rv, entry.raw))
                if allow_bookmarks:
                    backlog.append(self._bookmark(rt, current, initial_events_end=True))
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
                        backlog.append(event)
            if backlog:
                watcher.watch._push_all(backlog)
            bucket.watchers.append(watcher)
            if pred.fields is not None:
                bucket.field_watchers += 1
        return watcher.watch

    def _unwatch(self, bucket: Bucket, watch: Watch) -> None:
        with self._lock:
            bucket.watchers = [w for w in bucket.watchers if w.watch is not watch]
            bucket.field_watchers = sum(
                1 for w in bucket.watchers if w.predicate.fields is not None
            )

    @staticmethod
    def _bookmark(rt: ResourceTypeLike, rv: int, *, initial_events_end: bool = False) -> Event:
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_events_end:
            meta["annotations"] = {INITIAL_EVENTS_END_ANNOTATION: "true"}
        obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}
        return Event(BOOKMARK, rv, _encode(obj))

    def send_bookmarks(self, rt: ResourceTypeLike | None = None) -> int:
        """Send a BOOKMARK at the current resourceVersion to every watcher that allows
        them (of ``rt``, or of every resource); returns how many were sent.

        The watch cache sends these about once a minute; the cluster's loop calls this on
        its Clock.
        """
        sent = 0
        with self._lock:
            rv = self._rv
            buckets = [self._bucket(rt)] if rt is not None else list(self._buckets.values())
            for bucket in buckets:
                targets = [w for w in bucket.watchers if w.bookmarks]
                if not targets:
                    continue
                obj = {
                    "kind": bucket.kind,
                    "apiVersion": bucket.api_version,
                    "metadata": {"resourceVersion": str(rv)},
                }
                event = Event(BOOKMARK, rv, _encode(obj))
                for w in targets:
                    w.watch._push(event)
                    sent += 1
        return sent


def _namespace_finalizers_pending(rt: ResourceTypeLike, obj: Mapping[str, Any]) -> bool:
    """``ShouldDeleteNamespaceDuringUpdate``: a namespace also waits for ``spec.finalizers``."""
    if (rt.group, rt.plural) != ("", "namespaces"):
        return False
    return bool((obj.get("spec") or {}).get("finalizers"))
