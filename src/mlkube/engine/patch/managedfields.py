"""``metadata.managedFields``: who owns which field, recorded on every write.

Written by hand (no Python library does server-side apply field ownership), after
``k8s.io/apimachinery/pkg/util/managedfields/internal/``: ``managedfields.go`` (decoding,
``BuildManagerIdentifier``, encoding and the order of entries), ``fieldmanager.go``
(``decodeLiveOrNew``: which managedFields an update starts from, and the reset),
``skipnonapplied.go``, ``capmanagers.go``, ``managedfieldsupdater.go``, ``stripmeta.go`` and
``structuredmerge.go``, and ``sigs.k8s.io/structured-merge-diff/v6/merge/update.go``
(``Updater.Update``).

:func:`track_update` is what the apiserver's field manager does for a create, an update or a
non-apply patch, in these steps:

1. Start from the request's managedFields, the live object's if the request has none (or
   writes through a subresource), or nothing if the request resets them (``[]`` or ``[{}]``).
2. An update of an object that has no managedFields stays untracked; a create is tracked.
3. Compare old and new: every manager loses the fields that were removed, and the fields
   this request changed or added (an Apply manager's too); those become the request's.
4. Drop the identity fields (``apiVersion``, ``kind``, ``metadata.name``, ...), merge with the
   manager's earlier entry of the same identity, stamp ``now`` if it took anything.
5. Keep at most 10 Update entries (older ones fold into ``ancient-changes``), and encode the
   entries in upstream order (Apply before Update, then time, manager, apiVersion).

Fields a write path resets are ignored: ``status`` for writes to the main resource and
``spec`` for the ``status`` subresource (the workload strategies' ``GetResetFields``; the
extra metadata fields some status strategies reset are not modelled).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from mlkube.api import schema as _schema
from mlkube.api.schema import Schema
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.patch import _typed
from mlkube.engine.patch import fieldpath as fp
from mlkube.engine.patch.fieldpath import Path

__all__ = [
    "ANCIENT_CHANGES_MANAGER",
    "FIELD_MANAGER_MAX_LENGTH",
    "MAX_UPDATE_MANAGERS",
    "UNKNOWN_MANAGER",
    "ManagedFields",
    "VersionedSet",
    "decode_managed_fields",
    "default_manager",
    "encode_managed_fields",
    "manager_identifier",
    "manager_name",
    "track_update",
]

# capmanagers.go (DefaultMaxUpdateManagers, the bucket's manager name)
MAX_UPDATE_MANAGERS: Final = 10
ANCIENT_CHANGES_MANAGER: Final = "ancient-changes"
#: buildmanagerinfo.go: the manager of a write that names none (no fieldManager, no User-Agent)
UNKNOWN_MANAGER: Final = "unknown"
_CURRENT_OPERATION: Final = "current-operation"
# k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go FieldManagerMaxLength
FIELD_MANAGER_MAX_LENGTH: Final = 128

# stripmeta.go: never owned by anyone.
_STRIP_SET: Final[frozenset[Path]] = frozenset(
    {
        (fp.field("apiVersion"),),
        (fp.field("kind"),),
        (fp.field("metadata"),),
        *(
            (fp.field("metadata"), fp.field(name))
            for name in (
                "name",
                "namespace",
                "creationTimestamp",
                "selfLink",
                "uid",
                "clusterName",
                "generation",
                "managedFields",
                "resourceVersion",
            )
        ),
    }
)


def default_manager(user_agent: str, field_manager: str | None = None) -> str:
    """The manager of a write: ``fieldManager``, else the User-Agent up to ``/``.

    ``prefixFromUserAgent``: unprintable characters are dropped and the name is cut to 128
    bytes (``kubectl/v1.37.0 (linux/amd64) kubernetes/abc`` -> ``kubectl``).
    """
    if field_manager:
        return field_manager
    out: list[str] = []
    size = 0
    for ch in user_agent.split("/", 1)[0]:
        if not ch.isprintable():
            continue
        width = len(ch.encode("utf-8"))
        if size + width > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(ch)
        size += width
    return "".join(out)


def manager_name(field_manager: str | None, user_agent: str, operation: str = "Update") -> str:
    """``managerOrUserAgent``: the manager recorded for a write (Apply requires fieldManager,
    which request validation checks, so the operation does not change the rule)."""
    del operation
    return default_manager(user_agent, field_manager)


@dataclass
class VersionedSet:
    """One manager's fields, the apiVersion they are expressed in, and whether it applied."""

    paths: set[Path]
    api_version: str
    applied: bool


@dataclass
class ManagedFields:
    """Managers by identifier (``BuildManagerIdentifier``) with their sets and times."""

    fields: dict[str, VersionedSet]
    times: dict[str, str | None]
    #: the decoded entries' sets in upstream's encoding, written back unchanged while equal
    encoded: dict[str, fp.Canonical] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def empty(cls) -> ManagedFields:
        return cls({}, {})


def _marshal(obj: Mapping[str, Any]) -> str:
    parts = [f"{fp.value_json(k)}:{fp.value_json(v)}" for k, v in obj.items()]
    return "{" + ",".join(parts) + "}"


def manager_identifier(
    manager: str, operation: str, api_version: str = "", subresource: str = ""
) -> str:
    """``BuildManagerIdentifier``: the entry as JSON without time and fields.

    Apply entries leave out the apiVersion, so an applier has one entry whatever version it
    applies with.
    """
    entry: dict[str, str] = {}
    if manager:
        entry["manager"] = manager
    if operation:
        entry["operation"] = operation
    if api_version and operation != "Apply":
        entry["apiVersion"] = api_version
    if subresource:
        entry["subresource"] = subresource
    return _marshal(entry)


def _identity(identifier: str) -> dict[str, str]:
    parsed: dict[str, str] = json.loads(identifier)
    return parsed


def decode_managed_fields(entries: Any) -> ManagedFields:
    """``DecodeManagedFields``; ValueError with upstream's text for a malformed entry."""
    managed = ManagedFields.empty()
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f"managed fields entry {i} is not an object")
        fields_type = entry.get("fieldsType") or ""
        if fields_type == "":
            raise ValueError(f"missing fieldsType in managed fields entry {i}")
        if fields_type != "FieldsV1":
            raise ValueError(f'invalid fieldsType "{fields_type}" in managed fields entry {i}')
        operation = str(entry.get("operation") or "")
        identifier = manager_identifier(
            str(entry.get("manager") or ""),
            operation,
            str(entry.get("apiVersion") or ""),
            str(entry.get("subresource") or ""),
        )
        paths, canonical = fp.deserialize_canonical(entry.get("fieldsV1") or {})
        if canonical is not None:
            managed.encoded[identifier] = canonical
        managed.fields[identifier] = VersionedSet(
            paths, str(entry.get("apiVersion") or ""), operation == "Apply"
        )
        managed.times[identifier] = entry.get("time") or None
    return managed


def _seconds(time: str | None) -> float:
    if not time:
        return 0.0
    return parse_time(time).timestamp()


def encode_managed_fields(managed: ManagedFields) -> list[dict[str, Any]]:
    """The ``metadata.managedFields`` list, sorted as ``sortEncodedManagedFields`` sorts."""
    entries: list[dict[str, Any]] = []
    for identifier, versioned in managed.fields.items():
        identity = _identity(identifier)
        entry: dict[str, Any] = {}
        if identity.get("manager"):
            entry["manager"] = identity["manager"]
        if identity.get("operation"):
            entry["operation"] = identity["operation"]
        if versioned.api_version:
            entry["apiVersion"] = versioned.api_version
        time = managed.times.get(identifier)
        if time:
            entry["time"] = time
        entry["fieldsType"] = "FieldsV1"
        canonical = managed.encoded.get(identifier)
        if canonical is not None and versioned.paths == canonical.paths:
            entry["fieldsV1"] = canonical.fields_v1()
        else:
            entry["fieldsV1"] = fp.serialize(versioned.paths)
        if identity.get("subresource"):
            entry["subresource"] = identity["subresource"]
        entries.append(entry)
    entries.sort(
        key=lambda e: (
            e.get("operation", ""),
            _seconds(e.get("time")),
            e.get("manager", ""),
            e.get("apiVersion", ""),
            e.get("subresource", ""),
        )
    )
    return entries


# --- shared by Update and Apply -------------------------------------------------------------


def _metadata_managed_fields(obj: Mapping[str, Any] | None) -> Any:
    if obj is None:
        return None
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    return metadata.get("managedFields")


def _without_managed_fields(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    if obj is None:
        return {}
    out = dict(obj)
    metadata = out.get("metadata")
    if isinstance(metadata, Mapping) and "managedFields" in metadata:
        out["metadata"] = {k: v for k, v in metadata.items() if k != "managedFields"}
    cleaned: dict[str, Any] = _typed.drop_nulls_shared(out)
    return cleaned


def reset_fields(root: Schema, subresource: str) -> set[Path]:
    """The fields a write path resets and therefore never records (``GetResetFields``)."""
    props = _schema.resolve(root).get("properties", {})
    if not subresource:
        return {(fp.field("status"),)} if "status" in props else set()
    if subresource == "status":
        return {(fp.field("spec"),)} if "spec" in props else set()
    return set()


def update_managers(
    managed: ManagedFields,
    comparison: _typed.Comparison,
    workflow: str,
    *,
    force: bool,
) -> dict[str, VersionedSet]:
    """``Updater.update``: strip removed fields from everyone, hand over changed ones.

    Returns the conflicts (other managers' fields that the change touches). With ``force``
    the conflicting fields move to ``workflow``'s side by leaving the other managers;
    without it nothing is changed when there are conflicts.
    """
    conflicts: dict[str, VersionedSet] = {}
    changed = comparison.modified | comparison.added
    for identifier, versioned in managed.fields.items():
        if identifier == workflow:
            continue
        overlap = versioned.paths & changed
        if overlap:
            conflicts[identifier] = VersionedSet(overlap, versioned.api_version, False)
    if conflicts and not force:
        return conflicts
    for identifier, versioned in list(managed.fields.items()):
        if identifier == workflow:
            continue
        remaining = versioned.paths - changed - comparison.removed
        if identifier in conflicts or comparison.removed & versioned.paths:
            managed.fields[identifier] = VersionedSet(
                remaining, versioned.api_version, versioned.applied
            )
    for identifier in [i for i, v in managed.fields.items() if not v.paths]:
        del managed.fields[identifier]
        managed.times.pop(identifier, None)
    return conflicts


def strip_identity_fields(managed: ManagedFields, identifier: str) -> None:
    """``stripMetaManager.stripFields`` for one manager."""
    versioned = managed.fields.get(identifier)
    if versioned is None:
        return
    remaining = versioned.paths - _STRIP_SET
    if not remaining:
        del managed.fields[identifier]
        managed.times.pop(identifier, None)
    else:
        versioned.paths = remaining


def cap_update_managers(managed: ManagedFields) -> None:
    """``capManagersManager``: fold the oldest Update entries into ``ancient-changes``."""
    updaters = [i for i, v in managed.fields.items() if not v.applied]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda i: (_seconds(managed.times.get(i)), i))
    first_by_version: dict[str, str] = {}
    length = len(updaters)
    for identifier in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        versioned = managed.fields[identifier]
        time = managed.times.get(identifier)
        version = versioned.api_version
        bucket = manager_identifier(ANCIENT_CHANGES_MANAGER, "Update", version)
        first = first_by_version.get(version)
        if first is None:
            first_by_version[version] = identifier
            continue
        if bucket not in managed.fields:
            managed.fields[bucket] = managed.fields.pop(first)
            managed.times.pop(first, None)
        managed.fields[bucket] = VersionedSet(
            versioned.paths | managed.fields[bucket].paths, version, versioned.applied
        )
        del managed.fields[identifier]
        managed.times.pop(identifier, None)
        length -= 1
        managed.times[bucket] = time


def _is_reset(entries: Any) -> bool:
    """``isResetManagedFields``: ``[]`` or ``[{}]``."""
    if not isinstance(entries, list):
        return False
    if not entries:
        return True
    if len(entries) == 1 and isinstance(entries[0], dict):
        return all(v in (None, "") for v in entries[0].values())
    return False


def _decode_or_empty(entries: Any) -> ManagedFields:
    try:
        return decode_managed_fields(entries)
    except ValueError:
        return ManagedFields.empty()


def _decode_live_or_new(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], subresource: str
) -> ManagedFields:
    live_entries = _metadata_managed_fields(old)
    if subresource:
        return _decode_or_empty(live_entries)
    new_entries = _metadata_managed_fields(new)
    if _is_reset(new_entries):
        return ManagedFields.empty()
    try:
        managed = decode_managed_fields(new_entries)
    except ValueError:
        return _decode_or_empty(live_entries)
    if not managed.fields:
        return _decode_or_empty(live_entries)
    return managed


def track_update(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    *,
    manager: str,
    api_version: str,
    now: datetime,
    operation: str = "Update",
    subresource: str = "",
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """The ``metadata.managedFields`` of ``new`` after a non-apply write by ``manager``.

    ``old`` is the live object (``None`` for a create); ``new`` the object about to be
    stored, with the managedFields the request carried (if any). ``kind`` defaults to
    ``new["kind"]``. Neither input is mutated. A kind without a schema is tracked with
    deduced types. An object that does not fit its schema leaves managedFields empty, as
    ``UpdateNoErrors`` does.
    """
    root = _schema.kind_schema(api_version, kind or str(new.get("kind") or ""))
    # 1. Which managedFields this write starts from.
    managed = _decode_live_or_new(old, new, subresource)
    # 2. Untracked objects stay untracked on update (skipNonAppliedManager).
    if not managed.fields and old is not None:
        return []
    old_obj = _without_managed_fields(old)
    new_obj = _without_managed_fields(new)
    ignored = reset_fields(root, subresource) if root is not None else set()
    # 3. Compare and hand the changed fields to the current operation.
    try:
        comparison = _typed.compare(old_obj, new_obj, root).filtered(ignored)
    except _typed.TypedError:
        return []
    update_managers(managed, comparison, _CURRENT_OPERATION, force=True)
    changed = comparison.modified | comparison.added
    own = _typed.recursive_difference(changed, ignored)
    if own:
        managed.fields[_CURRENT_OPERATION] = VersionedSet(own, api_version, False)
    # 4. Strip identity fields, merge into the manager's entry, stamp the time.
    strip_identity_fields(managed, _CURRENT_OPERATION)
    current = managed.fields.pop(_CURRENT_OPERATION, None)
    managed.times.pop(_CURRENT_OPERATION, None)
    if current is not None:
        # buildManagerInfo: a write with neither fieldManager nor User-Agent
        identifier = manager_identifier(
            manager or UNKNOWN_MANAGER, operation, api_version, subresource
        )
        previous = managed.fields.get(identifier)
        if previous is not None:
            current = VersionedSet(current.paths | previous.paths, api_version, False)
        managed.fields[identifier] = current
        managed.times[identifier] = format_time(now)
    # 5. Cap the Update entries and encode.
    cap_update_managers(managed)
    return encode_managed_fields(managed)


def managers_sorted(identifiers: Sequence[str]) -> list[str]:
    """Identifiers in the order conflict messages print them (``sort.Strings``)."""
    return sorted(identifiers)
