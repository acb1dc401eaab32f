"""Taints and tolerations: which pods may land on, or stay on, a tainted node.

The scheduler's TaintToleration filter and score, the NoExecute taint-eviction
controller, ``kubectl taint`` and ``explain`` all need the same matching rule,
so it lives here once. It follows, at Kubernetes v1.37:

- ``staging/src/k8s.io/api/core/v1/toleration.go`` (``Toleration.ToleratesTaint``),
- ``staging/src/k8s.io/api/core/v1/taint.go`` (``Taint.ToString``),
- ``staging/src/k8s.io/component-helpers/scheduling/corev1/helpers.go``
  (``TolerationsTolerateTaint``, ``FindMatchingUntoleratedTaint``),
- ``pkg/controller/tainteviction/taint_eviction.go`` (``getMinTolerationTime``) with
  ``pkg/apis/core/v1/helper/helpers.go`` (``GetMatchingTolerations``),
- ``pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`` (score count),
- ``staging/src/k8s.io/kubectl/pkg/cmd/taint/utils.go`` (``parseTaint``, ``parseTaints``).

The ``Lt``/``Gt`` toleration operators belong to the ``TaintTolerationComparisonOperators``
feature gate, alpha and off by default in v1.35 through v1.37. With the gate off (the
default here, ``enable_comparison_operators=False``) such a toleration tolerates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from mlkube.api.validation import is_qualified_name, is_valid_label_value

__all__ = [
    "EFFECT_NO_EXECUTE",
    "EFFECT_NO_SCHEDULE",
    "EFFECT_PREFER_NO_SCHEDULE",
    "ERR_REASON_UNTOLERATED",
    "OPERATOR_EQUAL",
    "OPERATOR_EXISTS",
    "OPERATOR_GT",
    "OPERATOR_LT",
    "SCHEDULER_FILTER_EFFECTS",
    "TaintSpec",
    "TaintSpecError",
    "count_intolerable_prefer_no_schedule",
    "find_untolerated_taint",
    "min_toleration_seconds",
    "parse_taint_spec",
    "parse_taint_specs",
    "taint_string",
    "tolerates",
    "tolerations_tolerate_taint",
]

EFFECT_NO_SCHEDULE = "NoSchedule"
EFFECT_PREFER_NO_SCHEDULE = "PreferNoSchedule"
EFFECT_NO_EXECUTE = "NoExecute"

OPERATOR_EQUAL = "Equal"
OPERATOR_EXISTS = "Exists"
OPERATOR_LT = "Lt"
OPERATOR_GT = "Gt"

#: The effects the scheduler's TaintToleration filter looks at (PreferNoSchedule only scores).
SCHEDULER_FILTER_EFFECTS: frozenset[str] = frozenset({EFFECT_NO_SCHEDULE, EFFECT_NO_EXECUTE})

#: TaintToleration's filter reason since v1.35 (PR #134740); the taint is no longer printed.
ERR_REASON_UNTOLERATED = "node(s) had untolerated taint(s)"

_VALID_EFFECTS = (EFFECT_NO_SCHEDULE, EFFECT_PREFER_NO_SCHEDULE, EFFECT_NO_EXECUTE)


class TaintSpecError(ValueError):
    """A ``kubectl taint`` argument that kubectl itself would refuse; the text is kubectl's."""


class TaintSpec(NamedTuple):
    """One parsed ``kubectl taint`` argument: the taint, and whether it is a removal."""

    taint: dict[str, Any]
    remove: bool


# --- matching -------------------------------------------------------------------------------


def _tolerates(
    toleration: Mapping[str, Any], taint: Mapping[str, Any], enable_comparison_operators: bool
) -> tuple[bool, bool]:
    """ToleratesTaint as ``(tolerated, failed_to_parse)``; the second is upstream's error."""
    effect = toleration.get("effect") or ""
    if effect and effect != (taint.get("effect") or ""):
        return False, False
    key = toleration.get("key") or ""
    if key and key != (taint.get("key") or ""):
        return False, False
    operator = toleration.get("operator") or ""
    if operator in ("", OPERATOR_EQUAL):
        return (toleration.get("value") or "") == (taint.get("value") or ""), False
    if operator == OPERATOR_EXISTS:
        return True, False
    if operator in (OPERATOR_LT, OPERATOR_GT):
        if not enable_comparison_operators:
            return False, False
        wanted = _canonical_int64(toleration.get("value") or "")
        actual = _canonical_int64(taint.get("value") or "")
        if wanted is None or actual is None:
            return False, True
        return (actual < wanted if operator == OPERATOR_LT else actual > wanted), False
    return False, False


_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _canonical_int64(value: str) -> int | None:
    """content.IsDecimalInteger then strconv.ParseInt: no "+", no leading zeros, no "-0"."""
    if value == "-0" or not _CANONICAL_INT.fullmatch(value):
        return None
    number = int(value)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def tolerates(
    toleration: Mapping[str, Any],
    taint: Mapping[str, Any],
    *,
    enable_comparison_operators: bool = False,
) -> bool:
    """Whether one toleration tolerates one taint (``Toleration.ToleratesTaint``).

    An empty effect matches every effect; an empty key matches every key (validation
    pairs it with ``Exists``); the operator defaults to ``Equal``. ``Lt``/``Gt`` compare
    the taint's value against the toleration's as canonical int64s, and only with the
    comparison-operators gate on; an unparsable value tolerates nothing.
    """
    return _tolerates(toleration, taint, enable_comparison_operators)[0]


def _tolerations_tolerate(
    tolerations: Iterable[Mapping[str, Any]],
    taint: Mapping[str, Any],
    enable_comparison_operators: bool,
) -> tuple[bool, bool]:
    failed = False
    for toleration in tolerations:
        tolerated, parse_failed = _tolerates(toleration, taint, enable_comparison_operators)
        if tolerated:
            return True, False
        failed = failed or parse_failed
    return False, failed


def tolerations_tolerate_taint(
    tolerations: Iterable[Mapping[str, Any]] | None,
    taint: Mapping[str, Any],
    *,
    enable_comparison_operators: bool = False,
) -> bool:
    """Whether any of the tolerations tolerates the taint (``TolerationsTolerateTaint``)."""
    return _tolerations_tolerate(tolerations or (), taint, enable_comparison_operators)[0]


def find_untolerated_taint(
    taints: Iterable[Mapping[str, Any]] | None,
    tolerations: Iterable[Mapping[str, Any]] | None,
    effects: Collection[str] | None = None,
    *,
    enable_comparison_operators: bool = False,
) -> dict[str, Any] | None:
    """The taint that keeps the pod off the node, or ``None`` if every taint is tolerated.

    ``FindMatchingUntoleratedTaint``: only taints whose effect is in ``effects`` count
    (``None`` means all; the scheduler passes :data:`SCHEDULER_FILTER_EFFECTS`). The first
    cleanly untolerated taint wins over one that failed only because an ``Lt``/``Gt`` value
    did not parse, so the answer does not depend on taint order. Returns a copy.
    """
    tolerations = list(tolerations or ())
    first_parse_failure: Mapping[str, Any] | None = None
    for taint in taints or ():
        if effects is not None and (taint.get("effect") or "") not in effects:
            continue
        tolerated, failed = _tolerations_tolerate(tolerations, taint, enable_comparison_operators)
        if failed:
            if first_parse_failure is None:
                first_parse_failure = taint
            continue
        if not tolerated:
            return dict(taint)
    return None if first_parse_failure is None else dict(first_parse_failure)


def count_intolerable_prefer_no_schedule(
    taints: Iterable[Mapping[str, Any]] | None,
    tolerations: Iterable[Mapping[str, Any]] | None,
    *,
    enable_comparison_operators: bool = False,
) -> int:
    """TaintToleration's raw score: PreferNoSchedule taints that no toleration tolerates.

    Only tolerations with an empty or ``PreferNoSchedule`` effect take part, as in the
    plugin's PreScore. The framework then normalizes the counts in reverse (fewer is better).
    """
    relevant = [
        t for t in tolerations or () if (t.get("effect") or "") in ("", EFFECT_PREFER_NO_SCHEDULE)
    ]
    return sum(
        1
        for taint in taints or ()
        if (taint.get("effect") or "") == EFFECT_PREFER_NO_SCHEDULE
        and not _tolerations_tolerate(relevant, taint, enable_comparison_operators)[0]
    )


def min_toleration_seconds(
    tolerations: Iterable[Mapping[str, Any]] | None,
    taints: Iterable[Mapping[str, Any]] | None,
    *,
    enable_comparison_operators: bool = False,
) -> int | None:
    """How long a pod may stay on a node with these taints before NoExecute eviction.

    ``None`` means forever: the node has no NoExecute taint, or every one is tolerated by
    a toleration without ``tolerationSeconds``. ``0`` means evict now: a NoExecute taint is
    untolerated, or a used toleration has ``tolerationSeconds <= 0``. Otherwise the minimum
    ``tolerationSeconds`` over the used tolerations, where each taint uses the *first*
    toleration that tolerates it (``GetMatchingTolerations`` + ``getMinTolerationTime``).
    """
    tolerations = list(tolerations or ())
    used: list[Mapping[str, Any]] = []
    for taint in taints or ():
        if taint.get("effect") != EFFECT_NO_EXECUTE:
            continue
        for toleration in tolerations:
            if _tolerates(toleration, taint, enable_comparison_operators)[0]:
                used.append(toleration)
                break
        else:
            return 0
    minimum: int | None = None
    for toleration in used:
        seconds = toleration.get("tolerationSeconds")
        if seconds is None:
            continue
        if seconds <= 0:
            return 0
        if minimum is None or seconds < minimum:
            minimum = int(seconds)
    return minimum


# --- text forms -----------------------------------------------------------------------------


def taint_string(taint: Mapping[str, Any]) -> str:
    """``Taint.ToString``: ``key=value:Effect``, ``key:Effect``, ``key=value:`` or ``key``."""
    key = taint.get("key") or ""
    value = taint.get("value") or ""
    effect = taint.get("effect") or ""
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def parse_taint_spec(spec: str) -> TaintSpec:
    """Parse one ``kubectl taint`` argument, with kubectl's own error messages.

    ``key=value:Effect`` and ``key:Effect`` add a taint; a trailing ``-`` (``key:Effect-``,
    ``key-``) removes one, keeping only its key and effect. Adding requires an effect.
    Raises :class:`TaintSpecError`.
    """
    if spec.endswith("-"):
        parsed = _parse_taint(spec[:-1])
        removal: dict[str, Any] = {"key": parsed["key"]}
        if parsed.get("effect"):
            removal["effect"] = parsed["effect"]
        return TaintSpec(removal, True)
    parsed = _parse_taint(spec)
    if not parsed.get("effect"):
        raise TaintSpecError(f"invalid taint spec: {spec}")
    return TaintSpec(parsed, False)


def parse_taint_specs(specs: Iterable[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """kubectl's ``parseTaints``: the taints to add and the taints to remove, in order.

    Besides :func:`parse_taint_spec`'s checks, two added taints may not share a key and
    effect. Raises :class:`TaintSpecError` on the first problem.
    """
    to_add: list[dict[str, Any]] = []
    to_remove: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        taint, remove = parse_taint_spec(spec)
        if remove:
            to_remove.append(taint)
            continue
        identity = (taint["key"], taint["effect"])
        if identity in seen:
            raise TaintSpecError(
                "duplicated taints with the same key and effect: "
                f"{{{taint['key']} {taint.get('value', '')} {taint['effect']} <nil>}}"
            )
        seen.add(identity)
        to_add.append(taint)
    return to_add, to_remove


def _parse_taint(spec: str) -> dict[str, Any]:
    """kubectl's ``parseTaint``: ``<key>=<value>:<effect>``, ``<key>:<effect>`` or ``<key>``."""
    value = ""
    effect = ""
    parts = spec.split(":")
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in _VALID_EFFECTS:
            raise TaintSpecError(f"invalid taint effect: {effect}, unsupported taint effect")
        key_value = parts[0].split("=")
        if len(key_value) > 2:
            raise TaintSpecError(f"invalid taint spec: {spec}")
        key = key_value[0]
        if len(key_value) == 2:
            value = key_value[1]
            if errors := is_valid_label_value(value):
                raise TaintSpecError(f"invalid taint spec: {spec}, {'; '.join(errors)}")
    else:
        raise TaintSpecError(f"invalid taint spec: {spec}")
    if errors := is_qualified_name(key):
        raise TaintSpecError(f"invalid taint spec: {spec}, {'; '.join(errors)}")
    taint: dict[str, Any] = {"key": key}
    if value:
        taint["value"] = value
    if effect:
        taint["effect"] = effect
    return taint
