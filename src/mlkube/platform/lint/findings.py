"""What a lint rule reports: one finding per problem, on one object, at one field.

A finding is data (rule id, severity, the object, the field path, a sentence that says the
problem and the fix), so every renderer (text, JSON, SARIF) prints the same words; the
sentence quotes Kubernetes' own refusal where the two overlap, as kube-apiserver's
``field.Error`` and the scheduler's FitError do (``apimachinery/pkg/util/validation/field``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["SEVERITIES", "Finding", "Hit", "Severity", "at_least", "severity_rank"]

Severity = Literal["error", "warning", "info"]

#: Most severe first.
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info")


def severity_rank(severity: Severity) -> int:
    """0 for error, 1 for warning, 2 for info."""
    return SEVERITIES.index(severity)


def at_least(severity: Severity, minimum: Severity) -> bool:
    """Whether ``severity`` is ``minimum`` or more severe."""
    return severity_rank(severity) <= severity_rank(minimum)


@dataclass(frozen=True)
class Hit:
    """What a rule's check yields: the object (by its position), the field, the sentence.

    ``severity`` overrides the rule's default when the evidence is stronger (a live
    cluster proves the pod can never schedule) or weaker.
    """

    index: int
    path: str
    message: str
    severity: Severity | None = None


@dataclass(frozen=True)
class Finding:
    """One problem on one object, ready for any renderer."""

    rule: str
    severity: Severity
    kind: str
    namespace: str | None
    name: str
    path: str
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def object_ref(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` when cluster-scoped)."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"
