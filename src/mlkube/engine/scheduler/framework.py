"""The scheduling framework's vocabulary: statuses, cycle state, per-node and per-pod caches,
and one Protocol per extension point.

Every plugin and both scheduling paths (the per-node reference path and the vectorised one)
speak these types, so a plugin can be checked by mypy against its extension point and a
rejection carries kube-scheduler's own sentence as data. Follows, at Kubernetes v1.37,
``staging/src/k8s.io/kube-scheduler/framework/interface.go`` (``Code``, ``Status``, the plugin
interfaces), ``pkg/scheduler/framework/cycle_state.go`` and ``pkg/scheduler/framework/types.go``
(``NodeInfo``, ``PodInfo``, ``AffinityTerm``, ``Resource``, ``HostPortInfo``).

Conventions: a plugin returns ``None`` for Success (the hot path allocates nothing); pods and
nodes are wire-form dicts that no plugin ever mutates; resource amounts are ints, cpu in
millicores and everything else in base units, exactly as upstream's ``Resource``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import msgspec

from mlkube.api.labels import Selector, SelectorError, selector_from_label_selector
from mlkube.api.resources import (
    is_extended_resource_name,
    is_hugepage_resource_name,
    is_prefixed_native_resource,
    non_zero_pod_requests,
    pod_requests,
)

if TYPE_CHECKING:
    from mlkube.engine.scheduler.snapshot import Snapshot

__all__ = [
    "MAX_NODE_SCORE",
    "SKIP",
    "AffinityTerm",
    "BindPlugin",
    "Code",
    "CycleState",
    "FilterPlugin",
    "FitError",
    "Handle",
    "NodeInfo",
    "NodeToStatus",
    "Plugin",
    "PodInfo",
    "PostFilterPlugin",
    "PostFilterResult",
    "PreFilterPlugin",
    "PreFilterResult",
    "PreScorePlugin",
    "ReservePlugin",
    "ScorePlugin",
    "Status",
    "WeightedAffinityTerm",
    "is_scalar_resource_name",
    "pod_key",
    "quantities_to_ints",
]

#: The highest score a Score plugin may give a node after normalisation (``MaxNodeScore``).
MAX_NODE_SCORE: Final = 100

CPU: Final = "cpu"
MEMORY: Final = "memory"
EPHEMERAL_STORAGE: Final = "ephemeral-storage"
PODS: Final = "pods"


class Code(enum.IntEnum):
    """A status code (``fwk.Code``); the order is upstream's."""

    Success = 0
    Error = 1
    Unschedulable = 2
    UnschedulableAndUnresolvable = 3
    Wait = 4
    Skip = 5
    Pending = 6


class Status:
    """The result of running a plugin: a code, reasons for a person, the plugin that said it.

    ``message()`` joins the reasons with ``", "`` (``Status.Message``). ``None`` stands for
    Success everywhere a plugin returns a status.
    """

    __slots__ = ("code", "plugin", "reasons")

    def __init__(self, code: Code, *reasons: str, plugin: str = "") -> None:
        self.code = code
        self.reasons: tuple[str, ...] = reasons
        self.plugin = plugin

    def message(self) -> str:
        return ", ".join(self.reasons)

    def is_success(self) -> bool:
        return self.code is Code.Success

    def is_rejected(self) -> bool:
        """Unschedulable, UnschedulableAndUnresolvable or Pending (``IsRejected``)."""
        return self.code in (Code.Unschedulable, Code.UnschedulableAndUnresolvable, Code.Pending)

    def with_plugin(self, plugin: str) -> Status:
        return Status(self.code, *self.reasons, plugin=plugin)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return (self.code, self.reasons) == (other.code, other.reasons)

    def __hash__(self) -> int:
        return hash((self.code, self.reasons))

    def __repr__(self) -> str:
        plugin = f", plugin={self.plugin!r}" if self.plugin else ""
        return f"Status({self.code.name}, {list(self.reasons)!r}{plugin})"


def _status_code(status: Status | None) -> Code:
    return Code.Success if status is None else status.code


class CycleState:
    """Data plugins share within one scheduling cycle, keyed by a string (``CycleState``).

    Written at PreFilter/PreScore and read at Filter/Score; never shared between pods.
    ``skip_filter`` / ``skip_score`` hold the plugins whose PreFilter/PreScore returned Skip.
    """

    __slots__ = ("_data", "skip_filter", "skip_score")

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self.skip_filter: set[str] = set()
        self.skip_score: set[str] = set()

    def write(self, key: str, value: object) -> None:
        self._data[key] = value

    def read(self, key: str) -> object:
        return self._data.get(key)

    def clone(self) -> CycleState:
        copy = CycleState()
        copy._data = dict(self._data)
        copy.skip_filter = set(self.skip_filter)
        copy.skip_score = set(self.skip_score)
        return copy


# --- resources -----------------------------------------------------------------------------


def is_scalar_resource_name(name: str) -> bool:
    """Extended, hugepages, ``*kubernetes.io/``-prefixed or attachable-volumes resources.

    ``IsScalarResourceName``.
    """
    return (
        is_extended_resource_name(name)
        or is_hugepage_resource_name(name)
        or is_prefixed_native_resource(name)
        or name.startswith("attachable-volumes-")
    )


def quantities_to_ints(resources: Mapping[str, Any]) -> dict[str, int]:
    """A ResourceList as upstream's ``Resource``: cpu in millicores, the rest in base units.

    Only cpu, memory, ephemeral-storage, pods and scalar resources are kept (``Resource.Add``).
    """
    from mlkube.api.quantity import Quantity, milli_value_of, value_of

    out: dict[str, int] = {}
    for name, raw in resources.items():
        if name not in (CPU, MEMORY, EPHEMERAL_STORAGE, PODS) and not is_scalar_resource_name(name):
            continue
        if isinstance(raw, Quantity):
            out[name] = raw.milli_value() if name == CPU else raw.value()
        else:
            text = str(raw)
            out[name] = milli_value_of(text) if name == CPU else value_of(text)
    return out


# --- pods ----------------------------------------------------------------------------------


def pod_key(pod: Mapping[str, Any]) -> str:
    """The cache key of a pod: its uid, else ``namespace/name``."""
    meta = pod.get("metadata") or {}
    uid = meta.get("uid")
    if uid:
        return str(uid)
    return f"{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"


@dataclass(frozen=True, slots=True)
class AffinityTerm:
    """A compiled ``PodAffinityTerm`` (``fwk.AffinityTerm``).

    ``namespaces`` is the term's list, or the pod's own namespace when the term names neither
    namespaces nor a namespaceSelector; ``namespace_selector`` is ``None`` when absent.
    """

    namespaces: frozenset[str]
    selector: Selector
    topology_key: str
    namespace_selector: Selector | None

    def matches(self, pod: PodInfo, namespace_labels: Mapping[str, str] | None) -> bool:
        """``AffinityTerm.Matches``: namespace (listed or selected), then the label selector."""
        if pod.namespace in self.namespaces or (
            self.namespace_selector is not None
            and namespace_labels is not None
            and self.namespace_selector.matches(namespace_labels)
        ):
            return self.selector.matches(pod.labels)
        return False


@dataclass(frozen=True, slots=True)
class WeightedAffinityTerm:
    term: AffinityTerm
    weight: int


def _affinity_term(
    namespace: str, raw: Mapping[str, Any], labels: Mapping[str, str]
) -> AffinityTerm:
    selector = selector_from_label_selector(_merge_match_label_keys(raw, labels))
    names = raw.get("namespaces") or []
    ns_raw = raw.get("namespaceSelector")
    namespaces = frozenset(names) if (names or ns_raw is not None) else frozenset({namespace})
    ns_selector = None if ns_raw is None else selector_from_label_selector(ns_raw)
    return AffinityTerm(namespaces, selector, str(raw.get("topologyKey") or ""), ns_selector)


def _merge_match_label_keys(
    raw: Mapping[str, Any], labels: Mapping[str, str]
) -> Mapping[str, Any] | None:
    """matchLabelKeys / mismatchLabelKeys are folded into the selector by the API server;
    a term that still carries them is read as upstream's ``MergeLabelKeys`` would."""
    selector = raw.get("labelSelector")
    match_keys = raw.get("matchLabelKeys") or []
    mismatch_keys = raw.get("mismatchLabelKeys") or []
    if selector is None or (not match_keys and not mismatch_keys):
        return selector
    expressions = list(selector.get("matchExpressions") or [])
    for key in match_keys:
        if key in labels:
            expressions.append({"key": key, "operator": "In", "values": [labels[key]]})
    for key in mismatch_keys:
        if key in labels:
            expressions.append({"key": key, "operator": "NotIn", "values": [labels[key]]})
    return {**selector, "matchExpressions": expressions}


_NO_AFFINITY: Final[tuple[Any, ...]] = ((), (), (), (), None)

#: Status(Skip), shared: plugins return it from PreFilter/PreScore when they have nothing to do.
SKIP: Final = Status(Code.Skip)


class PodInfo:
    """A pod parsed once for scheduling (``PodInfo`` plus the resource totals NodeInfo adds).

    ``requests`` are ``resource.PodRequests`` as ints; ``non_zero_cpu``/``non_zero_memory``
    the scheduler's non-zero requests; ``host_ports`` the (ip, protocol, port) triples of
    containers' hostPorts; the affinity terms are compiled lazily and cached.
    """

    __slots__ = (
        "_affinity",
        "has_pod_affinity",
        "host_ports",
        "key",
        "labels",
        "name",
        "namespace",
        "node_name",
        "non_zero_cpu",
        "non_zero_memory",
        "pod",
        "priority",
        "requests",
    )

    def __init__(self, pod: Mapping[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod: Mapping[str, Any] = pod
        self.key = pod_key(pod)
        self.name: str = meta.get("name") or ""
        self.namespace: str = meta.get("namespace") or "default"
        self.labels: Mapping[str, str] = meta.get("labels") or {}
        self.node_name: str = spec.get("nodeName") or ""
        self.priority: int = int(spec.get("priority") or 0)
        self.requests, self.non_zero_cpu, self.non_zero_memory, self.host_ports = _pod_totals(spec)
        self._affinity: tuple[Any, ...] | None = None
        affinity = spec.get("affinity") or {}
        self.has_pod_affinity: bool = bool(
            affinity.get("podAffinity") or affinity.get("podAntiAffinity")
        )

    def _compile_affinity(self) -> tuple[Any, ...]:
        if self._affinity is None and not self.has_pod_affinity:
            self._affinity = _NO_AFFINITY
        if self._affinity is None:
            affinity = (self.pod.get("spec") or {}).get("affinity") or {}
            pa = affinity.get("podAffinity") or {}
            paa = affinity.get("podAntiAffinity") or {}
            req = "requiredDuringSchedulingIgnoredDuringExecution"
            pref = "preferredDuringSchedulingIgnoredDuringExecution"
            ns, labels = self.namespace, self.labels
            try:
                self._affinity = (
                    tuple(_affinity_term(ns, t, labels) for t in pa.get(req) or ()),
                    tuple(_affinity_term(ns, t, labels) for t in paa.get(req) or ()),
                    tuple(
                        WeightedAffinityTerm(
                            _affinity_term(ns, w.get("podAffinityTerm") or {}, labels),
                            int(w.get("weight") or 0),
                        )
                        for w in pa.get(pref) or ()
                    ),
                    tuple(
                        WeightedAffinityTerm(
                            _affinity_term(ns, w.get("podAffinityTerm") or {}, labels),
                            int(w.get("weight") or 0),
                        )
                        for w in paa.get(pref) or ()
                    ),
                    None,
                )
            except SelectorError as err:
                self._affinity = ((), (), (), (), str(err))
        return self._affinity

    @property
    def required_affinity_terms(self) -> tuple[AffinityTerm, ...]:
        terms: tuple[AffinityTerm, ...] = self._compile_affinity()[0]
        return terms

    @property
    def required_anti_affinity_terms(self) -> tuple[AffinityTerm, ...]:
        terms: tuple[AffinityTerm, ...] = self._compile_affinity()[1]
        return terms

    @property
    def preferred_affinity_terms(self) -> tuple[WeightedAffinityTerm, ...]:
        terms: tuple[WeightedAffinityTerm, ...] = self._compile_affinity()[2]
        return terms

    @property
    def preferred_anti_affinity_terms(self) -> tuple[WeightedAffinityTerm, ...]:
        terms: tuple[WeightedAffinityTerm, ...] = self._compile_affinity()[3]
        return terms

    @property
    def affinity_error(self) -> str | None:
        error: str | None = self._compile_affinity()[4]
        return error


_Totals = tuple[dict[str, int], int, int, tuple[tuple[str, str, int], ...]]
_TOTALS_CACHE: dict[bytes, _Totals] = {}
_encode = msgspec.json.Encoder().encode


def _pod_totals(spec: Mapping[str, Any]) -> _Totals:
    """Requests, non-zero cpu/memory and host ports, memoised by the parts of the spec they read.

    Callers must not mutate the returned dict (PodInfo treats it as read-only).
    """
    key = _encode(
        (
            spec.get("containers"),
            spec.get("initContainers"),
            spec.get("overhead"),
            spec.get("resources"),
        )
    )
    totals = _TOTALS_CACHE.get(key)
    if totals is None:
        view = {"spec": spec}
        requests = quantities_to_ints(pod_requests(view))
        non_zero = quantities_to_ints(non_zero_pod_requests(view))
        totals = (requests, non_zero.get(CPU, 0), non_zero.get(MEMORY, 0), _host_ports(spec))
        if len(_TOTALS_CACHE) > 65536:
            _TOTALS_CACHE.clear()
        _TOTALS_CACHE[key] = totals
    return totals


def _host_ports(spec: Mapping[str, Any]) -> tuple[tuple[str, str, int], ...]:
    ports: list[tuple[str, str, int]] = []
    sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for container in [*(spec.get("containers") or ()), *sidecars]:
        for port in container.get("ports") or ():
            host_port = int(port.get("hostPort") or 0)
            if host_port <= 0:
                continue
            ports.append(
                (port.get("hostIP") or "0.0.0.0", port.get("protocol") or "TCP", host_port)
            )
    return tuple(ports)


# --- nodes ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ImageStateSummary:
    """An image on a node: its size and how many nodes in the cluster have it."""

    size: int
    num_nodes: int


def normalized_image_name(name: str) -> str:
    """``normalizedImageName``: a name without a tag or digest means ``:latest``."""
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


class NodeInfo:
    """The per-node cache (``NodeInfo``): what a node offers and what its pods already use.

    ``requested`` sums the pods' ``PodRequests`` (cpu in millicores); ``non_zero_cpu`` and
    ``non_zero_memory`` sum their non-zero requests (``NonZeroRequested``); ``used_ports``
    the host ports in use; ``image_sizes`` the node's images by normalised name;
    ``pvc_ref_counts`` the ``namespace/name`` PVCs its pods use. Only the snapshot mutates it.
    """

    __slots__ = (
        "allocatable",
        "generation",
        "image_sizes",
        "labels",
        "name",
        "node",
        "non_zero_cpu",
        "non_zero_memory",
        "pods",
        "pods_with_affinity",
        "pods_with_required_anti_affinity",
        "pvc_ref_counts",
        "requested",
        "taints",
        "unschedulable",
        "used_ports",
    )

    def __init__(self, node: Mapping[str, Any]) -> None:
        self.pods: dict[str, PodInfo] = {}
        self.pods_with_affinity: dict[str, PodInfo] = {}
        self.pods_with_required_anti_affinity: dict[str, PodInfo] = {}
        self.requested: dict[str, int] = {}
        self.non_zero_cpu = 0
        self.non_zero_memory = 0
        self.used_ports: dict[tuple[str, str, int], int] = {}
        self.pvc_ref_counts: dict[str, int] = {}
        self.generation = 0
        self.set_node(node)

    def set_node(self, node: Mapping[str, Any]) -> None:
        meta = node.get("metadata") or {}
        spec = node.get("spec") or {}
        status = node.get("status") or {}
        self.node: Mapping[str, Any] = node
        self.name: str = meta.get("name") or ""
        self.labels: Mapping[str, str] = meta.get("labels") or {}
        self.taints: Sequence[Mapping[str, Any]] = spec.get("taints") or ()
        self.unschedulable: bool = bool(spec.get("unschedulable"))
        self.allocatable: dict[str, int] = quantities_to_ints(status.get("allocatable") or {})
        self.image_sizes: dict[str, int] = {}
        for image in status.get("images") or ():
            for name in image.get("names") or ():
                # Keyed as the node lists them; the pod's side is normalised (image_locality.go).
                self.image_sizes[name] = int(image.get("sizeBytes") or 0)
        self.generation += 1

    @property
    def allowed_pod_number(self) -> int:
        return self.allocatable.get(PODS, 0)

    def add_pod(self, pod: PodInfo) -> None:
        """Account a pod on this node (``NodeInfo.AddPodInfo``)."""
        self.pods[pod.key] = pod
        if pod.has_pod_affinity:
            self.pods_with_affinity[pod.key] = pod
            if pod.required_anti_affinity_terms:
                self.pods_with_required_anti_affinity[pod.key] = pod
        self._account(pod, 1)
        self.generation += 1

    def remove_pod(self, key: str) -> PodInfo | None:
        """Forget a pod (``NodeInfo.RemovePod``); returns it, or ``None`` if it was not here."""
        pod = self.pods.pop(key, None)
        if pod is None:
            return None
        self.pods_with_affinity.pop(key, None)
        self.pods_with_required_anti_affinity.pop(key, None)
        self._account(pod, -1)
        self.generation += 1
        return pod

    def _account(self, pod: PodInfo, sign: int) -> None:
        for name, amount in pod.requests.items():
            if name == PODS:
                continue
            self.requested[name] = self.requested.get(name, 0) + sign * amount
        self.non_zero_cpu += sign * pod.non_zero_cpu
        self.non_zero_memory += sign * pod.non_zero_memory
        for port in pod.host_ports:
            count = self.used_ports.get(port, 0) + sign
            if count > 0:
                self.used_ports[port] = count
            else:
                self.used_ports.pop(port, None)
        for claim in _pvc_names(pod):
            count = self.pvc_ref_counts.get(claim, 0) + sign
            if count > 0:
                self.pvc_ref_counts[claim] = count
            else:
                self.pvc_ref_counts.pop(claim, None)

    def clone(self) -> NodeInfo:
        """A copy whose pod accounting can change without touching this one (preemption)."""
        copy = NodeInfo.__new__(NodeInfo)
        copy.node = self.node
        copy.name = self.name
        copy.labels = self.labels
        copy.taints = self.taints
        copy.unschedulable = self.unschedulable
        copy.allocatable = self.allocatable
        copy.image_sizes = self.image_sizes
        copy.pods = dict(self.pods)
        copy.pods_with_affinity = dict(self.pods_with_affinity)
        copy.pods_with_required_anti_affinity = dict(self.pods_with_required_anti_affinity)
        copy.requested = dict(self.requested)
        copy.non_zero_cpu = self.non_zero_cpu
        copy.non_zero_memory = self.non_zero_memory
        copy.used_ports = dict(self.used_ports)
        copy.pvc_ref_counts = dict(self.pvc_ref_counts)
        copy.generation = self.generation
        return copy


def _pvc_names(pod: PodInfo) -> Iterable[str]:
    for volume in (pod.pod.get("spec") or {}).get("volumes") or ():
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            yield f"{pod.namespace}/{claim}"


# --- node statuses and extension-point results ----------------------------------------------


class NodeToStatus:
    """Filter statuses by node name, plus the status of nodes not in the map (``NodeToStatus``).

    Nodes a PreFilterResult excluded are "absent"; ``absent`` is their common status. A fast
    path may add statuses lazily (``defer``): they count in ``len`` at once and are built on
    first read.
    """

    __slots__ = ("_deferred", "_statuses", "absent")

    def __init__(self, absent: Status | None = None) -> None:
        self._statuses: dict[str, Status] = {}
        self._deferred: list[tuple[int, Callable[[], dict[str, Status]]]] = []
        self.absent: Status = absent or Status(Code.UnschedulableAndUnresolvable)

    @property
    def statuses(self) -> dict[str, Status]:
        """Every explicit status, by node name."""
        if self._deferred:
            deferred, self._deferred = self._deferred, []
            for _, build in deferred:
                self._statuses.update(build())
        return self._statuses

    def set(self, node: str, status: Status) -> None:
        self.statuses[node] = status

    def defer(self, count: int, build: Callable[[], dict[str, Status]]) -> None:
        """Add ``count`` statuses of distinct, new nodes that ``build()`` will produce."""
        self._deferred.append((count, build))

    def get(self, node: str) -> Status:
        return self.statuses.get(node, self.absent)

    def __len__(self) -> int:
        return len(self._statuses) + sum(count for count, _ in self._deferred)

    def nodes_for_code(self, code: Code, all_nodes: Iterable[str]) -> list[str]:
        """Nodes whose status has ``code``, absent ones included (``NodesForStatusCode``)."""
        return [n for n in all_nodes if self.get(n).code is code]


@dataclass(frozen=True, slots=True)
class PreFilterResult:
    """The nodes a PreFilter plugin allows; ``None`` means every node (``PreFilterResult``)."""

    node_names: frozenset[str] | None = None

    def merge(self, other: PreFilterResult | None) -> PreFilterResult:
        if other is None or other.node_names is None:
            return self
        if self.node_names is None:
            return other
        return PreFilterResult(self.node_names & other.node_names)


@dataclass(frozen=True, slots=True)
class PostFilterResult:
    """What a PostFilter plugin proposes: a node to nominate (``""`` clears the nomination)."""

    nominated_node_name: str | None = None
    victims: tuple[Mapping[str, Any], ...] = field(default=())


@dataclass
class FitError:
    """Why a pod fits no node (``FitError`` and its ``Diagnosis``), as data.

    ``message()`` is ``FitError.Error()`` word for word: the reason histogram sorted as Go's
    ``sort.Strings`` sorts (``"10 x"`` before ``"2 y"``), suppressed when PreFilter rejected the
    pod, then the PostFilter message.
    """

    num_all_nodes: int
    statuses: NodeToStatus
    pre_filter_msg: str = ""
    post_filter_msg: str = ""
    unschedulable_plugins: frozenset[str] = frozenset()

    def histogram(self) -> dict[str, int]:
        """Reason -> number of nodes, absent nodes included."""
        counts: dict[str, int] = {}
        for status in self.statuses.statuses.values():
            for reason in status.reasons:
                counts[reason] = counts.get(reason, 0) + 1
        missing = self.num_all_nodes - len(self.statuses)
        if missing > 0:
            for reason in self.statuses.absent.reasons:
                counts[reason] = counts.get(reason, 0) + missing
        return counts

    def message(self) -> str:
        msg = f"0/{self.num_all_nodes} nodes are available:"
        if self.pre_filter_msg:
            msg += f" {self.pre_filter_msg}."
        else:
            entries = sorted(
                f"{n} {r}".encode() for r, n in self.histogram().items()
            )  # byte order, as Go compares strings
            if entries:
                msg += " " + ", ".join(e.decode() for e in entries) + "."
        if self.post_filter_msg:
            msg += f" {self.post_filter_msg}"
        return msg

    __str__ = message


# --- the handle and the plugin protocols -----------------------------------------------------


class Handle(Protocol):
    """What a plugin may read beyond its arguments: the current snapshot."""

    @property
    def snapshot(self) -> Snapshot: ...


@runtime_checkable
class Plugin(Protocol):
    """Every plugin has a ``name``, the NAME its module exports."""

    name: str


@runtime_checkable
class PreFilterPlugin(Plugin, Protocol):
    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        """Pre-compute what Filter needs and write it to ``state``.

        Return ``(None, None)`` to allow every node; a PreFilterResult to restrict the nodes
        (others become "absent"); a Skip status to skip this plugin's Filter for the cycle;
        Unschedulable(AndUnresolvable) to reject the pod on every node with the reason.
        Must not mutate the pod or the snapshot.
        """
        ...


@runtime_checkable
class FilterPlugin(Plugin, Protocol):
    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        """Whether the pod fits ``node``: ``None`` if it does, else the rejection.

        Use UnschedulableAndUnresolvable when removing pods cannot help (preemption skips the
        node), Unschedulable when it might. Runs once per node per cycle and on cloned
        NodeInfos during preemption: read only ``state``, ``pod`` and ``node``.
        """
        ...


@runtime_checkable
class PostFilterPlugin(Plugin, Protocol):
    def post_filter(
        self, state: CycleState, pod: PodInfo, statuses: NodeToStatus
    ) -> tuple[PostFilterResult | None, Status]:
        """Runs only when no node fits; tries to make the pod fit in a later cycle.

        Return Success with a result to nominate a node; Unschedulable with reasons that the
        framework joins into the FitError's PostFilterMsg.
        """
        ...


@runtime_checkable
class PreScorePlugin(Plugin, Protocol):
    def pre_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]
    ) -> Status | None:
        """Pre-compute what Score needs over the feasible ``nodes``; Skip to skip Score."""
        ...


@runtime_checkable
class ScorePlugin(Plugin, Protocol):
    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        """A raw score for one feasible node; ``normalize_score`` maps it to 0..100."""
        ...

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        """Rewrite ``scores`` (one per node of ``nodes``, in order) in place to 0..MAX_NODE_SCORE.

        A plugin without normalisation leaves the list alone.
        """
        ...


@runtime_checkable
class ReservePlugin(Plugin, Protocol):
    def reserve(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        """Claim what the pod will use on ``node_name`` before binding; must be undoable."""
        ...

    def unreserve(self, state: CycleState, pod: PodInfo, node_name: str) -> None:
        """Undo ``reserve``; idempotent."""
        ...


@runtime_checkable
class BindPlugin(Plugin, Protocol):
    def bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        """Bind the pod to the node; Skip to let the next bind plugin do it."""
        ...


def status_code(status: Status | None) -> Code:
    """The code of a plugin's result, ``None`` being Success."""
    return _status_code(status)
