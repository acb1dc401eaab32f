"""Node selectors and node affinity: which nodes a pod's placement rules allow or prefer.

The scheduler's NodeAffinity filter and score, the DaemonSet controller, ``explain`` and
``lint`` all ask the same question of a node, so the answer is compiled here once per
pod and then matched against every node cheaply. A port of, at Kubernetes v1.37:

- ``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go``
  (``LazyErrorNodeSelector``, ``NewNodeSelector``, ``PreferredSchedulingTerms``,
  ``GetRequiredNodeAffinity``),
- ``staging/src/k8s.io/apimachinery/pkg/labels/selector.go`` (``NewRequirement``, whose
  checks and messages come from :mod:`mlkube.api.labels`, and ``Requirement.Matches``,
  precompiled here), and ``fields`` one-term selectors for ``matchFields``.

Rules worth knowing: terms are ORed and the expressions of one term ANDed; a term with
neither ``matchExpressions`` nor ``matchFields`` matches nothing; an invalid term matches
nothing and its errors are reported only when no other term matched (upstream's lazy
errors); ``matchFields`` sees only ``metadata.name``, and is skipped entirely for a node
with no name, as upstream.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from mlkube.api import labels as label_selectors
from mlkube.api.field import FieldError, Path, aggregate_message, invalid, not_supported

__all__ = [
    "NodeSelectorMatcher",
    "PreferredSchedulingTerms",
    "RequiredNodeAffinity",
    "match_label_selector_requirement",
    "node_selector_requirements_match",
    "preferred_affinity_score",
    "required_affinity_matches",
]

_IN, _NOT_IN, _EXISTS, _DOES_NOT_EXIST, _GT, _LT = range(6)
_OPERATORS: Final[Mapping[str, int]] = {
    "In": _IN,
    "NotIn": _NOT_IN,
    "Exists": _EXISTS,
    "DoesNotExist": _DOES_NOT_EXIST,
    "Gt": _GT,
    "Lt": _LT,
}
_VALID_SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_VALID_FIELD_OPERATORS: Final = ("In", "NotIn")
_SELECTION: Final[Mapping[int, str]] = {
    _IN: label_selectors.IN,
    _NOT_IN: label_selectors.NOT_IN,
    _EXISTS: label_selectors.EXISTS,
    _DOES_NOT_EXIST: label_selectors.DOES_NOT_EXIST,
    _GT: label_selectors.GREATER_THAN,
    _LT: label_selectors.LESS_THAN,
}

# (operator, key, values, number): values as a frozenset, number the parsed Gt/Lt bound.
_Requirement = tuple[int, str, frozenset[str], int]
# (key, value, equal): a fields one-term selector.
_FieldRequirement = tuple[str, str, bool]


_GO_INT: Final = re.compile(r"[+-]?[0-9]+")


def _parse_int64(value: str) -> int | None:
    """Go's ``strconv.ParseInt(value, 10, 64)``: a sign and leading zeros are fine."""
    if not _GO_INT.fullmatch(value):
        return None
    number = int(value)
    return number if -(1 << 63) <= number < (1 << 63) else None


# --- compiling requirements ----------------------------------------------------------------


def _compile_expressions(
    expressions: Sequence[Mapping[str, Any]], path: Path
) -> tuple[list[_Requirement], list[FieldError]]:
    """``nodeSelectorRequirementsAsSelector``: validate each expression as
    ``labels.NewRequirement`` does (:func:`mlkube.api.labels.new_requirement`), then
    precompile it for fast matching."""
    requirements: list[_Requirement] = []
    errors: list[FieldError] = []
    for i, expression in enumerate(expressions):
        p = path.index(i)
        operator_name = expression.get("operator") or ""
        operator = _OPERATORS.get(operator_name)
        if operator is None:
            errors.append(
                not_supported(p.child("operator"), operator_name, _VALID_SELECTOR_OPERATORS)
            )
            continue
        raw_values = expression.get("values")  # None is Go's nil slice, printed null
        try:
            requirement = label_selectors.new_requirement(
                expression.get("key") or "", _SELECTION[operator], raw_values, p
            )
        except label_selectors.SelectorError as error:
            errors.extend(error.errors)
            continue
        values = requirement.values
        number = _parse_int64(values[0]) if operator in (_GT, _LT) else None
        requirements.append((operator, requirement.key, frozenset(values), number or 0))
    return requirements, errors


def _compile_fields(
    expressions: Sequence[Mapping[str, Any]], path: Path
) -> tuple[list[_FieldRequirement], list[FieldError]]:
    """``nodeSelectorRequirementsAsFieldSelector``: In/NotIn with exactly one value."""
    requirements: list[_FieldRequirement] = []
    errors: list[FieldError] = []
    for i, expression in enumerate(expressions):
        p = path.index(i)
        operator = expression.get("operator") or ""
        raw_values = expression.get("values")  # None is Go's nil slice, printed null
        values = list(raw_values or ())
        if operator in _VALID_FIELD_OPERATORS:
            if len(values) != 1:
                errors.append(invalid(p.child("values"), raw_values, "must have one element"))
            else:
                requirements.append((expression.get("key") or "", values[0], operator == "In"))
        else:
            errors.append(not_supported(p.child("operator"), operator, _VALID_FIELD_OPERATORS))
    return requirements, errors


def _requirement_matches(requirement: _Requirement, labels: Mapping[str, str]) -> bool:
    """``labels.Requirement.Matches``."""
    operator, key, values, number = requirement
    value = labels.get(key)
    if operator == _IN:
        return value is not None and value in values
    if operator == _NOT_IN:
        return value is None or value not in values
    if operator == _EXISTS:
        return value is not None
    if operator == _DOES_NOT_EXIST:
        return value is None
    if value is None:
        return False
    actual = _parse_int64(value)
    if actual is None:
        return False
    return actual > number if operator == _GT else actual < number


@dataclasses.dataclass(frozen=True, slots=True)
class _Term:
    """One compiled ``NodeSelectorTerm``; ``None`` means that half of the term is absent."""

    labels: tuple[_Requirement, ...] | None
    fields: tuple[_FieldRequirement, ...] | None
    errors: tuple[FieldError, ...]

    def matches(self, labels: Mapping[str, str], name: str) -> bool:
        if self.errors:
            return False
        if self.labels is not None and not all(
            _requirement_matches(r, labels) for r in self.labels
        ):
            return False
        if self.fields is not None and name:
            for key, value, equal in self.fields:
                actual = name if key == "metadata.name" else ""
                if (actual == value) is not equal:
                    return False
        return True


def _is_empty_term(term: Mapping[str, Any]) -> bool:
    return not term.get("matchExpressions") and not term.get("matchFields")


def _compile_term(term: Mapping[str, Any], path: Path) -> _Term:
    """``newNodeSelectorTerm``."""
    errors: list[FieldError] = []
    labels: tuple[_Requirement, ...] | None = None
    fields: tuple[_FieldRequirement, ...] | None = None
    if expressions := term.get("matchExpressions"):
        compiled, errs = _compile_expressions(expressions, path.child("matchExpressions"))
        labels, errors = tuple(compiled), errors + errs
    if field_expressions := term.get("matchFields"):
        compiled_fields, errs = _compile_fields(field_expressions, path.child("matchFields"))
        fields, errors = tuple(compiled_fields), errors + errs
    return _Term(labels, fields, tuple(errors))


def _node_labels(node: Mapping[str, Any]) -> Mapping[str, str]:
    return (node.get("metadata") or {}).get("labels") or {}


def _node_name(node: Mapping[str, Any]) -> str:
    return str((node.get("metadata") or {}).get("name") or "")


# --- public matchers -----------------------------------------------------------------------


class NodeSelectorMatcher:
    """A compiled ``v1.NodeSelector``: build once per pod, then :meth:`match` every node.

    Behaves as upstream's ``LazyErrorNodeSelector``: invalid terms never match, and their
    errors (:attr:`errors`, the messages of ``NewNodeSelector``) surface from
    :meth:`match_with_error` only when no term matched.
    """

    __slots__ = ("_terms", "errors")

    def __init__(self, node_selector: Mapping[str, Any] | None) -> None:
        path = Path("nodeSelectorTerms")
        self._terms: tuple[_Term, ...] = tuple(
            _compile_term(term, path.index(i))
            for i, term in enumerate((node_selector or {}).get("nodeSelectorTerms") or ())
            if not _is_empty_term(term)
        )
        #: Every parse error in the selector, in term order (``NewNodeSelector``'s errors).
        self.errors: tuple[FieldError, ...] = tuple(e for t in self._terms for e in t.errors)

    def match(self, node: Mapping[str, Any]) -> bool:
        """Whether some term matches the node's labels and ``metadata.name``."""
        labels, name = _node_labels(node), _node_name(node)
        return any(term.matches(labels, name) for term in self._terms)

    def match_with_error(self, node: Mapping[str, Any]) -> tuple[bool, str | None]:
        """``LazyErrorNodeSelector.Match``: parse errors come back only if nothing matched."""
        if self.match(node):
            return True, None
        return False, aggregate_message(self.errors) or None


class RequiredNodeAffinity:
    """``GetRequiredNodeAffinity``: ``spec.nodeSelector`` AND the required node affinity."""

    __slots__ = ("_affinity", "_node_selector")

    def __init__(self, pod: Mapping[str, Any]) -> None:
        spec = pod.get("spec") or {}
        self._node_selector: tuple[tuple[str, str], ...] = tuple(
            (spec.get("nodeSelector") or {}).items()
        )
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        self._affinity = None if required is None else NodeSelectorMatcher(required)

    @property
    def is_empty(self) -> bool:
        """No nodeSelector and no required affinity: every node passes (PreFilter's Skip)."""
        return not self._node_selector and self._affinity is None

    def match(self, node: Mapping[str, Any]) -> bool:
        """Whether the pod's nodeSelector and required node affinity both allow the node."""
        return self.match_with_error(node)[0]

    def match_with_error(self, node: Mapping[str, Any]) -> tuple[bool, str | None]:
        """``RequiredNodeAffinity.Match``: the affinity's lazy parse errors, if any."""
        labels = _node_labels(node)
        for key, value in self._node_selector:
            if labels.get(key) != value:
                return False, None
        if self._affinity is not None:
            return self._affinity.match_with_error(node)
        return True, None


class PreferredSchedulingTerms:
    """Compiled ``preferredDuringSchedulingIgnoredDuringExecution`` terms.

    Terms with weight 0 or an empty preference are skipped (and never reported as
    invalid), as upstream. :attr:`errors` holds the other terms' parse errors, whose
    field paths start at the term index (``[0].matchFields[0].values``); an invalid term
    never adds to the score.
    """

    __slots__ = ("_terms", "errors")

    def __init__(self, terms: Iterable[Mapping[str, Any]] | None) -> None:
        compiled: list[tuple[_Term, int]] = []
        errors: list[FieldError] = []
        for i, term in enumerate(terms or ()):
            weight = int(term.get("weight") or 0)
            preference = term.get("preference") or {}
            if weight == 0 or _is_empty_term(preference):
                continue
            parsed = _compile_term(preference, Path("x"))
            if parsed.errors:
                errors.extend(
                    dataclasses.replace(e, field=f"[{i}]" + e.field.removeprefix("x"))
                    for e in parsed.errors
                )
            else:
                compiled.append((parsed, weight))
        self._terms: tuple[tuple[_Term, int], ...] = tuple(compiled)
        self.errors: tuple[FieldError, ...] = tuple(errors)

    @classmethod
    def of_pod(cls, pod: Mapping[str, Any]) -> PreferredSchedulingTerms:
        """The pod's preferred node-affinity terms."""
        node_affinity = ((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}
        return cls(node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution"))

    def score(self, node: Mapping[str, Any]) -> int:
        """The sum of the weights of the terms that match the node."""
        labels, name = _node_labels(node), _node_name(node)
        return sum(weight for term, weight in self._terms if term.matches(labels, name))


def required_affinity_matches(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """One-shot :class:`RequiredNodeAffinity` match; compile once instead in a hot loop."""
    return RequiredNodeAffinity(pod).match(node)


def preferred_affinity_score(pod: Mapping[str, Any], node: Mapping[str, Any]) -> int:
    """One-shot :class:`PreferredSchedulingTerms` score; compile once instead in a hot loop."""
    return PreferredSchedulingTerms.of_pod(pod).score(node)


def node_selector_requirements_match(
    requirements: Sequence[Mapping[str, Any]] | None, labels: Mapping[str, str] | None
) -> bool:
    """Whether labels satisfy all of a list of ``NodeSelectorRequirement``s.

    As ``nodeSelectorRequirementsAsSelector`` then ``Matches``: an empty list selects
    nothing, and a list with any invalid requirement matches nothing.
    """
    if not requirements:
        return False
    compiled, errors = _compile_expressions(requirements, Path("matchExpressions"))
    if errors:
        return False
    return all(_requirement_matches(r, labels or {}) for r in compiled)


_LABEL_SELECTOR_OPERATORS: Final[Mapping[str, int]] = {
    "In": _IN,
    "NotIn": _NOT_IN,
    "Exists": _EXISTS,
    "DoesNotExist": _DOES_NOT_EXIST,
}


def match_label_selector_requirement(
    requirement: Mapping[str, Any], labels: Mapping[str, str] | None
) -> bool:
    """Whether labels satisfy one ``metav1.LabelSelectorRequirement`` (In, NotIn, Exists,
    DoesNotExist, as ``labels.Requirement.Matches``); any other operator matches nothing."""
    operator = _LABEL_SELECTOR_OPERATORS.get(requirement.get("operator") or "")
    if operator is None:
        return False
    compiled: _Requirement = (
        operator,
        requirement.get("key") or "",
        frozenset(requirement.get("values") or ()),
        0,
    )
    return _requirement_matches(compiled, labels or {})
