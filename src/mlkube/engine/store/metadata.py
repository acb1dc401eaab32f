"""Server-owned metadata: what a create sets and an update checks and keeps.

The store's half of ``k8s.io/apiserver/pkg/registry/rest`` (``BeforeCreate``,
``BeforeUpdate``, ``FillObjectMetaSystemFields``) and of ``store.go`` Create/Update, as pure
functions on wire-form dicts that ``Store.create`` and ``Store.update`` call before they
commit: a working copy with kind and apiVersion first; the checks a create makes before it
looks for the key, its uid and creationTimestamp, and the 409 when the key is taken; an
update's uid and resourceVersion preconditions and the fields it keeps from the stored
object; ObjectMeta's field order, so stored objects encode as kube-apiserver encodes them;
and ``parse_rv``, a resourceVersion read as ``APIObjectVersioner`` reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from mlkube.api.field import Path as FieldPath
from mlkube.api.field import go_quote, invalid, required
from mlkube.api.timestamps import format_time
from mlkube.engine.clock import Clock
from mlkube.engine.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    InternalError,
    Invalid,
)
from mlkube.engine.store.contract import ResourceTypeLike

__all__ = [
    "META_ORDER",
    "NAMESPACE_REQUIRED",
    "SERVER_OWNED_ON_UPDATE",
    "already_exists",
    "ordered_meta",
    "parse_rv",
    "prepare_create",
    "prepare_update",
    "working_copy",
]

NAMESPACE_REQUIRED: Final = "Namespace parameter required."
_RV_SET_ON_CREATE: Final = "resourceVersion should not be set on objects to be created"
_NAME_REQUIRED: Final = "name or generateName is required"
_MUST_SPECIFY_RV: Final = "must be specified for an update"
# storage.StorageError.Error() of storage.NewInvalidObjError (storage/errors.go, interfaces.go)
_UID_MISMATCH: Final = (
    "StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
    "AdditionalErrorMsg: Precondition failed: UID in precondition: {new}, UID in object meta: {old}"
)
_decode = msgspec.json.decode

#: ObjectMeta's field order, so stored objects encode as kube-apiserver encodes them.
META_ORDER: Final = (
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
#: What an update keeps from the stored object (``rest.BeforeUpdate``'s system fields).
SERVER_OWNED_ON_UPDATE: Final = (
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


def ordered_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` with ObjectMeta's fields first, in their order; unknown keys after."""
    out = {k: meta[k] for k in META_ORDER if k in meta}
    if len(out) != len(meta):
        out.update((k, v) for k, v in meta.items() if k not in out)
    return out


def parse_rv(value: str | None) -> int:
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


def working_copy(
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


def prepare_create(
    rt: ResourceTypeLike, obj: Mapping[str, Any], clock: Clock, *, keep_uid: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object a create stores, before its name is resolved: (object, its metadata).

    1. namespace: required for a namespaced type (400), dropped for a cluster-scoped one;
    2. a set resourceVersion is a 500 and a missing name and generateName a 422;
    3. deletionTimestamp, deletionGracePeriodSeconds and resourceVersion are cleared;
    4. uid and creationTimestamp are set (with ``keep_uid``, only where absent: the caller
       ran ``FillObjectMetaSystemFields``).
    """
    new, meta = working_copy(rt, obj)
    if rt.namespaced:
        if not meta.get("namespace"):
            raise BadRequest(NAMESPACE_REQUIRED)
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
        meta["creationTimestamp"] = format_time(clock.now())
    return new, meta


def already_exists(
    rt: ResourceTypeLike, name: str, generate: str, existing: bytes
) -> AlreadyExists:
    """The 409 of a create whose key is taken by ``existing`` (its stored bytes): a
    generateName conflict when ``generate``, prefixed ``object is being deleted:`` when the
    existing object is being deleted."""
    err = AlreadyExists.generate_name_conflict(rt, name, 1) if generate else AlreadyExists(rt, name)
    meta = _decode(existing).get("metadata") or {}
    if meta.get("deletionTimestamp"):
        err.message = f"object is being deleted: {err.message}"
        err.args = (err.message,)
    return err


def prepare_update(
    rt: ResourceTypeLike,
    key: str,
    new: dict[str, Any],
    old_meta: Mapping[str, Any],
    stored_rv: int,
    *,
    expect_rv: bool,
    allow_unconditional: bool,
    force_system_fields: bool,
) -> None:
    """Check an update against the stored object (its ``old_meta``, at ``stored_rv``), then
    give the update's object (changed in place) the metadata the server owns.

    1. a uid that differs from the stored one: 409 with storage's invalid-object text
       (``rest.defaultUpdatedObjectInfo.Preconditions`` + ``storage.Preconditions.Check``);
    2. with ``expect_rv``: a resourceVersion that differs is a 409; a missing one is 422
       unless ``allow_unconditional`` (``AllowUnconditionalUpdate``);
    3. the stored uid when it has none; the stored creationTimestamp, deletionTimestamp and
       deletionGracePeriodSeconds (dropped when the stored object has none), unless
       ``force_system_fields`` (a registry's own write) and the update sets them; no
       namespace on a cluster-scoped type; the stored resourceVersion; ObjectMeta's order.
    """
    meta = new["metadata"]
    name = meta.get("name") or ""
    # 1. the uid
    uid = meta.get("uid")
    if uid and uid != old_meta.get("uid"):
        raise Conflict(
            rt,
            name,
            _UID_MISMATCH.format(
                key=f"/registry/{rt.plural}/{key}", new=uid, old=old_meta.get("uid")
            ),
        )
    # 2. the resourceVersion
    new_rv = parse_rv(meta.get("resourceVersion")) if expect_rv else 0
    if new_rv == 0:
        if expect_rv and not allow_unconditional:
            raise Invalid(
                f"{rt.plural}.{rt.group}" if rt.group else rt.plural,
                name,
                [invalid(FieldPath("metadata", "resourceVersion"), 0, _MUST_SPECIFY_RV)],
            )
    elif new_rv != stored_rv:
        raise Conflict(rt, name)
    # 3. the server-owned fields
    if not meta.get("uid"):
        meta["uid"] = old_meta.get("uid")
    for server_owned in SERVER_OWNED_ON_UPDATE:
        if force_system_fields and meta.get(server_owned) is not None:
            continue
        if server_owned in old_meta:
            meta[server_owned] = old_meta[server_owned]
        else:
            meta.pop(server_owned, None)
    if not rt.namespaced:
        meta.pop("namespace", None)
    meta["resourceVersion"] = str(stored_rv)
    new["metadata"] = ordered_meta(meta)
