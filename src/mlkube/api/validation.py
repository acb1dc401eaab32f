"""Kubernetes' generic field validators: labels, annotations, selectors and ObjectMeta.

Every resource's validation starts from these rules, and the engine must reject exactly
what kube-apiserver rejects with exactly its words, so they live here once. They return
:class:`~mlkube.api.field.FieldError` lists; the string format rules they build on
(names, label keys and values, ports, env var names) live in :mod:`mlkube.api.formats` and
are re-exported here, so ``validation`` stays the one import for a resource's validator.

Follows, at v0.37.0-beta.0:

- ``k8s.io/apimachinery/pkg/api/validation`` (``objectmeta.go``, ``generic.go``),
- ``k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`` (labels, label
  selectors, managed fields, field manager).

Upstream iterates Go maps, so its error order for labels and annotations is random;
here keys are visited in sorted order.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api.field import ErrorList, Path
from mlkube.api.formats import (
    DNS1035_LABEL_MAX_LENGTH,
    DNS1123_LABEL_MAX_LENGTH,
    DNS1123_SUBDOMAIN_MAX_LENGTH,
    LABEL_VALUE_MAX_LENGTH,
    NameFn,
    byte_len,
    empty_error,
    inclusive_range_error,
    is_c_identifier,
    is_config_map_key,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_env_var_name,
    is_path_segment_name,
    is_path_segment_prefix,
    is_qualified_name,
    is_strict_env_var_name,
    is_valid_label_value,
    is_valid_percent,
    is_valid_port_name,
    is_valid_port_num,
    max_len_error,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
    regex_error,
    validate_namespace_name,
    validate_path_segment_name,
)

__all__ = [
    "DNS1035_LABEL_MAX_LENGTH",
    "DNS1123_LABEL_MAX_LENGTH",
    "DNS1123_SUBDOMAIN_MAX_LENGTH",
    "FIELD_IMMUTABLE_ERROR_MSG",
    "IS_NEGATIVE_ERROR_MSG",
    "LABEL_VALUE_MAX_LENGTH",
    "TOTAL_ANNOTATION_SIZE_LIMIT_B",
    "NameFn",
    "empty_error",
    "inclusive_range_error",
    "is_c_identifier",
    "is_config_map_key",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_env_var_name",
    "is_path_segment_name",
    "is_path_segment_prefix",
    "is_qualified_name",
    "is_strict_env_var_name",
    "is_valid_label_value",
    "is_valid_percent",
    "is_valid_port_name",
    "is_valid_port_num",
    "max_len_error",
    "name_is_dns1035_label",
    "name_is_dns_label",
    "name_is_dns_subdomain",
    "regex_error",
    "validate_annotations",
    "validate_field_manager",
    "validate_finalizers",
    "validate_immutable_field",
    "validate_label_name",
    "validate_label_selector",
    "validate_label_selector_requirement",
    "validate_labels",
    "validate_managed_fields",
    "validate_namespace_name",
    "validate_nonnegative_field",
    "validate_object_meta",
    "validate_object_meta_update",
    "validate_owner_references",
    "validate_path_segment_name",
]

# --- FieldError validators ------------------------------------------------------------

FIELD_IMMUTABLE_ERROR_MSG: Final = "field is immutable"
IS_NEGATIVE_ERROR_MSG: Final = "must be greater than or equal to 0"
TOTAL_ANNOTATION_SIZE_LIMIT_B: Final = 256 * (1 << 10)
_FIELD_MANAGER_MAX_LENGTH: Final = 128
_MAX_SUBRESOURCE_NAME_LENGTH: Final = 256
_FINALIZER_ORPHAN_DEPENDENTS: Final = "orphan"
_FINALIZER_DELETE_DEPENDENTS: Final = "foregroundDeletion"


def validate_label_name(name: str, path: Path) -> ErrorList:
    """``ValidateLabelName``."""
    return [field.invalid(path, name, msg) for msg in is_qualified_name(name)]


def validate_labels(labels: Mapping[str, str] | None, path: Path) -> ErrorList:
    """``ValidateLabels``: every key a qualified name, every value a label value."""
    errs: ErrorList = []
    for k in sorted(labels or {}):
        v = (labels or {})[k]
        errs.extend(validate_label_name(k, path))
        errs.extend(field.invalid(path, v, msg) for msg in is_valid_label_value(v))
    return errs


def validate_annotations(annotations: Mapping[str, str] | None, path: Path) -> ErrorList:
    """``ValidateAnnotations``: keys are qualified names (case-insensitive); 256 KiB total."""
    annotations = annotations or {}
    errs: ErrorList = []
    for k in sorted(annotations):
        errs.extend(field.invalid(path, k, msg) for msg in is_qualified_name(k.lower()))
    total = sum(byte_len(k) + byte_len(v) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errs.append(field.too_long(path, "", TOTAL_ANNOTATION_SIZE_LIMIT_B))
    return errs


def validate_label_selector_requirement(
    req: Mapping[str, Any],
    path: Path,
    *,
    allow_invalid_label_value: bool = False,
    allow_unknown_operator: bool = False,
) -> ErrorList:
    """``ValidateLabelSelectorRequirement`` for one ``matchExpressions`` entry."""
    errs: ErrorList = []
    op = req.get("operator") or ""
    values: Sequence[str] = req.get("values") or []
    if op in ("In", "NotIn"):
        if not values:
            errs.append(
                field.required(
                    path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(
                field.forbidden(
                    path.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
    elif not allow_unknown_operator:
        errs.append(field.invalid(path.child("operator"), op, "not a valid selector operator"))
    errs.extend(validate_label_name(req.get("key") or "", path.child("key")))
    if not allow_invalid_label_value:
        for i, value in enumerate(values):
            errs.extend(
                field.invalid(path.child("values").index(i), value, msg)
                for msg in is_valid_label_value(value)
            )
    return errs


def validate_label_selector(
    selector: Mapping[str, Any] | None,
    path: Path,
    *,
    allow_invalid_label_value: bool = False,
    allow_unknown_operator: bool = False,
) -> ErrorList:
    """``ValidateLabelSelector`` for a ``metav1.LabelSelector`` (``None`` is valid)."""
    if selector is None:
        return []
    errs = validate_labels(selector.get("matchLabels"), path.child("matchLabels"))
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        errs.extend(
            validate_label_selector_requirement(
                expr,
                path.child("matchExpressions").index(i),
                allow_invalid_label_value=allow_invalid_label_value,
                allow_unknown_operator=allow_unknown_operator,
            )
        )
    return errs


def validate_nonnegative_field(value: int, path: Path) -> ErrorList:
    """``ValidateNonnegativeField``."""
    return [field.invalid(path, value, IS_NEGATIVE_ERROR_MSG)] if value < 0 else []


def _owner_struct(ref: Mapping[str, Any]) -> field.Struct:
    # metav1.OwnerReference in Go field order; controller/blockOwnerDeletion are omitempty.
    out = field.Struct(
        apiVersion=ref.get("apiVersion") or "",
        kind=ref.get("kind") or "",
        name=ref.get("name") or "",
        uid=ref.get("uid") or "",
    )
    for key in ("controller", "blockOwnerDeletion"):
        if ref.get(key) is not None:
            out[key] = ref[key]
    return out


def _parse_group_version(gv: str) -> tuple[str, str] | None:
    """``schema.ParseGroupVersion``: ``(group, version)`` or ``None`` on error."""
    if gv in ("", "/"):
        return "", ""
    if gv.count("/") == 0:
        return "", gv
    if gv.count("/") == 1:
        group, _, version = gv.partition("/")
        return group, version
    return None


def _validate_owner_reference(ref: Mapping[str, Any], path: Path) -> ErrorList:
    errs: ErrorList = []
    api_version = ref.get("apiVersion") or ""
    gv = _parse_group_version(api_version)
    if not api_version:
        errs.append(field.required(path.child("apiVersion"), "must not be empty"))
    elif gv is None or not gv[1]:
        errs.append(
            field.invalid(
                path.child("apiVersion"), api_version, "must be <group>/<version> or <version>"
            )
        )
    kind = ref.get("kind") or ""
    for key in ("kind", "name", "uid"):
        if not ref.get(key):
            errs.append(field.required(path.child(key), "must not be empty"))
    group, version = gv or ("", "")
    if (group, version, kind) == ("", "v1", "Event"):  # BannedOwners
        gvk = f"{group}/{version}, Kind={kind}"
        errs.append(
            field.invalid(path, _owner_struct(ref), f"{gvk} is disallowed from being an owner")
        )
    return errs


def validate_owner_references(refs: Sequence[Mapping[str, Any]] | None, path: Path) -> ErrorList:
    """``ValidateOwnerReferences``: required fields, banned owners, one controller."""
    errs: ErrorList = []
    first_controller = ""
    for i, ref in enumerate(refs or []):
        errs.extend(_validate_owner_reference(ref, path.index(i)))
        if ref.get("controller") is True:
            current = f"{ref.get('kind') or ''}/{ref.get('name') or ''}"
            if first_controller:
                errs.append(
                    field.invalid(
                        path,
                        [_owner_struct(r) for r in refs or []],
                        "Only one reference can have Controller set to true. "
                        f'Found "true" in references for {first_controller} and {current}',
                    )
                )
            else:
                first_controller = current
    return errs


def validate_finalizers(finalizers: Sequence[str] | None, path: Path) -> ErrorList:
    """``ValidateFinalizers``: qualified names; not both ``orphan`` and ``foregroundDeletion``."""
    finalizers = list(finalizers or [])
    errs: ErrorList = []
    for f in finalizers:
        errs.extend(field.invalid(path, f, msg) for msg in is_qualified_name(f))
    if _FINALIZER_ORPHAN_DEPENDENTS in finalizers and _FINALIZER_DELETE_DEPENDENTS in finalizers:
        errs.append(
            field.invalid(
                path,
                finalizers,
                f"finalizer {_FINALIZER_ORPHAN_DEPENDENTS} and "
                f"{_FINALIZER_DELETE_DEPENDENTS} cannot be both set",
            )
        )
    return errs


def _go_rune_u(ch: str) -> str:
    """Go's ``%#U``: ``U+0041 'A'``, or just ``U+0007`` when not printable."""
    code = f"U+{ord(ch):04X}"
    return f"{code} '{ch}'" if ch.isprintable() else code


def validate_field_manager(manager: str, path: Path) -> ErrorList:
    """``ValidateFieldManager``: at most 128 bytes, printable characters only."""
    errs: ErrorList = []
    if byte_len(manager) > _FIELD_MANAGER_MAX_LENGTH:
        errs.append(field.too_long(path, "", _FIELD_MANAGER_MAX_LENGTH))
    pos = 0
    for ch in manager:
        if not ch.isprintable():
            detail = f"invalid character {_go_rune_u(ch)} (at position {pos})"
            errs.append(field.invalid(path, manager, detail))
        pos += byte_len(ch)
    return errs


def validate_managed_fields(entries: Sequence[Mapping[str, Any]] | None, path: Path) -> ErrorList:
    """``ValidateManagedFields``."""
    errs: ErrorList = []
    for i, entry in enumerate(entries or []):
        p = path.index(i)
        op = entry.get("operation") or ""
        if not op:
            errs.append(field.required(p.child("operation"), "must not be empty"))
        elif op not in ("Apply", "Update"):
            errs.append(field.not_supported(p.child("operation"), op, ["Apply", "Update"]))
        fields_type = entry.get("fieldsType") or ""
        if fields_type and fields_type != "FieldsV1":
            errs.append(field.invalid(p.child("fieldsType"), fields_type, "must be `FieldsV1`"))
        errs.extend(validate_field_manager(entry.get("manager") or "", p.child("manager")))
        if byte_len(entry.get("subresource") or "") > _MAX_SUBRESOURCE_NAME_LENGTH:
            errs.append(field.too_long(p.child("subresource"), "", _MAX_SUBRESOURCE_NAME_LENGTH))
    return errs


def validate_object_meta(
    meta: Mapping[str, Any],
    path: Path,
    *,
    namespaced: bool,
    name_fn: NameFn,
) -> ErrorList:
    """``ValidateObjectMeta`` (``ValidateObjectMetaAccessor``) on create.

    ``meta`` is the wire-form ``metadata``; ``path`` is usually ``Path("metadata")``.
    Name generation is expected to have run already, as upstream.
    """
    errs: ErrorList = []
    generate_name = meta.get("generateName") or ""
    if generate_name:
        errs.extend(
            field.invalid(path.child("generateName"), generate_name, msg)
            for msg in name_fn(generate_name, True)
        )
    name = meta.get("name") or ""
    if not name:
        errs.append(field.required(path.child("name"), "name or generateName is required"))
    else:
        errs.extend(field.invalid(path.child("name"), name, msg) for msg in name_fn(name, False))

    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            errs.append(field.required(path.child("namespace"), ""))
        else:
            errs.extend(
                field.invalid(path.child("namespace"), namespace, msg)
                for msg in validate_namespace_name(namespace, False)
            )
    elif namespace:
        errs.append(field.forbidden(path.child("namespace"), "not allowed on this type"))

    errs.extend(validate_nonnegative_field(meta.get("generation") or 0, path.child("generation")))
    errs.extend(validate_labels(meta.get("labels"), path.child("labels")))
    errs.extend(validate_annotations(meta.get("annotations"), path.child("annotations")))
    errs.extend(
        validate_owner_references(meta.get("ownerReferences"), path.child("ownerReferences"))
    )
    errs.extend(validate_finalizers(meta.get("finalizers"), path.child("finalizers")))
    errs.extend(validate_managed_fields(meta.get("managedFields"), path.child("managedFields")))
    return errs


def validate_immutable_field(new: Any, old: Any, path: Path) -> ErrorList:
    """``ValidateImmutableField``: ``Invalid value: <new>: field is immutable``."""
    return [] if new == old else [field.invalid(path, new, FIELD_IMMUTABLE_ERROR_MSG)]


def _parse_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _time_instant(value: Any) -> object:
    """What ``Semantic.DeepEqual`` compares for a ``metav1.Time``: the instant; zero is nil."""
    if not value:
        return None
    parsed = _parse_time(value)
    return parsed if parsed is not None else value


def _time_bad_value(value: Any) -> Any:
    """A ``metav1.Time`` as Go re-encodes it: RFC 3339, UTC, whole seconds; zero is null."""
    if not value:
        return None
    parsed = _parse_time(value)
    if parsed is None:
        return value
    return parsed.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_object_meta_update(
    new: Mapping[str, Any], old: Mapping[str, Any], path: Path
) -> ErrorList:
    """``ValidateObjectMetaUpdate`` (``ValidateObjectMetaAccessorUpdate``).

    An empty ``resourceVersion`` is rejected here, as upstream; the generic store fills
    it in first for resources that allow unconditional updates.
    """
    errs: ErrorList = []
    if old.get("deletionTimestamp"):
        extra = sorted(set(new.get("finalizers") or []) - set(old.get("finalizers") or []))
        if extra:
            listed = ", ".join(field.go_quote(f) for f in extra)
            errs.append(
                field.forbidden(
                    path.child("finalizers"),
                    "no new finalizers can be added if the object is being deleted, "
                    f"found new finalizers []string{{{listed}}}",
                )
            )
    rv = new.get("resourceVersion") or ""
    if not rv:
        errs.append(
            field.invalid(path.child("resourceVersion"), rv, "must be specified for an update")
        )

    new_gen = new.get("generation") or 0
    errs.extend(validate_nonnegative_field(new_gen, path.child("generation")))
    if new_gen < (old.get("generation") or 0):
        errs.append(field.invalid(path.child("generation"), new_gen, "must not be decremented"))

    # Zero values compare equal to absent ones, as Go's structs do.
    for key in ("name", "namespace", "uid"):
        errs.extend(
            validate_immutable_field(new.get(key) or "", old.get(key) or "", path.child(key))
        )
    for key in ("creationTimestamp", "deletionTimestamp"):
        if _time_instant(new.get(key)) != _time_instant(old.get(key)):
            bad = _time_bad_value(new.get(key))
            errs.append(field.invalid(path.child(key), bad, FIELD_IMMUTABLE_ERROR_MSG))
    # *int64: 0 is a value, not nil.
    key = "deletionGracePeriodSeconds"
    errs.extend(validate_immutable_field(new.get(key), old.get(key), path.child(key)))

    errs.extend(validate_labels(new.get("labels"), path.child("labels")))
    errs.extend(validate_annotations(new.get("annotations"), path.child("annotations")))
    errs.extend(
        validate_owner_references(new.get("ownerReferences"), path.child("ownerReferences"))
    )
    errs.extend(validate_managed_fields(new.get("managedFields"), path.child("managedFields")))
    return errs
