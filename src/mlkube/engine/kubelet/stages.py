"""What a simulated pod does, as data: a small table of stages, like KWOK's.

A stage says *when* it applies (a selector over a few facts read from the pod), *how long*
after which moment it fires (a delay, from an annotation or a spec field), and *what* the
kubelet then does (``next``, an effect the kubelet implements once). The kubelet evaluates
every stage that matches a pod and runs the one due first (ties go to the earlier row), so
a deadline and a natural exit race as they do on a real node. The table is golden-tested:
a change to it shows up as a diff of ``render(STAGES)``.

Follows KWOK's ``kustomize/stage/pod/general`` stages and the project's KWOK stages in
``src/mlkube/testing/kwok/stages.yaml`` (so a KWOK-backed control plane honours the same
annotations), plus what KWOK does not simulate and a kubelet does: container restarts with
CrashLoopBackOff (``pkg/kubelet/kuberuntime/kuberuntime_manager.go`` doBackOff),
``activeDeadlineSeconds`` (``pkg/kubelet/active_deadline.go``) and graceful termination.
Annotation values follow KWOK's ``durationFrom`` rules (``utils/lifecycle/value_duration_from.go``):
a Go duration or an RFC 3339 time; anything else falls back to the stage's default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from mlkube.api.timestamps import DurationError, parse_duration, parse_time

__all__ = [
    "BACKOFF",
    "EXITED",
    "EXIT_CODE",
    "NONE",
    "RUNNING",
    "RUN_FOR",
    "STAGES",
    "START_AFTER",
    "STOP_AFTER",
    "Delay",
    "Facts",
    "Selector",
    "Stage",
    "annotation_seconds",
    "exit_code",
    "facts",
    "render",
]

#: Run this long (a Go duration), then the containers exit.
RUN_FOR: Final = "sim.mlkube.io/run-for"
#: The containers' exit code when they exit (default 0).
EXIT_CODE: Final = "sim.mlkube.io/exit-code"
#: Time from binding to Running (default 0).
START_AFTER: Final = "sim.mlkube.io/start-after"
#: How long the simulated process takes to stop after SIGTERM (default 0; embedded only:
#: KWOK deletes a pod at once). Longer than the grace period means it is SIGKILLed.
STOP_AFTER: Final = "sim.mlkube.io/stop-after"

_EXIT_CODE = re.compile(r"0|[1-9][0-9]{0,2}")  # KWOK's pod-failed selector accepts 1..999

# Facts about the containers, read from status.containerStatuses.
NONE: Final = "none"  # not started yet
RUNNING: Final = "running"
BACKOFF: Final = "backoff"  # waiting in CrashLoopBackOff
EXITED: Final = "exited"  # terminated, or the pod is terminal


@dataclass(frozen=True)
class Facts:
    """What a stage selector may look at, read once per pod."""

    deleting: bool
    phase: str
    containers: str
    exits: bool  # the simulated process exits by itself (Job-owned, run-for or exit-code)
    deadline: bool  # spec.activeDeadlineSeconds is set


@dataclass(frozen=True)
class Selector:
    """All given fields must hold (KWOK's ANDed matchExpressions); empty means any."""

    deleting: bool | None = None
    phases: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    exits: bool | None = None
    deadline: bool | None = None

    def matches(self, f: Facts) -> bool:
        return (
            (self.deleting is None or f.deleting == self.deleting)
            and (not self.phases or f.phase in self.phases)
            and (not self.containers or f.containers in self.containers)
            and (self.exits is None or f.exits == self.exits)
            and (self.deadline is None or f.deadline == self.deadline)
        )


@dataclass(frozen=True)
class Delay:
    """How long after ``anchor`` a stage fires.

    ``annotation``: a Go duration or RFC 3339 time on the pod (default 0). ``spec_seconds``:
    a spec field in seconds. ``backoff``: the container's CrashLoopBackOff delay.
    ``capped_by_grace``: at most the pod's deletion grace period.
    Anchors: ``bound`` (the kubelet saw the pod bound), ``started`` (the containers'
    current run began), ``finished`` (they last exited), ``pod-started`` (status.startTime),
    ``deletion`` (the delete request: deletionTimestamp minus the grace period).
    """

    anchor: str
    annotation: str | None = None
    spec_seconds: str | None = None
    backoff: bool = False
    capped_by_grace: bool = False


@dataclass(frozen=True)
class Stage:
    name: str
    selector: Selector
    delay: Delay
    next: str  # the effect: start, exit, restart, deadline, terminate, delete


STAGES: Final[tuple[Stage, ...]] = (
    Stage(
        "pod-delete",
        Selector(deleting=True, containers=(NONE, EXITED)),
        Delay(anchor="deletion"),
        "delete",
    ),
    Stage(
        "pod-terminate",
        Selector(deleting=True, containers=(RUNNING, BACKOFF)),
        Delay(anchor="deletion", annotation=STOP_AFTER, capped_by_grace=True),
        "terminate",
    ),
    Stage(
        "pod-ready",
        Selector(deleting=False, phases=("Pending",), containers=(NONE,)),
        Delay(anchor="bound", annotation=START_AFTER),
        "start",
    ),
    Stage(
        "pod-deadline",
        Selector(deleting=False, phases=("Running",), containers=(RUNNING, BACKOFF), deadline=True),
        Delay(anchor="pod-started", spec_seconds="activeDeadlineSeconds"),
        "deadline",
    ),
    Stage(
        "pod-complete",
        Selector(deleting=False, phases=("Running",), containers=(RUNNING,), exits=True),
        Delay(anchor="started", annotation=RUN_FOR),
        "exit",
    ),
    Stage(
        "pod-restart",
        Selector(deleting=False, phases=("Running",), containers=(BACKOFF,)),
        Delay(anchor="finished", backoff=True),
        "restart",
    ),
)


def exit_code(pod: Mapping[str, Any]) -> int | None:
    """The simulated exit code: 0 by default; ``None`` for a value KWOK would not match
    (such a pod never exits by itself)."""
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get(EXIT_CODE)
    if raw is None:
        return 0
    return int(raw) if _EXIT_CODE.fullmatch(str(raw)) else None


def _exits(pod: Mapping[str, Any]) -> bool:
    meta = pod.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    if exit_code(pod) is None:
        return False
    owned_by_job = any(ref.get("kind") == "Job" for ref in meta.get("ownerReferences") or [])
    return owned_by_job or RUN_FOR in annotations or EXIT_CODE in annotations


def _containers(status: Mapping[str, Any]) -> str:
    if status.get("phase") in ("Succeeded", "Failed"):
        return EXITED
    statuses = status.get("containerStatuses") or []
    if not statuses:
        return NONE
    states = [s.get("state") or {} for s in statuses]
    if any("running" in s for s in states):
        return RUNNING
    if any((s.get("waiting") or {}).get("reason") == "CrashLoopBackOff" for s in states):
        return BACKOFF
    if all("terminated" in s for s in states):
        return EXITED
    return NONE


def facts(pod: Mapping[str, Any]) -> Facts:
    """Read the facts the selectors use from a wire-form pod."""
    status = pod.get("status") or {}
    return Facts(
        deleting=bool((pod.get("metadata") or {}).get("deletionTimestamp")),
        phase=str(status.get("phase") or "Pending"),
        containers=_containers(status),
        exits=_exits(pod),
        deadline=(pod.get("spec") or {}).get("activeDeadlineSeconds") is not None,
    )


def annotation_seconds(
    pod: Mapping[str, Any], key: str, now: datetime
) -> tuple[float, bool] | None:
    """An annotation as a delay, by KWOK's ``durationFrom`` rules: ``(seconds, False)`` for
    a Go duration (counted from the stage's anchor), ``(seconds, True)`` for an RFC 3339 time
    (counted from ``now``, possibly negative); ``None`` when absent or unparsable, which
    means the default, 0 after the anchor."""
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get(key)
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return parse_duration(raw).total_seconds(), False
    except DurationError:
        pass
    try:
        return (parse_time(raw) - now).total_seconds(), True
    except ValueError:
        return None


def render(stages: tuple[Stage, ...] = STAGES) -> str:
    """The table as text, one stage per block (the golden file's form)."""
    lines: list[str] = []
    for stage in stages:
        sel = stage.selector
        lines.append(f"- name: {stage.name}")
        lines.append("  selector:")
        for label, value in (
            ("deleting", sel.deleting),
            ("phases", list(sel.phases) or None),
            ("containers", list(sel.containers) or None),
            ("exits", sel.exits),
            ("deadline", sel.deadline),
        ):
            if value is not None:
                lines.append(f"    {label}: {value}")
        d = stage.delay
        lines.append(f"  delay: after {d.anchor}")
        if d.annotation:
            lines.append(f"    from annotation: {d.annotation}")
        if d.spec_seconds:
            lines.append(f"    from spec seconds: {d.spec_seconds}")
        if d.backoff:
            lines.append("    crash loop back-off: true")
        if d.capped_by_grace:
            lines.append("    at most: the grace period")
        lines.append(f"  next: {stage.next}")
    return "\n".join(lines) + "\n"
