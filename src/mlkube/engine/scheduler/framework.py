"""The scheduling framework's contract: statuses, cycle state, extension-point results, and
one Protocol per extension point.

Every plugin and both scheduling paths (the per-node reference path and the vectorised one)
speak these types, so a plugin can be checked by mypy against its extension point and a
rejection carries kube-scheduler's own sentence as data. Follows, at Kubernetes v1.37,
``staging/src/k8s.io/kube-scheduler/framework/interface.go`` (``Code``, ``Status``, the plugin
interfaces), ``pkg/scheduler/framework/cycle_state.go`` and ``pkg/scheduler/framework/types.go``
(``FitError``, ``Diagnosis``).

The caches the plugins read live next door: ``PodInfo`` and ``AffinityTerm`` in
:mod:`~mlkube.engine.scheduler.podinfo`, ``NodeInfo`` in :mod:`~mlkube.engine.scheduler.nodeinfo`
and the resource arithmetic in :mod:`~mlkube.engine.scheduler.resource`. This module
re-exports them, so that, as upstream's ``framework`` package, it is the one import a plugin
needs.

Conventions: a plugin returns ``None`` for Success (the hot path allocates nothing); pods and
nodes are wire-form dicts that no plugin ever mutates; resource amounts are ints, cpu in
millicores and everything else in base units, exactly as upstream's ``Resource``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from mlkube.engine.scheduler.nodeinfo import ImageStateSummary, NodeInfo, normalized_image_name
from mlkube.engine.scheduler.podinfo import AffinityTerm, PodInfo, WeightedAffinityTerm, pod_key
from mlkube.engine.scheduler.resource import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    is_scalar_resource_name,
    quantities_to_ints,
)

if TYPE_CHECKING:
    from mlkube.engine.scheduler.snapshot import Snapshot

__all__ = [
    "CPU",
    "EPHEMERAL_STORAGE",
    "MAX_NODE_SCORE",
    "MEMORY",
    "PODS",
    "SKIP",
    "AffinityTerm",
    "BindPlugin",
    "Code",
    "CycleState",
    "FilterPlugin",
    "FitError",
    "Handle",
    "ImageStateSummary",
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
    "normalized_image_name",
    "pod_key",
    "quantities_to_ints",
]

#: The highest score a Score plugin may give a node after normalisation (``MaxNodeScore``).
MAX_NODE_SCORE: Final = 100


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


#: Status(Skip), shared: plugins return it from PreFilter/PreScore when they have nothing to do.
SKIP: Final = Status(Code.Skip)


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
