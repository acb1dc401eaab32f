"""Where pods would go now: the engine's scheduler over a snapshot built from a ClusterState.

The snapshot is :class:`mlkube.engine.scheduler.Snapshot` built straight from the state's
dicts (no API server in between); each pod runs one ``Scheduler.schedule_one`` cycle and,
when placed, is assumed into the snapshot, so the next pod sees it: a gang of N pods is
placed one after another exactly as kube-scheduler would bind them. A pod that fits nowhere
carries the FitError message word for word and, per node class (nodes of one
``mlkube.io/pool``, else nodes alike in allocatable, taints and labels), the reasons, the
untolerated taint, the unmet selector and how much of which resource is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.quantity import Format, Quantity
from mlkube.api.resources import pod_requests
from mlkube.api.taints import SCHEDULER_FILTER_EFFECTS, find_untolerated_taint, taint_string
from mlkube.engine.scheduler import NodeInfo, PodInfo, Scheduler, ScheduleResult, Snapshot
from mlkube.engine.scheduler.framework import FitError, quantities_to_ints
from mlkube.platform.check.report import NodeClassDetail
from mlkube.platform.check.state import ClusterState
from mlkube.platform.names import POOL

__all__ = [
    "Placer",
    "class_details",
    "format_amount",
    "node_classes",
    "pod_label",
    "snapshot_of",
]

_INSUFFICIENT: Final = "Insufficient "
_LABEL_OPERATORS: Final = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})
_HOSTNAME: Final = "kubernetes.io/hostname"
_encode = msgspec.json.Encoder().encode


def pod_label(pod: Mapping[str, Any], *, generated: str = "") -> str:
    """``namespace/name`` (a name still to be generated shows as ``prefix*****``)."""
    meta = pod.get("metadata") or {}
    name = meta.get("name") or f"{meta.get('generateName') or ''}{generated}"
    return f"{meta.get('namespace') or 'default'}/{name}"


def snapshot_of(state: ClusterState, *, with_pods: bool = True) -> Snapshot:
    """The scheduler's view of the state: nodes, bound non-terminal pods, volumes, budgets,
    and the nominations of pending pods (preemptors keep their room)."""
    snapshot = Snapshot(
        state.nodes,
        state.pods if with_pods else (),
        pvcs=state.pvcs,
        pvs=state.pvs,
        storage_classes=state.storage_classes,
        pdbs=state.pdbs,
        namespaces=state.namespaces,
    )
    if with_pods:
        for pod in state.pods:
            nominated = (pod.get("status") or {}).get("nominatedNodeName")
            if nominated and not (pod.get("spec") or {}).get("nodeName"):
                snapshot.nominate(PodInfo(pod), str(nominated))
    return snapshot


def format_amount(resource: str, amount: int) -> str:
    """An amount in the scheduler's units (millicores for cpu) as a quantity string."""
    if resource == "cpu":
        return str(Quantity.from_milli(amount))
    if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        return str(Quantity.from_int(amount, Format.BinarySI))
    return str(Quantity.from_int(amount))


def _signature(node: Mapping[str, Any]) -> bytes:
    meta = node.get("metadata") or {}
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != _HOSTNAME}
    status = node.get("status") or {}
    spec = node.get("spec") or {}
    return _encode((status.get("allocatable"), spec.get("taints"), sorted(labels.items())))


def node_classes(nodes: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Class name -> node names: ``pool <p>`` by the pool label, else ``like <first node>``."""
    classes: dict[str, list[str]] = {}
    by_signature: dict[bytes, str] = {}
    for node in nodes:
        meta = node.get("metadata") or {}
        name = str(meta.get("name") or "")
        pool = (meta.get("labels") or {}).get(POOL)
        if pool:
            key = f"pool {pool}"
        else:
            sig = _signature(node)
            key = by_signature.setdefault(sig, f"like {name}")
        classes.setdefault(key, []).append(name)
    return classes


def _free(info: NodeInfo, resource: str) -> int:
    return info.allocatable.get(resource, 0) - info.requested.get(resource, 0)


def _unmet_terms(spec: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The required node affinity's expressions these labels fail, one text per term."""
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    out: list[str] = []
    for term in required.get("nodeSelectorTerms") or []:
        failed: list[str] = []
        for expr in term.get("matchExpressions") or []:
            op = str(expr.get("operator") or "")
            if op not in _LABEL_OPERATORS:
                continue
            values = [str(v) for v in expr.get("values") or []]
            wanted = {"key": expr.get("key"), "operator": op, "values": values}
            try:
                ok = selector_from_label_selector({"matchExpressions": [wanted]}).matches(labels)
            except SelectorError:
                continue
            if not ok:
                failed.append(f"{expr.get('key')} {op} [{', '.join(values)}]".replace(" []", ""))
        if failed:
            out.append(" and ".join(failed))
    return out


def _class_fix(
    pod: Mapping[str, Any], infos: Sequence[NodeInfo], reasons: Mapping[str, int]
) -> tuple[dict[str, tuple[str, str]], str]:
    """What is missing on the class's nodes, and the one-line fix."""
    requests = quantities_to_ints(pod_requests(pod))
    missing: dict[str, tuple[str, str]] = {}
    fixes: list[str] = []
    for reason in sorted(reasons):
        if reason.startswith(_INSUFFICIENT):
            resource = reason[len(_INSUFFICIENT) :]
            most = max((_free(i, resource) for i in infos), default=0)
            want = requests.get(resource, 0)
            missing[resource] = (
                format_amount(resource, want),
                format_amount(resource, max(most, 0)),
            )
    if missing:
        parts = [
            f"{r} {want} per pod but at most {free} free on one node"
            for r, (want, free) in missing.items()
        ]
        fixes.append(
            "asks " + "; ".join(parts) + ": ask for less, or wait for pods there to finish"
        )
    spec = pod.get("spec") or {}
    if any("taint" in r for r in reasons) and infos:
        taint = next(
            (
                t
                for i in infos
                if (
                    t := find_untolerated_taint(
                        i.taints, spec.get("tolerations"), SCHEDULER_FILTER_EFFECTS
                    )
                )
            ),
            None,
        )
        if taint is not None:
            fixes.append(f"add a toleration for the taint {taint_string(taint)}")
    if any("affinity/selector" in r for r in reasons) and infos:
        labels = infos[0].labels
        unmet = [
            f"{k}={v}"
            for k, v in sorted((spec.get("nodeSelector") or {}).items())
            if labels.get(k) != v
        ]
        if unmet:
            fixes.append(f"the nodeSelector asks {', '.join(unmet)}, which these nodes lack")
        elif not RequiredNodeAffinity(pod).match(infos[0].node):
            terms = _unmet_terms(spec, labels)
            asks = f" ({' or '.join(terms)})" if terms else ""
            fixes.append(f"the required node affinity{asks} matches none of these nodes' labels")
    if any("unschedulable" in r for r in reasons):
        fixes.append("the nodes are cordoned: uncordon them or use another pool")
    if "Too many pods" in reasons:
        fixes.append("the nodes hold their maximum number of pods")
    return missing, "; ".join(fixes)


def class_details(
    pod: Mapping[str, Any], fit: FitError, snapshot: Snapshot, classes: Mapping[str, list[str]]
) -> list[NodeClassDetail]:
    """Per node class: the reasons of its nodes (as FailedScheduling counts them), what is
    missing and the fix."""
    statuses = fit.statuses.statuses
    absent = fit.statuses.absent.reasons
    out: list[NodeClassDetail] = []
    for name, members in classes.items():
        reasons: dict[str, int] = {}
        infos = [i for n in members if (i := snapshot.get(n)) is not None]
        for node in members:
            status = statuses.get(node)
            for reason in status.reasons if status is not None else absent:
                reasons[reason] = reasons.get(reason, 0) + 1
        missing, fix = _class_fix(pod, infos, reasons)
        out.append(NodeClassDetail(name, len(members), reasons, missing, fix))
    return out


@dataclass
class Placed:
    """One pod's cycle: the pod, the scheduler's result, and the nodes that tied for best."""

    pod: Mapping[str, Any]
    result: ScheduleResult
    owner: str = ""
    #: Nodes whose score equals the chosen node's (the scheduler picks one at random).
    tied: list[str] = field(default_factory=list)

    @property
    def node(self) -> str | None:
        return self.result.node_name


def _tied(result: ScheduleResult) -> list[str]:
    if result.node_name is None:
        return []
    if not result.scores:  # the only feasible node: nothing was scored
        return [result.node_name]
    best = result.scores[result.node_name][0]
    return sorted(n for n, (total, _) in result.scores.items() if total == best)


class Placer:
    """Runs pods through one Scheduler over one Snapshot, assuming each placed pod."""

    def __init__(self, snapshot: Snapshot, *, seed: int = 0) -> None:
        self.snapshot = snapshot
        self.scheduler = Scheduler(snapshot, seed=seed)

    def place(
        self,
        pods: Sequence[Mapping[str, Any]],
        owners: Sequence[str] | None = None,
        *,
        explain: bool = False,
        stop_at_failure: bool = False,
    ) -> list[Placed]:
        """One cycle per pod, in order. A pod of the same owner as a pod that just failed
        without preempting gets the same result (the snapshot has not changed, so the
        scheduler would say the same); ``stop_at_failure`` stops at the first failure.
        ``explain`` records the nodes that tie for the best score."""
        out: list[Placed] = []
        failed: dict[str, ScheduleResult] = {}
        for i, pod in enumerate(pods):
            owner = owners[i] if owners is not None else ""
            previous = failed.get(owner) if owner else None
            if previous is not None:
                result = ScheduleResult(PodInfo(pod).key, fit_error=previous.fit_error)
                result.error = previous.error
            else:
                result = self.scheduler.schedule_one(pod, explain=explain)
            out.append(Placed(pod, result, owner, _tied(result)))
            if result.node_name is None:
                if stop_at_failure:
                    break
                if owner and not result.nominated_node_name:
                    failed[owner] = result
        return out

    def forget(self, placed: Iterable[Placed]) -> None:
        """Un-assume placed pods and drop nominations (to try again at another time)."""
        for p in placed:
            key = p.result.pod_key
            self.snapshot.remove_pod(key)
            self.snapshot.nominated.pop(key, None)
