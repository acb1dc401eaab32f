"""GPU pods: tolerate the GPU nodes' taint, and ask for whole devices (requests == limits);
pods that ask for no GPU: do not confine them to GPU nodes.

GPU pools are tainted so that ordinary pods stay off them (``nvidia.com/gpu=present:
NoSchedule`` on GKE and most operators), and a GPU pod without the matching toleration
stays Pending forever. With ``--live`` (or Node manifests) the taints are the ones on the
nodes that have the GPU resource, checked with the scheduler's own
``FindMatchingUntoleratedTaint`` (``component-helpers/scheduling/corev1/helpers.go``);
without nodes, the taint keys are the common ones, named after the resource. Extended
resources cannot be overcommitted, so kube-apiserver refuses a request that differs from
its limit, or has no limit (``ValidateResourceRequirements`` in
``pkg/apis/core/validation/validation.go``), with the words quoted here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from mlkube.api import field
from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.quantity import parse_quantity
from mlkube.api.resources import is_hugepage_resource_name, is_native_resource
from mlkube.api.taints import SCHEDULER_FILTER_EFFECTS, find_untolerated_taint, taint_string
from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.fit import allocatable
from mlkube.platform.lint.rules import Rule
from mlkube.platform.lint.workloads import PodTemplate, is_gpu_resource

__all__ = ["CPU_ON_GPU_NODES", "GPU_REQUEST_LIMIT", "GPU_TOLERATION", "RULES", "gpu_nodes"]

MSG_LIMIT_REQUIRED: Final = "Limit must be set for non overcommitable resources"
MSG_MUST_EQUAL: Final = "must be equal to {name} limit of {limit}"
_EXAMPLE_TOLERATION: Final = "{{key: {key}, operator: Exists, effect: NoSchedule}}"


def gpu_nodes(ctx: LintContext) -> list[Mapping[str, Any]]:
    """The known nodes that offer some GPU resource."""
    return [
        n
        for n in ctx.nodes
        if any(is_gpu_resource(r) and q.sign() > 0 for r, q in allocatable(n).items())
    ]


def _taint_key(resource: str) -> str:
    return "nvidia.com/gpu" if resource.startswith("nvidia.com/mig-") else resource


def _tolerates_key(tolerations: Any, key: str) -> bool:
    """Whether some toleration tolerates a ``key=<any value>:NoSchedule`` taint."""
    for t in tolerations or ():
        effect_ok = (t.get("effect") or "NoSchedule") == "NoSchedule"
        if effect_ok and (
            t.get("key") == key or (not t.get("key") and t.get("operator") == "Exists")
        ):
            return True
    return False


def _check_toleration(ctx: LintContext) -> Iterator[Hit]:
    nodes = gpu_nodes(ctx)
    for t in ctx.templates:
        if not t.uses_gpu:
            continue
        tolerations = t.spec.get("tolerations") or ()
        if nodes:
            untolerated = [
                find_untolerated_taint(
                    (n.get("spec") or {}).get("taints"), tolerations, SCHEDULER_FILTER_EFFECTS
                )
                for n in nodes
            ]
            if not all(untolerated):
                continue
            taints = sorted({taint_string(u) for u in untolerated if u})
            first = next(u for u in untolerated if u)
            yield Hit(
                t.manifest.index,
                t.at("tolerations"),
                f"tolerates none of the taints on the {len(nodes)} node(s) with GPUs "
                f"({', '.join(taints)}): the scheduler reports {len(nodes)} node(s) had "
                f"untolerated taint(s) and the pod stays Pending; add a toleration such as "
                + _EXAMPLE_TOLERATION.format(key=first.get("key", "")),
                "error" if ctx.live else None,
            )
            continue
        keys = sorted({_taint_key(r) for r in t.gpu_resources})
        missing = [k for k in keys if not _tolerates_key(tolerations, k)]
        if missing:
            yield Hit(
                t.manifest.index,
                t.at("tolerations"),
                f"requests {', '.join(t.gpu_resources)} but has no toleration for the "
                f"{missing[0]} taint GPU nodes usually carry; add "
                + _EXAMPLE_TOLERATION.format(key=missing[0]),
            )


def _non_overcommitable(name: str) -> bool:
    """``!IsOvercommitAllowed``: extended resources and hugepages."""
    return not is_native_resource(name) or is_hugepage_resource_name(name)


def _container_errors(t: PodTemplate) -> Iterator[tuple[str, field.FieldError]]:
    for list_name, i, container in t.containers:
        resources = container.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        base = field.Path(*t.spec_path.split(".")).child(list_name).index(i).child("resources")
        for name in sorted(requests):
            if not _non_overcommitable(name):
                continue
            request = parse_quantity(str(requests[name]))
            if name not in limits:
                yield name, field.required(base.child("limits"), MSG_LIMIT_REQUIRED)
                continue
            limit = parse_quantity(str(limits[name]))
            if request != limit:
                detail = MSG_MUST_EQUAL.format(name=name, limit=limit)
                yield name, field.invalid(base.child("requests"), str(request), detail)


def _check_request_limit(ctx: LintContext) -> Iterator[Hit]:
    for t in ctx.templates:
        for name, error in _container_errors(t):
            yield Hit(
                t.manifest.index,
                error.field,
                f'Kubernetes rejects the {t.manifest.kind}: "{error}"; set limits.{name} and leave '
                f"requests.{name} out (it defaults to the limit) or equal to it",
            )


def _can_land(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """The scheduler's static filters a pod's own spec decides: required node affinity
    (NodeAffinity) and NoSchedule/NoExecute taints (TaintToleration)."""
    if not RequiredNodeAffinity(pod).match(node):
        return False
    taints = (node.get("spec") or {}).get("taints")
    tolerations = (pod.get("spec") or {}).get("tolerations")
    return find_untolerated_taint(taints, tolerations, SCHEDULER_FILTER_EFFECTS) is None


def _check_cpu_on_gpu(ctx: LintContext) -> Iterator[Hit]:
    nodes = ctx.nodes
    gpu = {id(n) for n in gpu_nodes(ctx)}
    if not gpu or len(gpu) == len(nodes):
        return  # no GPU node, or nothing else to go to
    for t in ctx.templates:
        if t.uses_gpu:
            continue
        landing = [n for n in nodes if _can_land(t.pod, n)]
        if not landing or any(id(n) not in gpu for n in landing):
            continue
        pools = sorted(
            {
                str(((n.get("metadata") or {}).get("labels") or {}).get("mlkube.io/pool", ""))
                for n in landing
            }
            - {""}
        )
        where = f" (pool {', '.join(pools)})" if pools else ""
        yield Hit(
            t.manifest.index,
            t.at(next((k for k in ("affinity", "nodeSelector") if t.spec.get(k)), "tolerations")),
            f"asks for no GPU but can only land on the {len(landing)} node(s) with GPUs"
            f"{where}: it takes CPU and memory the GPU jobs there need; give it a CPU-only "
            "pool (for an mlkube workload, spec.profile), or request the GPUs it uses",
        )


GPU_TOLERATION = Rule(
    id="ML001",
    name="gpu-toleration",
    severity="warning",
    title="GPU pod without a toleration for the GPU nodes' taint",
    explanation=(
        "GPU nodes are tainted (typically nvidia.com/gpu=present:NoSchedule) so that only "
        "pods that ask for GPUs land on them. A pod that requests a GPU but does not tolerate "
        "that taint fits no node: the GPU nodes repel it and the other nodes have no GPU, so "
        "it stays Pending with 'node(s) had untolerated taint(s)'. With --live the taints "
        "checked are the real ones on the nodes that have the GPU resource (an error when "
        "no GPU node is tolerated); without it, the common taint named after the resource."
    ),
    fix=(
        "Add a toleration for the GPU taint to the pod template, e.g. "
        "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}."
    ),
    check=_check_toleration,
)

GPU_REQUEST_LIMIT = Rule(
    id="ML004",
    name="gpu-request-limit",
    severity="error",
    title="GPU request without an equal limit",
    explanation=(
        "GPUs and other extended resources cannot be overcommitted, so Kubernetes requires "
        "their request to equal their limit. A request that differs from the limit is refused "
        "with 'must be equal to nvidia.com/gpu limit of N', and a request without a limit "
        "with 'Limit must be set for non overcommitable resources': the object is never "
        "created (for a Job or Deployment, the API server refuses the whole object)."
    ),
    fix=(
        "Set resources.limits for the GPU and either omit resources.requests for it (it "
        "defaults to the limit) or set it to the same value."
    ),
    check=_check_request_limit,
)

CPU_ON_GPU_NODES = Rule(
    id="ML014",
    name="cpu-pod-on-gpu-nodes",
    severity="warning",
    title="Pod that asks for no GPU confined to GPU nodes",
    explanation=(
        "GPU nodes are the scarce ones: a pod that requests no GPU but whose required node "
        "affinity, nodeSelector and tolerations leave it only GPU nodes takes their CPU and "
        "memory, and a GPU job that needs a whole node then waits with 'Insufficient cpu' "
        "while its GPUs sit idle. This is what a CPU-only sweep or preprocessing job gets "
        "from a profile meant for training. Checked against the live nodes (--live) or the "
        "Node objects among the manifests, with the scheduler's node affinity and taint "
        "rules."
    ),
    fix=(
        "Place it on a CPU pool: for an mlkube workload set spec.profile to a profile whose "
        "pools have no GPUs (e.g. preprocessing); otherwise change the node affinity or "
        "nodeSelector. If it does use a GPU, request it (resources.limits nvidia.com/gpu)."
    ),
    check=_check_cpu_on_gpu,
)

RULES: Final = (GPU_TOLERATION, GPU_REQUEST_LIMIT, CPU_ON_GPU_NODES)
