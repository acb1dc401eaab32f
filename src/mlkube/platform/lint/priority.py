"""Priorities: GPU workloads should say how much they matter, and name a class that exists.

Without ``priorityClassName`` a pod gets the ``globalDefault`` PriorityClass, or priority 0,
so an expensive training run can neither preempt nor be protected from preemption by
whatever else is queued. A name that does not exist is worse: the Priority admission plugin
refuses the pod with ``no PriorityClass with name <name> was found``
(``plugin/pkg/admission/priority/admission.go``, whose words are quoted); the two built-in
classes always exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.rules import Rule

__all__ = ["PRIORITY", "RULES"]

MSG_NOT_FOUND: Final = "no PriorityClass with name {name} was found"
SYSTEM_CLASSES: Final = frozenset({"system-cluster-critical", "system-node-critical"})


def _check(ctx: LintContext) -> Iterator[Hit]:
    classes = {str((c.get("metadata") or {}).get("name") or ""): c for c in ctx.priorityclasses}
    has_default = any(c.get("globalDefault") for c in classes.values())
    for t in ctx.templates:
        name = t.spec.get("priorityClassName")
        path = t.at("priorityClassName")
        if name:
            if classes and name not in classes and name not in SYSTEM_CLASSES:
                known = ", ".join(sorted(classes))
                yield Hit(
                    t.manifest.index,
                    path,
                    f'Kubernetes refuses the pods: "{MSG_NOT_FOUND.format(name=name)}"; use one '
                    f"of {known}",
                    "error",
                )
            continue
        if not t.uses_gpu or has_default:
            continue
        if classes:
            yield Hit(
                t.manifest.index,
                path,
                "GPU workload has no priorityClassName and no PriorityClass is the global "
                f"default, so it runs at priority 0; set one of {', '.join(sorted(classes))}",
                "warning",
            )
        else:
            yield Hit(
                t.manifest.index,
                path,
                "GPU workload has no priorityClassName: it runs at the default priority and "
                "can neither preempt nor be protected; set the class your platform defines "
                "for training",
            )


PRIORITY = Rule(
    id="ML008",
    name="gpu-priority",
    severity="info",
    title="GPU workload without a priorityClassName (or naming one that does not exist)",
    explanation=(
        "A pod's priority decides who preempts whom when GPUs run out. Without "
        "priorityClassName a pod gets the globalDefault PriorityClass, or 0: a GPU workload "
        "then competes with everything else. With known PriorityClasses (--live, or in the "
        "manifests) and no global default this is a warning; otherwise info. A "
        "priorityClassName that names no PriorityClass is an error for any pod: admission "
        "refuses it with 'no PriorityClass with name <name> was found'."
    ),
    fix="Set spec.priorityClassName to one of the cluster's PriorityClasses meant for training.",
    check=_check,
)

RULES: Final = (PRIORITY,)
