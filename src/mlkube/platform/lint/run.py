"""Run every rule over the manifests: the registry of rules and the one lint pipeline.

The registry is the group modules' ``RULES`` in id order, as kube-scheduler's registry maps
plugin names to factories; ``lint`` is the only function that runs them. Findings come out
in a deterministic order (the manifests' order, then rule id, field path and message), so
golden files and CI diffs are stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from mlkube.platform.lint import gpu, images, jobs, placement, priority, quota, storage
from mlkube.platform.lint.context import Cluster, LintContext
from mlkube.platform.lint.findings import Finding
from mlkube.platform.lint.manifests import Manifest
from mlkube.platform.lint.rules import Rule

__all__ = ["RULES", "UnknownRule", "lint", "rule"]

RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            *gpu.RULES,
            *jobs.RULES,
            *quota.RULES,
            *storage.RULES,
            *placement.RULES,
            *priority.RULES,
            *images.RULES,
        ),
        key=lambda r: r.id,
    )
)
_BY_ID: Final[Mapping[str, Rule]] = {r.id: r for r in RULES}


class UnknownRule(LookupError):
    """``--explain`` of a rule id that does not exist."""

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        super().__init__(f"no rule {rule_id}; the rules are {', '.join(_BY_ID)}")


def rule(rule_id: str) -> Rule:
    """The rule with this id (case-insensitive), or :class:`UnknownRule`."""
    found = _BY_ID.get(rule_id.upper())
    if found is None:
        raise UnknownRule(rule_id)
    return found


def _manifests(objects: Iterable[Manifest | Mapping[str, Any]]) -> list[Manifest]:
    return [o if isinstance(o, Manifest) else Manifest(o) for o in objects]


def lint(
    objects: Iterable[Manifest | Mapping[str, Any]],
    cluster: Cluster | None = None,
    *,
    namespace: str = "default",
    rules: Sequence[Rule] = RULES,
) -> list[Finding]:
    """Every finding of ``rules`` on ``objects`` (manifests, or bare wire dicts).

    1. Build the context once: index the manifests, find their pod templates, merge the
       cluster's nodes, quotas, LimitRanges, PriorityClasses and claims (``cluster`` is
       the ``--live`` state; None lints the manifests on their own).
    2. Run each rule's check; a hit takes the rule's severity unless it names its own.
    3. Sort: manifest order, then rule id, field path, message.
    """
    ctx = LintContext.build(_manifests(objects), cluster, namespace=namespace)
    findings: list[tuple[int, Finding]] = []
    for r in rules:
        for hit in r.check(ctx):
            m = ctx.manifests[hit.index]
            finding = Finding(
                rule=r.id,
                severity=hit.severity or r.severity,
                kind=m.kind,
                namespace=m.namespace(namespace),
                name=m.name,
                path=hit.path,
                message=hit.message,
                file=m.file,
                line=m.line,
            )
            findings.append((hit.index, finding))
    findings.sort(key=lambda p: (p[0], p[1].rule, p[1].path, p[1].message))
    return [f for _, f in findings]
