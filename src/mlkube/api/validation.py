"""Kubernetes' generic validators: names, labels, annotations, selectors and ObjectMeta.

Every resource's validation starts from these rules, and the engine must reject exactly
what kube-apiserver rejects with exactly its words, so they live here once. The string
validators return lists of messages as upstream does; the others return
:class:`~mlkube.api.field.FieldError` lists.

Follows, at v0.37.0-beta.0:

- ``k8s.io/apimachinery/pkg/util/validation/validation.go`` (DNS names, ports, percent,
  env var names, config map keys; its ``MaxLenError`` says "characters"),
- ``k8s.io/apimachinery/pkg/api/validate/content`` (``kube.go``: label keys and values,
  ``identifier.go``, ``path.go``; its ``MaxLenError`` says "bytes"),
- ``k8s.io/apimachinery/pkg/api/validation`` (``objectmeta.go``, ``generic.go``),
- ``k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`` (labels, label
  selectors, managed fields, field manager).

Upstream iterates Go maps, so its error order for labels and annotations is random;
here keys are visited in sorted order.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api.field import ErrorList, Path

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

# --- message builders (util/validation/validation.go, validate/content/errors.go) ----


def max_len_error(length: int) -> str:
    """``validation.MaxLenError``: ``must be no more than N characters``."""
    return f"must be no more than {length} characters"


def _content_max_len_error(length: int) -> str:
    """``content.MaxLenError``: ``must be no more than N bytes`` (label keys and values)."""
    return f"must be no more than {length} bytes"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """``RegexError``: the message, examples and the regex, as upstream words them."""
    if not examples:
        return msg + " (regex used for validation is '" + fmt + "')"
    msg += " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += "'" + ex + "', "
    return msg + "regex used for validation is '" + fmt + "')"


def empty_error() -> str:
    """``EmptyError``."""
    return "must be non-empty"


def inclusive_range_error(lo: int, hi: int) -> str:
    """``InclusiveRangeError``."""
    return f"must be between {lo} and {hi}, inclusive"


def _blen(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


# --- DNS names ---------------------------------------------------------------------------

_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR_MSG: Final = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX_LENGTH: Final = 63
_DNS1123_LABEL_RE: Final = re.compile(_DNS1123_LABEL_FMT)

_DNS1123_SUBDOMAIN_FMT: Final = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR_MSG: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX_LENGTH: Final = 253
_DNS1123_SUBDOMAIN_RE: Final = re.compile(_DNS1123_SUBDOMAIN_FMT)

_DNS1035_LABEL_FMT: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR_MSG: Final = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
DNS1035_LABEL_MAX_LENGTH: Final = 63
_DNS1035_LABEL_RE: Final = re.compile(_DNS1035_LABEL_FMT)


def is_dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``: a lowercase RFC 1123 label of at most 63 characters."""
    errs: list[str] = []
    if _blen(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(
                regex_error(_DNS1123_LABEL_ERR_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc")
            )
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: a lowercase RFC 1123 subdomain of at most 253 characters."""
    errs: list[str] = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_ERR_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label``: like an RFC 1123 label but starting with a letter."""
    errs: list[str] = []
    if _blen(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(regex_error(_DNS1035_LABEL_ERR_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


# --- label keys and values (validate/content/kube.go) ----------------------------------

_LABEL_KEY_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_ERR_MSG: Final = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_KEY_MAX_LENGTH: Final = 63
_LABEL_KEY_RE: Final = re.compile(_LABEL_KEY_FMT)

_LABEL_VALUE_FMT: Final = "(" + _LABEL_KEY_FMT + ")?"
_LABEL_VALUE_ERR_MSG: Final = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX_LENGTH: Final = 63
_LABEL_VALUE_RE: Final = re.compile(_LABEL_VALUE_FMT)


def is_qualified_name(value: str) -> list[str]:
    """``IsQualifiedName`` (``content.IsLabelKey``): ``[prefix/]name``."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [
            "a valid label key "
            + regex_error(_LABEL_KEY_ERR_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + empty_error())
    elif _blen(name) > _LABEL_KEY_MAX_LENGTH:
        errs.append("name part " + _content_max_len_error(_LABEL_KEY_MAX_LENGTH))
    if not _LABEL_KEY_RE.fullmatch(name):
        errs.append(
            "name part "
            + regex_error(_LABEL_KEY_ERR_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """``IsValidLabelValue`` (``content.IsLabelValue``): empty, or a name of at most 63."""
    errs: list[str] = []
    if _blen(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(_content_max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(
            regex_error(_LABEL_VALUE_ERR_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errs


# --- other formats --------------------------------------------------------------------

_C_IDENTIFIER_FMT: Final = "[A-Za-z_][A-Za-z0-9_]*"
_C_IDENTIFIER_ERR_MSG: Final = (
    "a valid C identifier must start with alphabetic character or '_', "
    "followed by a string of alphanumeric characters or '_'"
)
_C_IDENTIFIER_RE: Final = re.compile(_C_IDENTIFIER_FMT)


def is_c_identifier(value: str) -> list[str]:
    """``IsCIdentifier`` (format only, no length)."""
    if not _C_IDENTIFIER_RE.fullmatch(value):
        return [
            regex_error(_C_IDENTIFIER_ERR_MSG, _C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")
        ]
    return []


def is_valid_port_num(port: int) -> list[str]:
    """``IsValidPortNum``: 1..65535."""
    if 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


_PORT_NAME_CHARSET_RE: Final = re.compile("[-a-z0-9]+")
_PORT_NAME_ONE_LETTER_RE: Final = re.compile("[a-z]")


def is_valid_port_name(port: str) -> list[str]:
    """``IsValidPortName``: an IANA_SVC_NAME of at most 15 characters."""
    errs: list[str] = []
    if _blen(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET_RE.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_ONE_LETTER_RE.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


_PERCENT_FMT: Final = "[0-9]+%"
_PERCENT_ERR_MSG: Final = (
    "a valid percent string must be a numeric string followed by an ending '%'"
)
_PERCENT_RE: Final = re.compile(_PERCENT_FMT)


def is_valid_percent(percent: str) -> list[str]:
    """``IsValidPercent``: digits followed by ``%``."""
    if not _PERCENT_RE.fullmatch(percent):
        return [regex_error(_PERCENT_ERR_MSG, _PERCENT_FMT, "1%", "93%")]
    return []


def _has_chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


_ENV_VAR_NAME_FMT: Final = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_ERR_MSG: Final = (
    "a valid environment variable name must consist of alphabetic characters, digits, "
    "'_', '-', or '.', and must not start with a digit"
)
_ENV_VAR_NAME_RE: Final = re.compile(_ENV_VAR_NAME_FMT)
_RELAXED_ENV_VAR_NAME_ERR_MSG: Final = (
    "a valid environment variable name must consist only of printable ASCII characters "
    "other than '='"
)


def is_env_var_name(value: str) -> list[str]:
    """The v1.37 rule for container env var names (``IsRelaxedEnvVarName``).

    ``RelaxedEnvironmentVariableValidation`` is GA and locked on since v1.34, so pods
    accept any printable ASCII except ``=``. The older rule is
    :func:`is_strict_env_var_name`.
    """
    errs: list[str] = []
    if not value:
        errs.append("environment variable name " + empty_error())
    for ch in value:
        if ord(ch) > 0x7F or not ch.isprintable() or ch == "=":
            errs.append(_RELAXED_ENV_VAR_NAME_ERR_MSG)
            break
    return errs


def is_strict_env_var_name(value: str) -> list[str]:
    """``IsEnvVarName``: the pre-v1.34 C-like rule, kept for callers that still use it."""
    errs: list[str] = []
    if not _ENV_VAR_NAME_RE.fullmatch(value):
        errs.append(
            regex_error(
                _ENV_VAR_NAME_ERR_MSG, _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"
            )
        )
    errs.extend(_has_chdir_prefix(value))
    return errs


_CONFIG_MAP_KEY_FMT: Final = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR_MSG: Final = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
)
_CONFIG_MAP_KEY_RE: Final = re.compile(_CONFIG_MAP_KEY_FMT)


def is_config_map_key(value: str) -> list[str]:
    """``IsConfigMapKey``: a ConfigMap or Secret data key."""
    errs: list[str] = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        errs.append(
            regex_error(
                _CONFIG_MAP_KEY_ERR_MSG, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"
            )
        )
    errs.extend(_has_chdir_prefix(value))
    return errs


def is_path_segment_prefix(name: str) -> list[str]:
    """``content.IsPathSegmentPrefix``: no ``/`` and no ``%``."""
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def is_path_segment_name(name: str) -> list[str]:
    """``content.IsPathSegmentName``: a path-safe name that is not ``.`` or ``..``."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return is_path_segment_prefix(name)


# --- name functions (api/validation/generic.go, path/name.go) --------------------------

NameFn = Callable[[str, bool], list[str]]
"""``ValidateNameFunc``: ``(name, prefix) -> messages``; prefix is true for generateName."""


def _mask_trailing_dash(name: str) -> str:
    # Upstream drops two characters, not one (name[:len(name)-2] + "a"); kept as is.
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    """``NameIsDNSSubdomain``."""
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    """``NameIsDNSLabel``."""
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> list[str]:
    """``NameIsDNS1035Label``."""
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


validate_namespace_name: Final[NameFn] = name_is_dns_label
"""``ValidateNamespaceName``."""


def validate_path_segment_name(name: str, prefix: bool) -> list[str]:
    """``path.ValidatePathSegmentName``: the name rule of most custom resources."""
    return is_path_segment_prefix(name) if prefix else is_path_segment_name(name)


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
    total = sum(_blen(k) + _blen(v) for k, v in annotations.items())
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
    if _blen(manager) > _FIELD_MANAGER_MAX_LENGTH:
        errs.append(field.too_long(path, "", _FIELD_MANAGER_MAX_LENGTH))
    pos = 0
    for ch in manager:
        if not ch.isprintable():
            detail = f"invalid character {_go_rune_u(ch)} (at position {pos})"
            errs.append(field.invalid(path, manager, detail))
        pos += _blen(ch)
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
        if _blen(entry.get("subresource") or "") > _MAX_SUBRESOURCE_NAME_LENGTH:
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
