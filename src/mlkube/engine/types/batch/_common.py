"""What the Job and CronJob rules share: label keys, limits, messages and small checks.

Follows ``pkg/apis/batch/validation/validation.go`` and ``core/validation.go``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import labels as _labels
from mlkube.api import validation as _v
from mlkube.api.field import (
    FieldError,
    Path,
    invalid,
    required,
)

__all__ = [
    "COMPLETIONS_SOFT_LIMIT",
    "CONTROLLER_UID_LABEL",
    "CRONJOB_NAME_MAX_LENGTH",
    "JOB_NAME_LABEL",
    "LEGACY_CONTROLLER_UID_LABEL",
    "LEGACY_JOB_NAME_LABEL",
    "MAX_FAILED_INDEXES_FOR_INDEXED_JOB",
    "MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS",
    "MAX_INT32",
    "MAX_INT64",
    "MAX_MANAGED_BY_LENGTH",
    "MAX_ON_EXIT_CODES_VALUES",
    "MAX_ON_POD_CONDITIONS_PATTERNS",
    "MAX_PARALLELISM_FOR_INDEXED_JOB",
    "MAX_POD_FAILURE_POLICY_RULES",
    "MAX_SUCCEEDED_INDEXES_LENGTH",
    "MAX_SUCCESS_POLICY_RULES",
    "MSG_CRONJOB_NAME_TOO_LONG",
    "MSG_IMMUTABLE",
    "MSG_REQUIRES_INDEXED",
    "MSG_SELECTOR_MISMATCH",
    "MSG_SELECTOR_NOT_GENERATED",
    "MSG_SELECTOR_WILL_BE_GENERATED",
    "PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS",
    "Obj",
]


Obj = dict[str, Any]

JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME_LABEL: Final = "job-name"
CONTROLLER_UID_LABEL: Final = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID_LABEL: Final = "controller-uid"

MAX_INT32: Final = 2**31 - 1
MAX_INT64: Final = 2**63 - 1

# validation.go constants
MAX_PARALLELISM_FOR_INDEXED_JOB: Final = 100_000
MAX_FAILED_INDEXES_FOR_INDEXED_JOB: Final = 100_000
COMPLETIONS_SOFT_LIMIT: Final = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_POD_FAILURE_POLICY_RULES: Final = 20
MAX_ON_EXIT_CODES_VALUES: Final = 255
MAX_ON_POD_CONDITIONS_PATTERNS: Final = 20
MAX_MANAGED_BY_LENGTH: Final = 63
MAX_SUCCEEDED_INDEXES_LENGTH: Final = 64 * 1024
MAX_SUCCESS_POLICY_RULES: Final = 20
CRONJOB_NAME_MAX_LENGTH: Final = 52  # DNS1035LabelMaxLength - 11 (the "-<timestamp>" suffix)

# sets.List(...) order: sorted.
_POD_FAILURE_POLICY_ACTIONS: Final = ("Count", "FailIndex", "FailJob", "Ignore")
_ON_EXIT_CODES_OPERATORS: Final = ("In", "NotIn")
_CONDITION_STATUSES: Final = ("False", "True", "Unknown")
_POD_REPLACEMENT_POLICIES: Final = ("Failed", "TerminatingOrFailed")
_CONCURRENCY_POLICIES: Final = ("Allow", "Forbid", "Replace")

MSG_IMMUTABLE: Final = _v.FIELD_IMMUTABLE_ERROR_MSG
MSG_SELECTOR_MISMATCH: Final = "`selector` does not match template `labels`"
MSG_SELECTOR_NOT_GENERATED: Final = "`selector` not auto-generated"
MSG_SELECTOR_WILL_BE_GENERATED: Final = "`selector` will be auto-generated"
MSG_REQUIRES_INDEXED: Final = "requires indexed completion mode"
MSG_CRONJOB_NAME_TOO_LONG: Final = "must be no more than 52 characters"

_SPEC = Path("spec")
_METADATA = Path("metadata")


# --- small shared rules (core/validation.go) -------------------------------------------


def _nonnegative(value: int, path: Path) -> list[FieldError]:
    """``ValidateNonnegativeField``."""
    return _v.validate_nonnegative_field(value, path)


def _qualified_name(value: str, path: Path) -> list[FieldError]:
    """``ValidateQualifiedName``."""
    return [invalid(path, value, msg) for msg in _v.is_qualified_name(value)]


def _strip_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def _immutable(new: Any, old: Any, path: Path) -> list[FieldError]:
    """``ValidateImmutableField``: ``Invalid(path, new, "field is immutable")``."""
    if _strip_none(new) == _strip_none(old):
        return []
    return [invalid(path, new, MSG_IMMUTABLE)]


def _selector_matches(selector: Any, labels: Mapping[str, str] | None) -> bool | None:
    """``LabelSelectorAsSelector(sel).Matches(labels)``; ``None`` when the selector is
    invalid (upstream then skips the check). A nil selector matches nothing."""
    if selector is None:
        return False
    try:
        sel = _labels.selector_from_label_selector(selector)
    except ValueError:
        return None
    return bool(sel.matches(dict(labels or {})))


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _template_labels(spec: Obj) -> dict[str, str]:
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    return dict(labels) if isinstance(labels, dict) else {}


def _has_label(meta: Obj, path: Path, key: str, value: str) -> list[FieldError]:
    """``ValidateHasLabel``."""
    labels = meta.get("labels") or {}
    actual = labels.get(key)
    if actual is None:
        return [required(path.child("labels").key(key), f"must be '{value}'")]
    if actual != value:
        return [invalid(path.child("labels").key(key), dict(labels), f"must be '{value}'")]
    return []


# --- warnings -------------------------------------------------------------------------


def _name_warnings(obj: Obj) -> list[str]:
    """The ``WarningsOnCreate`` of Jobs and CronJobs for a name that is not a DNS label."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    msgs = list(_v.is_dns1123_label(name))
    if not msgs:
        return []
    return [
        "metadata.name: this is used in Pod names and hostnames, which can result in "
        f"surprising behavior; a DNS label is recommended: [{' '.join(msgs)}]"
    ]
