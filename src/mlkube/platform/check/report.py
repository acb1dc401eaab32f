"""What ``mlkube check`` answers, as data: admission, placement, gang, "ever" and "when".

Every sentence in a report is the engine's own (kube-apiserver's admission refusals,
kube-scheduler's FitError) or built here from one constant, so the CLI renders and tests
compare the same words. ``to_dict`` is the ``-o json|yaml`` form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from mlkube.api.timestamps import format_time

__all__ = [
    "CheckReport",
    "ContainerDefaults",
    "EverResult",
    "GangResult",
    "NodeClassDetail",
    "PodPlacement",
    "Refusal",
]


@dataclass
class Refusal:
    """One object admission would refuse.

    ``reason`` is what kube-apiserver says after ``is forbidden: `` (``exceeded quota: ...``,
    ``maximum cpu usage per Container is 96, but limit is 128``); ``message`` is the whole
    error, or for a Job's pod the ``FailedCreate`` event the Job controller records
    (``Error creating: pods "<job>-<i>-*****" is forbidden: ...``; ``*****`` stands for the five
    random characters of the generated name). ``count`` pods of the same owner are refused.
    """

    object: str
    reason: str
    message: str
    fix: str
    count: int = 1


@dataclass
class ContainerDefaults:
    """What LimitRanger adds to one container of one object (requests and limits)."""

    object: str
    container: str
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)


@dataclass
class NodeClassDetail:
    """Why a pod fits no node of one class (a pool, or nodes alike), with numbers."""

    node_class: str
    nodes: int
    reasons: dict[str, int] = field(default_factory=dict)
    #: resource -> (requested by the pod, most free on one node of the class), as quantities.
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)
    fix: str = ""


@dataclass
class PodPlacement:
    """One pod: the node it would be bound to now, or the scheduler's FitError message."""

    pod: str
    owner: str
    node: str | None
    message: str = ""
    admitted: bool = True
    nominated_node: str | None = None
    victims: list[str] = field(default_factory=list)
    classes: list[NodeClassDetail] = field(default_factory=list)
    #: The nodes scoring as high as ``node`` (it included); the scheduler picks one of them
    #: at random, so any of them is the prediction. From 100 nodes up the scheduler scores
    #: only a sample of the feasible nodes (``numFeasibleNodesToFind``) from a rotating
    #: start, so there ``node`` is a node it could choose, not necessarily the one.
    tied: list[str] = field(default_factory=list)


@dataclass
class GangResult:
    """Whether all N pods of a gang (``parallelism == completions > 1``) fit at once, and
    on distinct nodes: a distributed training Job wants one rank per node
    (``distinct_required``), but nothing in its pods makes the scheduler keep ranks apart
    unless they ask for whole nodes, so ``spread`` says whether they would be."""

    owner: str
    size: int
    placed: int
    nodes: list[str]
    distinct_required: bool
    message: str = ""

    @property
    def distinct(self) -> bool:
        return len(set(self.nodes)) == len(self.nodes)

    @property
    def feasible(self) -> bool:
        """All N pods are placed at once: the gang starts."""
        return self.placed == self.size

    @property
    def spread(self) -> bool:
        """On distinct nodes, or not required to be."""
        return self.distinct or not self.distinct_required


@dataclass
class EverResult:
    """Whether the workload could fit an empty cluster of these nodes under these quotas."""

    possible: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """Will it run, where, when, and if not, why (see :func:`mlkube.platform.check.check`)."""

    now: datetime
    admitted: bool
    refusals: list[Refusal] = field(default_factory=list)
    defaults: list[ContainerDefaults] = field(default_factory=list)
    placements: list[PodPlacement] = field(default_factory=list)
    gang: GangResult | None = None
    ever: EverResult | None = None
    estimated_start: datetime | None = None
    #: Why there is no estimate when the workload does not fit now ("" otherwise).
    start_note: str = ""
    #: Pods already pending in the cluster at this priority or higher: the scheduler's queue
    #: tries them first, so they may take the room this report counts on.
    queued_ahead: int = 0

    @property
    def fits_now(self) -> bool:
        """Every pod is placed now (and the gang, if any, fits at once)."""
        placed = all(p.node is not None for p in self.placements)
        return placed and (self.gang is None or self.gang.feasible)

    @property
    def runs_now(self) -> bool:
        """Admitted and placed now: submitting it starts it."""
        return self.admitted and self.fits_now

    def to_dict(self) -> dict[str, Any]:
        gang: dict[str, Any] | None = None
        if self.gang is not None:
            gang = {
                **asdict(self.gang),
                "distinct": self.gang.distinct,
                "feasible": self.gang.feasible,
                "spread": self.gang.spread,
            }
        return {
            "now": format_time(self.now),
            "admitted": self.admitted,
            "fitsNow": self.fits_now,
            "refusals": [asdict(r) for r in self.refusals],
            "defaults": [asdict(d) for d in self.defaults],
            "placements": [_placement(p) for p in self.placements],
            "gang": gang,
            "ever": asdict(self.ever) if self.ever is not None else None,
            "estimatedStart": (
                format_time(self.estimated_start) if self.estimated_start is not None else None
            ),
            "startNote": self.start_note,
            "queuedAhead": self.queued_ahead,
        }


def _placement(p: PodPlacement) -> dict[str, Any]:
    out = asdict(p)
    out["classes"] = [
        {**asdict(c), "missing": {k: list(v) for k, v in c.missing.items()}} for c in p.classes
    ]
    return out
