"""The SDK: ML workloads on any cluster from Python, with the CLI's verbs.

``mlkube.connect()`` selects a cluster as the CLI does (:mod:`mlkube.sdk.target`: explicit
kubeconfig/context, else ``mlkube use``'s default, else the embedded ``local`` cluster,
started on demand) and returns a :class:`Client`. Its verbs build a workload
(:func:`mlkube.platform.workloads.build`), render it against the platform stored on the
cluster (:func:`mlkube.platform.workloads.read_platform`, :func:`render`), run the
pre-submit check (:func:`mlkube.platform.check.check`: a submission whose pods
ResourceQuota or LimitRange would refuse is refused here, with admission's own words,
unless ``force``), create the objects in render order and return a :class:`Handle`.

    import mlkube
    client = mlkube.connect(team="vision")
    job = client.train("resnet", image="pytorch/pytorch:2.4.0", command=["python", "train.py"],
                       gpus=8, deadline="6h")
    job.wait(timeout=3600)
    print(job.logs())
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mlkube.platform.names import WORKLOAD
from mlkube.sdk.errors import QuotaRefused, TargetError, WorkloadExists
from mlkube.sdk.handle import Handle, with_kind
from mlkube.sdk.status import WorkloadStatus, summarize
from mlkube.sdk.target import Target, open_client, resolve

if TYPE_CHECKING:
    from mlkube.client import KubeClient
    from mlkube.platform.check import CheckReport
    from mlkube.platform.spec import Platform
    from mlkube.platform.workloads import Scalar, Workload

__all__ = ["Client", "connect", "dataset_mount", "with_team"]

_NOT_READ = object()


def connect(
    kubeconfig: str | Path | None = None,
    context: str | None = None,
    team: str | None = None,
    *,
    start: bool = True,
    on_start: Callable[[str], None] | None = None,
) -> Client:
    """A :class:`Client` of the selected cluster and team (kubectl's selection; the default is
    the embedded ``local`` cluster, started when it is not running unless ``start=False``).
    An unreachable cluster or a missing context is a :class:`~mlkube.sdk.errors.TargetError`."""
    target = resolve(kubeconfig, context, team)
    return Client(open_client(target, start=start, on_start=on_start), target)


def dataset_mount(text: str) -> dict[str, Any]:
    """``NAME`` or ``NAME:PATH`` (``--dataset``) as a workload's dataset entry."""
    name, _, path = text.partition(":")
    return {"name": name, **({"mount_path": path} if path else {})}


def with_team(workload: Workload, team: str) -> Workload:
    """The workload in ``team`` unless its ``metadata.team`` names one already."""
    if workload.metadata.team:
        return workload
    import msgspec

    meta = msgspec.structs.replace(workload.metadata, team=team)
    return msgspec.structs.replace(workload, metadata=meta)


def _batch_fields(
    *,
    image: str,
    command: Sequence[str],
    args: Sequence[str],
    env: Mapping[str, str] | None,
    gpus: int,
    gpu_type: str | None,
    cpu: str | None,
    memory: str | None,
    datasets: Sequence[str | Mapping[str, Any]],
    priority: str | None,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    resources: dict[str, Any] = {"gpu": gpus}
    for key, value in (("gpu_type", gpu_type), ("cpu", cpu), ("memory", memory)):
        if value is not None:
            resources[key] = value
    fields: dict[str, Any] = {
        "image": image,
        "command": list(command),
        "args": list(args),
        "env": dict(env or {}),
        "resources": resources,
        "datasets": [dataset_mount(d) if isinstance(d, str) else dict(d) for d in datasets],
        **({"priority": priority} if priority is not None else {}),
    }
    fields.update({k: v for k, v in extra.items() if v is not None})
    return fields


class Client:
    """One cluster and one team: submit workloads, list them, find them again.

    Use as a context manager (or call :meth:`close`) to close the connection.
    """

    def __init__(self, kube: KubeClient, target: Target) -> None:
        self.kube = kube
        self.target = target
        self._platform: Any = _NOT_READ

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the handles made by this client use it too)."""
        self.kube.close()

    def __repr__(self) -> str:
        return f"Client(context={self.kube.context!r}, team={self.team!r})"

    @property
    def team(self) -> str | None:
        return self.target.team

    @property
    def context(self) -> str:
        return self.kube.context

    @property
    def server(self) -> str:
        return self.kube.server

    def banner(self) -> str:
        """``cluster: mlkube-local (embedded) · team vision``."""
        return self.target.banner(context=self.kube.context, server=self.kube.server)

    # -- the platform -----------------------------------------------------------------

    def platform(self) -> Platform | None:
        """The platform spec ``mlkube platform apply`` stored on the cluster (read once)."""
        if self._platform is _NOT_READ:
            from mlkube.platform.target import KubeTarget
            from mlkube.platform.workloads import read_platform

            self._platform = read_platform(KubeTarget(self.kube))
        return self._platform  # type: ignore[no-any-return]

    def namespace(self, team: str | None = None) -> str:
        """The namespace of a team (the platform's, else the team's name); without a team,
        the context's namespace (kubectl's default)."""
        team = team or self.team
        if team is None:
            return self.kube.namespace
        platform = self.platform()
        if platform is None:
            return team
        for t in platform.teams:
            if t.name == team:
                return t.namespace_name
        known = ", ".join(sorted(t.name for t in platform.teams)) or "none"
        raise TargetError(
            f'--team: unknown team "{team}" of platform {platform.name}; teams: {known}'
        )

    # -- building and rendering -------------------------------------------------------

    def build(self, kind: str, name: str, **fields: Any) -> Workload:
        """A workload of ``kind`` from keyword fields (the YAML's names in snake_case); the
        client's team unless ``team`` is given. A mistake is a ``SpecError`` naming the field."""
        from mlkube.platform.workloads import build

        team = fields.pop("team", None) or self.team
        return build(kind, name, **({"team": team} if team else {}), **fields)

    def _with_team(self, workload: Workload) -> Workload:
        return with_team(workload, self.team) if self.team else workload

    def render(self, workload: Workload) -> list[dict[str, Any]]:
        """The built-in objects of a workload, with the cluster's platform (placement)."""
        from mlkube.platform.workloads import render

        return render(self._with_team(workload), self.platform())

    def check(self, workload: Workload | Sequence[Workload]) -> CheckReport:
        """The pre-submit check: admission (quota, limit ranges), placement, gang, when.

        Several workloads are checked together, in order, as :meth:`submit` creates them:
        quota charged by the first is not there for the next.
        """
        workloads = list(workload) if isinstance(workload, Sequence) else [workload]
        return self._check([(w, self.render(w)) for w in map(self._with_team, workloads)])

    def _check(self, plans: Sequence[tuple[Workload, list[dict[str, Any]]]]) -> CheckReport:
        from mlkube.platform.check import check, read_state
        from mlkube.platform.target import KubeTarget
        from mlkube.platform.workloads import namespace_of

        platform = self.platform()
        namespaces = list(dict.fromkeys(namespace_of(w, platform) for w, _ in plans))
        state = read_state(KubeTarget(self.kube), namespaces)
        objects = [obj for _, rendered in plans for obj in rendered]
        return check(objects, state, now=datetime.now(UTC))

    # -- submitting -------------------------------------------------------------------

    def submit(
        self, workload: Workload | Sequence[Workload] | str | Path, *, force: bool = False
    ) -> list[Handle]:
        """Create a workload, several, or every workload of a YAML file (a path, or YAML
        text), all or nothing.

        Before anything is created: every name must be free and given once
        (:class:`WorkloadExists`), and the pre-submit check of all of them together must
        admit every object (:class:`QuotaRefused`, unless ``force``). Objects are created in
        order; if one is refused, everything created before it, of every workload, is
        deleted again, so nothing is left half-created.
        """
        from mlkube.platform.workloads import load_file, loads

        if isinstance(workload, str):
            workloads = loads(workload) if "\n" in workload else load_file(Path(workload))
        elif isinstance(workload, Path):
            workloads = load_file(workload)
        elif isinstance(workload, Sequence):
            workloads = list(cast("Sequence[Workload]", workload))
        else:
            workloads = [workload]
        return self._submit(workloads, force=force)

    def _submit(self, workloads: Sequence[Workload], *, force: bool) -> list[Handle]:
        from mlkube.client import ApiError
        from mlkube.platform.workloads import namespace_of

        plans: list[tuple[Workload, list[dict[str, Any]]]] = []
        handles: list[Handle] = []
        names: set[tuple[str, str]] = set()
        for w in map(self._with_team, workloads):
            namespace = namespace_of(w, self.platform())
            if (w.name, namespace) in names:
                raise WorkloadExists(f"workload {w.name} is given twice; rename one of them")
            names.add((w.name, namespace))
            if self._exists(w.name, namespace):
                raise self._exists_error(w)
            plans.append((w, self.render(w)))
            handles.append(Handle(self.kube, w.name, namespace, w.metadata.team))
        if not force:
            report = self._check(plans)
            if not report.admitted:
                raise QuotaRefused(_refusal_message([w.name for w, _ in plans], report), report)
        created: list[dict[str, Any]] = []
        for (w, objects), handle in zip(plans, handles, strict=True):
            mine: list[dict[str, Any]] = []
            try:
                for obj in objects:
                    mine.append(self.kube.create(obj))
            except ApiError as err:
                self._undo(created + mine)
                if err.reason == "AlreadyExists":
                    raise self._exists_error(w) from err
                raise
            created.extend(mine)
            handle.created = [
                f"{str(o.get('kind')).lower()}/{(o.get('metadata') or {}).get('name')}"
                for o in mine
            ]
        return handles

    def _exists(self, name: str, namespace: str) -> bool:
        selector = f"{WORKLOAD}={name}"
        return any(
            self.kube.list(resource, namespace, label_selector=selector)
            for resource in ("jobs", "deployments")
        )

    def _exists_error(self, workload: Workload) -> WorkloadExists:
        where = f"team {workload.metadata.team}" if workload.metadata.team else "this namespace"
        return WorkloadExists(
            f"workload {workload.name} already exists in {where}; "
            f"cancel it first (mlkube cancel {workload.name}) or pick another name"
        )

    def _undo(self, created: list[dict[str, Any]]) -> None:
        """Delete what a submission created before a later object of it was refused."""
        from mlkube.api.registry import by_kind
        from mlkube.client import ApiError

        for obj in reversed(created):
            meta = obj.get("metadata") or {}
            rt = by_kind(str(obj.get("apiVersion")), str(obj.get("kind")))
            try:
                self.kube.delete(
                    rt, str(meta["name"]), meta.get("namespace"), propagation_policy="Background"
                )
            except ApiError:
                continue

    def _verb(self, kind: str, name: str, force: bool, fields: dict[str, Any]) -> Handle:
        return self._submit([self.build(kind, name, **fields)], force=force)[0]

    def train(
        self,
        name: str,
        *,
        image: str,
        command: Sequence[str],
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        gpus: int = 0,
        gpu_type: str | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        nodes: int = 1,
        datasets: Sequence[str | Mapping[str, Any]] = (),
        deadline: str | None = None,
        retries: int | None = None,
        ttl: str | None = None,
        priority: str | None = None,
        team: str | None = None,
        force: bool = False,
        **extra: Any,
    ) -> Handle:
        """Submit a TrainingJob (distributed when ``nodes`` > 1); ``extra`` takes the other
        spec fields (``nproc_per_node``, ``port``, ``profile``, ``run_for``, ``exit_code``)."""
        fields = _batch_fields(
            image=image,
            command=command,
            args=args,
            env=env,
            gpus=gpus,
            gpu_type=gpu_type,
            cpu=cpu,
            memory=memory,
            datasets=datasets,
            priority=priority,
            extra={"nodes": nodes, "deadline": deadline, "retries": retries, "ttl": ttl, **extra},
        )
        return self._verb("TrainingJob", name, force, {"team": team, **fields})

    def sweep(
        self,
        name: str,
        *,
        image: str,
        command: Sequence[str],
        params: Mapping[str, Sequence[Scalar] | str],
        random: int | None = None,
        seed: int = 0,
        parallel: int | None = None,
        metric: str | None = None,
        maximize: bool = False,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        gpus: int = 0,
        gpu_type: str | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        datasets: Sequence[str | Mapping[str, Any]] = (),
        deadline: str | None = None,
        retries: int | None = None,
        ttl: str | None = None,
        priority: str | None = None,
        team: str | None = None,
        force: bool = False,
        **extra: Any,
    ) -> Handle:
        """Submit a Sweep: one trial per grid point (``params`` name -> values), or ``random``
        trials sampled with ``seed``; ``parallel`` at once; ranked by ``metric``."""
        fields = _batch_fields(
            image=image,
            command=command,
            args=args,
            env=env,
            gpus=gpus,
            gpu_type=gpu_type,
            cpu=cpu,
            memory=memory,
            datasets=datasets,
            priority=priority,
            extra={
                "params": {k: v if isinstance(v, str) else list(v) for k, v in params.items()},
                "random": random,
                "seed": seed,
                "parallel": parallel,
                "metric": metric,
                "goal": "maximize" if maximize else "minimize",
                "deadline": deadline,
                "retries": retries,
                "ttl": ttl,
                **extra,
            },
        )
        return self._verb("Sweep", name, force, {"team": team, **fields})

    def preprocess(
        self,
        name: str,
        *,
        image: str,
        command: Sequence[str],
        output: str | Mapping[str, Any],
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        datasets: Sequence[str | Mapping[str, Any]] = (),
        parallel: int | None = None,
        completions: int | None = None,
        deadline: str | None = None,
        retries: int | None = None,
        ttl: str | None = None,
        priority: str | None = None,
        team: str | None = None,
        force: bool = False,
        **extra: Any,
    ) -> Handle:
        """Submit a PreprocessingJob writing the ReadWriteMany dataset ``output``
        (``NAME`` or ``NAME:PATH``)."""
        fields = _batch_fields(
            image=image,
            command=command,
            args=args,
            env=env,
            gpus=0,
            gpu_type=None,
            cpu=cpu,
            memory=memory,
            datasets=datasets,
            priority=priority,
            extra={
                "output": dataset_mount(output) if isinstance(output, str) else dict(output),
                "parallel": parallel,
                "completions": completions,
                "deadline": deadline,
                "retries": retries,
                "ttl": ttl,
                **extra,
            },
        )
        return self._verb("PreprocessingJob", name, force, {"team": team, **fields})

    def serve(
        self,
        name: str,
        *,
        image: str,
        command: Sequence[str],
        replicas: int = 1,
        port: int = 8080,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        gpus: int = 0,
        gpu_type: str | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        datasets: Sequence[str | Mapping[str, Any]] = (),
        priority: str | None = None,
        team: str | None = None,
        force: bool = False,
        **extra: Any,
    ) -> Handle:
        """Submit an InferenceService (Deployment + Service, + PodDisruptionBudget when
        ``replicas`` > 1); ``handle.wait()`` waits for the rollout."""
        fields = _batch_fields(
            image=image,
            command=command,
            args=args,
            env=env,
            gpus=gpus,
            gpu_type=gpu_type,
            cpu=cpu,
            memory=memory,
            datasets=datasets,
            priority=priority,
            extra={"replicas": replicas, "port": port, **extra},
        )
        return self._verb("InferenceService", name, force, {"team": team, **fields})

    # -- finding ----------------------------------------------------------------------

    def workload(self, name: str, team: str | None = None) -> Handle:
        """A handle on an existing workload (its methods raise NotFound if there is none)."""
        team = team or self.team
        return Handle(self.kube, name, self.namespace(team), team)

    def jobs(self, *, all_teams: bool = False, team: str | None = None) -> list[WorkloadStatus]:
        """Every workload of the team (or of every team), newest first."""
        namespace = None if all_teams else self.namespace(team)
        items: list[dict[str, Any]] = []
        for resource in ("jobs", "deployments"):
            found = self.kube.list(
                resource, namespace, label_selector=WORKLOAD, all_namespaces=all_teams
            )
            items.extend(with_kind(obj, resource) for obj in found)
        statuses = [summarize(obj) for obj in items]
        return sorted(statuses, key=lambda s: (s.created, s.namespace, s.name), reverse=True)


def _refusal_message(names: Sequence[str], report: CheckReport) -> str:
    who = f"workload {names[0]}" if len(names) == 1 else f"workloads {', '.join(names)} together"
    lines = [f"{who} would be refused (nothing was created; --force submits anyway):"]
    for r in report.refusals:
        lines.append(f"  {r.object}: {r.message}" + (f" ({r.fix})" if r.fix else ""))
    return "\n".join(lines)
