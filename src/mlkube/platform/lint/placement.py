"""Pods no known node can take: affinity that matches no node, requests larger than any node.

Both are permanent (no amount of waiting or preemption helps), so ``lint`` flags them
before submission. The nodes are the live cluster's with ``--live`` (then an error: the
pod can never schedule) and any Node manifests (a warning: the list may be partial).
Matching is the scheduler's own (``GetRequiredNodeAffinity`` through
:class:`mlkube.api.nodeaffinity.RequiredNodeAffinity`), fit is ``noderesources/fit.go`` on
an empty node, and the quoted message is the scheduler's FitError
(:mod:`mlkube.platform.lint.fit`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.quantity import Quantity
from mlkube.api.resources import pod_requests
from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit, Severity
from mlkube.platform.lint.fit import REASON_AFFINITY, allocatable, fit_error, insufficient
from mlkube.platform.lint.rules import Rule

__all__ = ["AFFINITY_NO_NODE", "EXCEEDS_NODE", "RULES"]

_REQUIRED: Final = ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")


def _severity(ctx: LintContext) -> Severity | None:
    return "error" if ctx.live else None


def _selector_keys(spec: Mapping[str, Any]) -> list[str]:
    keys = list(spec.get("nodeSelector") or {})
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(_REQUIRED[2]) or {}
    for term in required.get("nodeSelectorTerms") or ():
        keys += [e.get("key", "") for e in term.get("matchExpressions") or ()]
    return list(dict.fromkeys(k for k in keys if k))


def _labels_hint(keys: Sequence[str], nodes: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for key in keys:
        values = sorted(
            {
                str(v)
                for n in nodes
                if (v := ((n.get("metadata") or {}).get("labels") or {}).get(key)) is not None
            }
        )
        parts.append(f"{key} in {{{', '.join(values)}}}" if values else f"no node has {key}")
    return "; ".join(parts)


def _check_affinity(ctx: LintContext) -> Iterator[Hit]:
    nodes = ctx.nodes
    if not nodes:
        return
    for t in ctx.templates:
        pod = t.pod
        affinity = RequiredNodeAffinity(pod)
        if affinity.is_empty or any(affinity.match(n) for n in nodes):
            continue
        by_selector = RequiredNodeAffinity({"spec": {"nodeSelector": t.spec.get("nodeSelector")}})
        selector_fails = not by_selector.is_empty and not any(by_selector.match(n) for n in nodes)
        path = t.at("nodeSelector") if selector_fails else t.at(*_REQUIRED)
        yield Hit(
            t.manifest.index,
            path,
            f"required node affinity/nodeSelector matches none of the {len(nodes)} known "
            f'node(s): the scheduler reports "{len(nodes)} {REASON_AFFINITY}"; the nodes '
            f"carry {_labels_hint(_selector_keys(t.spec), nodes)}",
            _severity(ctx),
        )


def _largest(name: str, nodes: Sequence[Mapping[str, Any]]) -> Quantity:
    zero = Quantity.from_int(0)
    return max((allocatable(n).get(name, zero) for n in nodes), default=zero)


def _check_exceeds(ctx: LintContext) -> Iterator[Hit]:
    nodes = ctx.nodes
    if not nodes:
        return
    for t in ctx.templates:
        pod = t.pod
        if any(not insufficient(pod, n) for n in nodes):
            continue
        requests = pod_requests(pod)
        too_big = sorted(
            name
            for name, want in requests.items()
            if want > _largest(name, nodes) and name != "pods"
        )
        detail = ", ".join(
            f"{n} {requests[n]} (largest node: {_largest(n, nodes)})" for n in too_big
        )
        what = f"requests {detail}" if detail else "requests fit no single node"
        yield Hit(
            t.manifest.index,
            t.at("containers"),
            f"{what}: it can never schedule, the scheduler reports "
            f'"{fit_error(pod, nodes)}"; request at most what one node allocates, or split '
            "the work across more pods",
            _severity(ctx),
        )


AFFINITY_NO_NODE = Rule(
    id="ML007",
    name="affinity-no-node",
    severity="warning",
    title="Required node affinity or nodeSelector that matches no node",
    explanation=(
        "spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution are hard "
        "constraints: a pod whose selector matches no node stays Pending with 'node(s) "
        "didn't match Pod's node affinity/selector' until a matching node appears, which for "
        "a misspelt pool label is never. The nodes checked are the live cluster's (--live, an "
        "error) or the Node objects among the manifests (a warning)."
    ),
    fix=(
        "Use a label the target pool's nodes actually carry (kubectl get nodes --show-labels); "
        "the finding lists the values the known nodes have for each key."
    ),
    check=_check_affinity,
)

EXCEEDS_NODE = Rule(
    id="ML012",
    name="exceeds-largest-node",
    severity="warning",
    title="Pod requests more than any node can allocate",
    explanation=(
        "The scheduler places a pod on one node, so a pod whose requests exceed every node's "
        "allocatable can never run: it stays Pending with '0/N nodes are available: N "
        "Insufficient <resource>.', and the cluster autoscaler cannot help unless it can add "
        "a larger node type. Checked against the live nodes (--live, an error) or the Node "
        "objects among the manifests (a warning)."
    ),
    fix=(
        "Request at most one node's allocatable (e.g. 8 GPUs on 8-GPU nodes), and use several "
        "pods (an Indexed Job, a distributed training launcher) for more."
    ),
    check=_check_exceeds,
)

RULES: Final = (AFFINITY_NO_NODE, EXCEEDS_NODE)
