"""A submitted workload, found again by its label: status, wait, logs, results, cancel.

Everything a workload rendered carries ``mlkube.io/workload: <name>`` (and its pods too), so
a :class:`Handle` needs only a name and a namespace: its primary object is the Job or
Deployment of that label, its pods are the pods of that label, and ``cancel`` deletes every
object of that label with background propagation (kubectl's default for ``delete``). A
sweep's trials get their parameters back from the workload spec the renderer stores on the
Job (annotation ``mlkube.io/spec``; else the sweep's ConfigMap) through
:func:`mlkube.platform.workloads.trials`, and their metrics from each trial pod's log through
:func:`mlkube.platform.workloads.parse_metrics`.
Waiting polls the cluster on the wall clock: this is the imperative shell.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from mlkube.platform.names import WORKLOAD
from mlkube.platform.workloads.labels import SPEC
from mlkube.sdk.errors import NotFound, WaitFailed, WaitTimeout
from mlkube.sdk.status import COMPLETE, FAILED, READY, WorkloadStatus, summarize

if TYPE_CHECKING:
    from mlkube.client import KubeClient
    from mlkube.platform.workloads import Scalar

__all__ = [
    "CANCEL_ORDER",
    "COMPLETION_INDEX",
    "Condition",
    "Handle",
    "Results",
    "TrialResult",
    "pod_index",
    "prefix",
    "prefixed",
    "with_kind",
]

#: The Job controller's completion index on Indexed Job pods (``batch/v1`` constant).
COMPLETION_INDEX: Final = "batch.kubernetes.io/job-completion-index"
#: What ``cancel`` deletes, in this order: the owners first, so nothing is re-created.
CANCEL_ORDER: Final = (
    "jobs",
    "deployments",
    "services",
    "poddisruptionbudgets",
    "configmaps",
    "persistentvolumeclaims",
)
_POLL_SECONDS: Final = 0.25
_SINGULAR: Final = {
    "jobs": "job",
    "deployments": "deployment",
    "services": "service",
    "poddisruptionbudgets": "poddisruptionbudget",
    "configmaps": "configmap",
    "persistentvolumeclaims": "persistentvolumeclaim",
}

Condition = Literal["complete", "ready"]


@dataclass(frozen=True)
class TrialResult:
    """One index of a sweep (or of any Indexed Job): its parameters, metrics and pod."""

    index: int
    params: dict[str, Scalar] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    #: The phase of the trial's last pod (Succeeded, Failed, Running, Pending), or "-".
    phase: str = "-"
    pod: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "params": dict(self.params),
            "metrics": dict(self.metrics),
            "phase": self.phase,
            "pod": self.pod,
        }


@dataclass(frozen=True)
class Results:
    """A sweep's trials, best first by ``metric`` (None: no trial reported any metric)."""

    metric: str | None
    goal: Literal["minimize", "maximize"]
    trials: list[TrialResult]

    @property
    def best(self) -> TrialResult | None:
        """The best trial that reported the metric."""
        first = self.trials[0] if self.trials else None
        return first if first is not None and self.metric in first.metrics else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "goal": self.goal,
            "trials": [t.to_dict() for t in self.trials],
        }


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def pod_index(pod: Mapping[str, Any]) -> int | None:
    """The completion index of a Job's pod, or None (not an Indexed Job)."""
    value = (_meta(pod).get("annotations") or {}).get(COMPLETION_INDEX)
    if value is None:
        value = (_meta(pod).get("labels") or {}).get(COMPLETION_INDEX)
    return int(value) if value is not None and str(value).isdigit() else None


#: The kind of each resource's items (list items carry no ``kind`` of their own).
_KINDS: Final = {"jobs": ("batch/v1", "Job"), "deployments": ("apps/v1", "Deployment")}


def with_kind(obj: dict[str, Any], resource: str) -> dict[str, Any]:
    """A listed item with its ``apiVersion`` and ``kind`` (a list's items have none)."""
    api_version, kind = _KINDS[resource]
    return {"apiVersion": api_version, "kind": kind, **obj}


def _stored_spec(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    import json

    text = (_meta(obj).get("annotations") or {}).get(SPEC)
    if not text:
        return None
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else None


def _created(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("creationTimestamp") or "")


class Handle:
    """A workload by name in one namespace (as ``mlkube status NAME`` finds it)."""

    def __init__(self, kube: KubeClient, name: str, namespace: str, team: str | None) -> None:
        self.kube = kube
        self.name = name
        self.namespace = namespace
        self.team = team
        #: What :meth:`mlkube.sdk.Client.submit` created (``job/resnet``...), in order.
        self.created: list[str] = []

    def __repr__(self) -> str:
        return f"Handle({self.name!r}, namespace={self.namespace!r})"

    @property
    def _selector(self) -> str:
        return f"{WORKLOAD}={self.name}"

    def _where(self) -> str:
        return f"team {self.team}" if self.team else f"namespace {self.namespace}"

    # -- reading ----------------------------------------------------------------------

    def object(self) -> dict[str, Any]:
        """The workload's Job or Deployment (:class:`NotFound` when there is none)."""
        for resource in ("jobs", "deployments"):
            items = self.kube.list(resource, self.namespace, label_selector=self._selector)
            if items:
                return with_kind(max(items, key=_created), resource)
        raise NotFound(
            f"no workload {self.name} in {self._where()} (mlkube jobs lists the workloads)"
        )

    def status(self) -> WorkloadStatus:
        """The workload's state now: phase, progress, the failure's reason."""
        return summarize(self.object())

    def pods(self) -> list[dict[str, Any]]:
        """The workload's pods, by completion index and then creation."""
        pods = self.kube.list("pods", self.namespace, label_selector=self._selector)
        return sorted(pods, key=lambda p: (pod_index(p) or 0, _created(p), _meta(p).get("name")))

    def events(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest events of the workload's objects and pods, oldest first."""
        return self._events(self.object(), self.pods(), limit)

    def _events(
        self, obj: Mapping[str, Any], pods: list[dict[str, Any]], limit: int
    ) -> list[dict[str, Any]]:
        names = {str(_meta(obj).get("name"))}
        names.update(str(_meta(p).get("name")) for p in pods)
        events = [
            e
            for e in self.kube.list("events", self.namespace)
            if (e.get("involvedObject") or {}).get("name") in names
        ]

        def when(e: Mapping[str, Any]) -> str:
            return str(e.get("lastTimestamp") or e.get("eventTime") or _created(e))

        return sorted(events, key=when)[-limit:]

    def describe(self) -> dict[str, Any]:
        """``mlkube status NAME``: the status, the object's conditions, pods and events."""
        obj = self.object()
        status = summarize(obj)
        pods = self.pods()
        return {
            **status.to_dict(),
            "object": f"{str(obj.get('kind')).lower()}/{_meta(obj).get('name')}",
            "spec": _stored_spec(obj),
            "conditions": [
                {k: c.get(k, "") for k in ("type", "status", "reason", "message")}
                for c in (obj.get("status") or {}).get("conditions") or []
            ],
            "pods": [
                {
                    "name": _meta(p).get("name"),
                    "index": pod_index(p),
                    "node": (p.get("spec") or {}).get("nodeName") or "",
                    "phase": (p.get("status") or {}).get("phase") or "Pending",
                }
                for p in pods
            ],
            "events": [
                {
                    "type": e.get("type", ""),
                    "reason": e.get("reason", ""),
                    "object": f"{(e.get('involvedObject') or {}).get('kind', '').lower()}/"
                    f"{(e.get('involvedObject') or {}).get('name', '')}",
                    "message": e.get("message", ""),
                    "count": int(e.get("count") or 1),
                }
                for e in self._events(obj, pods, 10)
            ],
        }

    def spec(self) -> dict[str, Any] | None:
        """The workload document the renderer stored on the Job or Deployment, if any."""
        return _stored_spec(self.object())

    # -- waiting ----------------------------------------------------------------------

    def wait(
        self,
        timeout: float = 600.0,
        *,
        until: Condition | None = None,
        on_progress: Callable[[WorkloadStatus], None] | None = None,
        poll: float = _POLL_SECONDS,
    ) -> WorkloadStatus:
        """Wait until the workload is complete (Jobs) or ready (Deployments).

        ``on_progress`` is called with each new status. A failure raises :class:`WaitFailed`
        with the Job's reason and message; running out of ``timeout`` seconds raises
        :class:`WaitTimeout` (the CLI's exit code 2).
        """
        deadline = time.monotonic() + timeout
        last: WorkloadStatus | None = None
        while True:
            status = self.status()
            if on_progress is not None and status != last:
                on_progress(status)
            last = status
            goal = until or ("ready" if status.object_kind == "deployment" else "complete")
            if status.phase == FAILED:
                why = ": ".join(x for x in (status.reason, status.message) if x) or "failed"
                raise WaitFailed(f"workload {self.name} failed: {why}")
            if (goal == "complete" and status.phase == COMPLETE) or (
                goal == "ready" and status.phase in (READY, COMPLETE)
            ):
                return status
            if time.monotonic() >= deadline:
                raise WaitTimeout(
                    f"timed out after {_seconds(timeout)} waiting for workload {self.name} to "
                    f"be {goal} ({status.phase}, {status.progress})"
                )
            time.sleep(poll)

    # -- logs -------------------------------------------------------------------------

    def pod_logs(self, index: int | None = None, tail: int | None = None) -> dict[str, str]:
        """Each pod's log, keyed by its label: the completion index (``"0"``...) when the
        Job is Indexed, else the pod's name; only the last pod of each index."""
        logs: dict[str, str] = {}
        for key, pod in self._latest_pods().items():
            if index is not None and pod_index(pod) != index:
                continue
            if not (pod.get("spec") or {}).get("nodeName"):
                continue  # not scheduled yet: nothing to read
            logs[key] = self.kube.logs(str(_meta(pod)["name"]), self.namespace, tail_lines=tail)
        if index is not None and not logs:
            raise NotFound(f"workload {self.name} has no running pod with --index {index}")
        return logs

    def logs(self, index: int | None = None, tail: int | None = None) -> str:
        """The pods' logs as one text; with several pods every line starts ``[key] ``."""
        return prefixed(self.pod_logs(index, tail))

    def _latest_pods(self) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for pod in self.pods():
            i = pod_index(pod)
            key = str(i) if i is not None else str(_meta(pod).get("name"))
            if key not in latest or _created(pod) >= _created(latest[key]):
                latest[key] = pod
        return latest

    # -- results ----------------------------------------------------------------------

    def results(self, metric: str | None = None, maximize: bool | None = None) -> Results:
        """Every trial with its parameters and metrics, best first by ``metric``.

        The metric and goal default to the sweep's ``metric`` and ``goal``; trials without the
        metric come last, in index order.
        """
        from mlkube.platform.workloads import Sweep, loads, parse_metrics, rank, trials

        spec = self.spec()
        sweep = None
        if spec is not None and spec.get("kind") == "Sweep":
            import json

            loaded = loads(json.dumps(spec))
            sweep = loaded[0] if loaded and isinstance(loaded[0], Sweep) else None
        params = trials(sweep) if sweep is not None else self._stored_params()
        pods = self._latest_pods()
        count = max(len(params), len(pods))
        rows: list[TrialResult] = []
        for i in range(count):
            pod = pods.get(str(i))
            metrics: dict[str, float] = {}
            if pod is not None and (pod.get("spec") or {}).get("nodeName"):
                name = str(_meta(pod)["name"])
                metrics = parse_metrics(self.kube.logs(name, self.namespace))
            rows.append(
                TrialResult(
                    index=i,
                    params=dict(params[i]) if i < len(params) else {},
                    metrics=metrics,
                    phase=str((pod.get("status") or {}).get("phase") or "Pending") if pod else "-",
                    pod=str(_meta(pod).get("name")) if pod else "",
                )
            )
        if metric is None and sweep is not None:
            metric = sweep.spec.metric
        if maximize is None:
            maximize = sweep is not None and sweep.spec.goal == "maximize"
        if metric is None:
            seen = sorted({m for r in rows for m in r.metrics})
            metric = seen[0] if seen else None
        goal: Literal["minimize", "maximize"] = "maximize" if maximize else "minimize"
        if metric is None:
            return Results(None, goal, rows)
        order = rank({r.index: r.metrics for r in rows}, metric, goal)
        return Results(metric, goal, [rows[i] for i in order])

    def _stored_params(self) -> list[dict[str, Scalar]]:
        """Each index's parameters from the sweep's ConfigMap (keys ``0.json``, ``1.json``...),
        for a Job that carries no spec annotation."""
        import json

        by_index: dict[int, dict[str, Scalar]] = {}
        for cm in self.kube.list("configmaps", self.namespace, label_selector=self._selector):
            for key, value in (cm.get("data") or {}).items():
                stem = key.removesuffix(".json")
                if key.endswith(".json") and stem.isdigit():
                    loaded = json.loads(value)
                    if isinstance(loaded, dict):
                        by_index[int(stem)] = loaded
        return [by_index.get(i, {}) for i in range(max(by_index, default=-1) + 1)]

    # -- cancel -----------------------------------------------------------------------

    def cancel(self) -> list[str]:
        """Delete every object of the workload (background propagation: the Job's pods go
        with it); returns what was deleted (``job/resnet``...). Nothing found is NotFound."""
        from mlkube.client import ApiError

        deleted: list[str] = []
        for resource in CANCEL_ORDER:
            for obj in self.kube.list(resource, self.namespace, label_selector=self._selector):
                if _meta(obj).get("deletionTimestamp"):
                    continue  # already going (a claim waits for its pods to stop)
                name = str(_meta(obj)["name"])
                try:
                    self.kube.delete(
                        resource, name, self.namespace, propagation_policy="Background"
                    )
                except ApiError as err:
                    if err.code != 404:
                        raise
                    continue
                deleted.append(f"{_SINGULAR[resource]}/{name}")
        if not deleted:
            raise NotFound(f"no workload {self.name} in {self._where()}; nothing was deleted")
        return deleted


def prefix(key: str, text: str) -> str:
    """Every line of ``text`` as ``[key] line``."""
    return "".join(f"[{key}] {line}\n" for line in text.splitlines())


def prefixed(logs: Mapping[str, str]) -> str:
    """One text from several pods' logs: ``[key] line`` when there is more than one."""
    if len(logs) == 1:
        return next(iter(logs.values()))
    return "".join(prefix(key, text) for key, text in logs.items())


def _seconds(value: float) -> str:
    return f"{value:g}s"
