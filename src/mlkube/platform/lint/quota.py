"""Containers without requests in a namespace whose ResourceQuota limits cpu or memory.

When a ResourceQuota names cpu or memory, kube-apiserver refuses every pod whose
containers do not all state them, with ``failed quota: <quota>: must specify ...``
(``pkg/quota/v1/evaluator/core/pods.go``, ``PodConstraintsFunc``, through
``apiserver/pkg/admission/plugin/resourcequota/controller.go``). For a Job nothing fails
at ``kubectl apply``: the Job is created, and its pods are refused one by one, visible only
as FailedCreate events. The check runs the pod as admission would see it: requests default
to limits (``SetDefaults_Pod``), then the namespace's LimitRange defaults fill what is left
(``SetDefaults_LimitRangeItem`` in ``pkg/apis/core/v1/defaults.go`` and
``mergeContainerResources`` in ``plugin/pkg/admission/limitranger/admission.go``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from mlkube.api.quota import MSG_FAILED_QUOTA, matching_resources, pod_constraints, quota_matches
from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.rules import Rule

__all__ = ["QUOTA_REQUESTS", "RULES", "admitted_pod"]


def _container_defaults(
    limitrange: Mapping[str, Any],
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(default limits, default requests)`` of each Container item, defaulted."""
    result = []
    for item in (limitrange.get("spec") or {}).get("limits") or ():
        if item.get("type") != "Container":
            continue
        limits = dict(item.get("default") or {})
        requests = dict(item.get("defaultRequest") or {})
        for key, value in (item.get("max") or {}).items():
            limits.setdefault(key, value)
        for key, value in limits.items():
            requests.setdefault(key, value)
        for key, value in (item.get("min") or {}).items():
            requests.setdefault(key, value)
        result.append((limits, requests))
    return result


def _admitted_container(
    container: Mapping[str, Any], defaults: Sequence[tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    resources = container.get("resources") or {}
    limits = dict(resources.get("limits") or {})
    requests = dict(resources.get("requests") or {})
    for key, value in limits.items():  # SetDefaults_Pod: a request defaults to its limit
        requests.setdefault(key, value)
    for default_limits, default_requests in defaults:
        for key, value in default_limits.items():
            limits.setdefault(key, value)
        for key, value in default_requests.items():
            requests.setdefault(key, value)
    return {**container, "resources": {**resources, "limits": limits, "requests": requests}}


def admitted_pod(
    pod: Mapping[str, Any], limitranges: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The pod as ResourceQuota admission sees it: API defaults, then LimitRange defaults."""
    defaults = [d for lr in limitranges for d in _container_defaults(lr)]
    spec = dict(pod.get("spec") or {})
    for list_name in ("containers", "initContainers"):
        if spec.get(list_name):
            spec[list_name] = [_admitted_container(c, defaults) for c in spec[list_name]]
    return {**pod, "spec": spec}


def _hard(quota: Mapping[str, Any]) -> list[str]:
    hard = (quota.get("status") or {}).get("hard") or (quota.get("spec") or {}).get("hard") or {}
    return list(hard)


def _check(ctx: LintContext) -> Iterator[Hit]:
    for t in ctx.templates:
        namespace = ctx.namespace_of(t)
        quotas = ctx.quotas(namespace)
        if not quotas:
            continue
        pod = admitted_pod(t.pod, ctx.limitranges(namespace))
        for quota in quotas:  # admission stops at the first quota that refuses
            if not quota_matches(quota, "pods", "", pod):
                continue
            restricted = matching_resources("pods", "", _hard(quota))
            why = pod_constraints(restricted, pod) if restricted else None
            if why is None:
                continue
            name = str((quota.get("metadata") or {}).get("name") or "")
            refusal = MSG_FAILED_QUOTA.format(name=name, why=why)
            yield Hit(
                t.manifest.index,
                _first_offender(t.spec_path, pod, restricted),
                f"ResourceQuota {name} limits {', '.join(sorted(restricted))}: Kubernetes "
                f'refuses the pods with "{refusal}"; set resources.requests and '
                "resources.limits for cpu and memory on every container (or a LimitRange "
                "with defaults in the namespace)",
            )
            break


def _first_offender(spec_path: str, pod: Mapping[str, Any], restricted: list[str]) -> str:
    spec = pod.get("spec") or {}
    for list_name in ("containers", "initContainers"):
        for i, container in enumerate(spec.get(list_name) or ()):
            alone = {"spec": {"containers": [container]}}
            if pod_constraints(restricted, alone) is not None:
                return f"{spec_path}.{list_name}[{i}].resources"
    return f"{spec_path}.containers"


QUOTA_REQUESTS = Rule(
    id="ML005",
    name="quota-requests",
    severity="error",
    title="Container without requests in a namespace with a cpu/memory ResourceQuota",
    explanation=(
        "When a ResourceQuota in the namespace limits cpu or memory (requests.*, limits.* or "
        "the bare names), the API server refuses any pod in which a container or init "
        "container does not state them: 'failed quota: <name>: must specify limits.cpu for: "
        "<containers>; ...'. A bare Pod fails at apply time; a Job or Deployment is created "
        "and then its pods are refused one by one, visible only as FailedCreate events on "
        "the owner. LimitRange defaults in the namespace count, since they are applied first."
    ),
    fix=(
        "Give every container resources.requests and resources.limits for each resource the "
        "quota names, or add a LimitRange with default and defaultRequest to the namespace."
    ),
    check=_check,
)

RULES: Final = (QUOTA_REQUESTS,)
