"""Where the pods are: the pod template inside every workload kind a manifest can hold.

Every rule about pods must look inside Pods, Jobs, CronJobs, Deployments, StatefulSets,
ReplicaSets, ReplicationControllers and DaemonSets the same way and report the same field
paths kube-apiserver would (``spec.template.spec.containers[0]...``, as
``pkg/apis/batch/validation/validation.go`` and ``pkg/apis/apps/validation/validation.go``
prefix them), so the walk lives here once. A GPU is any extended resource whose name says
so (``nvidia.com/gpu``, ``amd.com/gpu``, ``gpu.intel.com/i915``, ``nvidia.com/mig-*``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mlkube.api.resources import is_extended_resource_name
from mlkube.platform.lint.manifests import Manifest

__all__ = ["PodTemplate", "is_gpu_resource", "pod_template"]

#: kind -> (path of the pod spec, path of the Job spec or None).
_TEMPLATE_PATHS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...] | None]]] = {
    "Pod": (("spec",), None),
    "Job": (("spec", "template", "spec"), ("spec",)),
    "CronJob": (
        ("spec", "jobTemplate", "spec", "template", "spec"),
        ("spec", "jobTemplate", "spec"),
    ),
    "Deployment": (("spec", "template", "spec"), None),
    "StatefulSet": (("spec", "template", "spec"), None),
    "ReplicaSet": (("spec", "template", "spec"), None),
    "ReplicationController": (("spec", "template", "spec"), None),
    "DaemonSet": (("spec", "template", "spec"), None),
}
_REPLICATED: Final = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def is_gpu_resource(name: str) -> bool:
    """Whether a resource name is an accelerator (an extended resource naming a GPU)."""
    if not is_extended_resource_name(name):
        return False
    domain, _, resource = name.partition("/")
    return resource == "gpu" or "gpu" in domain.split(".") or resource.startswith("mig-")


def _get(obj: Mapping[str, Any], path: Sequence[str]) -> Any:
    current: Any = obj
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True)
class PodTemplate:
    """The pods one manifest creates: its pod spec, and (for Jobs, CronJobs) its Job spec."""

    manifest: Manifest
    spec_path: str
    spec: Mapping[str, Any]
    job_path: str | None
    job: Mapping[str, Any] | None

    @property
    def pod(self) -> dict[str, Any]:
        """A pod built from the template, for the ``mlkube.api`` functions."""
        obj = self.manifest.obj
        meta = obj.get("metadata") if obj.get("kind") == "Pod" else _get(obj, self._meta_path)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(meta or {}), "spec": self.spec}

    @property
    def _meta_path(self) -> tuple[str, ...]:
        return (*self.spec_path.split(".")[:-1], "metadata")

    def at(self, *rest: str | int) -> str:
        """A field path under the pod spec: ``at("containers", 0, "image")``."""
        text = self.spec_path
        for part in rest:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text

    def job_at(self, name: str) -> str:
        """A field path under the Job spec (``spec.activeDeadlineSeconds``)."""
        return f"{self.job_path}.{name}"

    @property
    def containers(self) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
        """``(list name, index, container)`` for init containers, then containers."""
        for list_name in ("initContainers", "containers"):
            for i, container in enumerate(self.spec.get(list_name) or ()):
                if isinstance(container, Mapping):
                    yield list_name, i, container

    @property
    def gpu_resources(self) -> list[str]:
        """The GPU resource names any container requests or limits, sorted."""
        names: set[str] = set()
        for _, _, container in self.containers:
            resources = container.get("resources") or {}
            for section in ("requests", "limits"):
                names.update(n for n in resources.get(section) or {} if is_gpu_resource(n))
        return sorted(names)

    @property
    def uses_gpu(self) -> bool:
        return bool(self.gpu_resources)

    @property
    def concurrent_pods(self) -> int | None:
        """How many pods run at once: replicas, a Job's effective parallelism, 1 for a
        Pod; None for a DaemonSet (one per node)."""
        kind = self.manifest.kind
        if kind == "DaemonSet":
            return None
        if kind in _REPLICATED:
            return _int(_get(self.manifest.obj, ("spec", "replicas")), 1)
        if self.job is not None:
            parallelism = _int(self.job.get("parallelism"), 1)
            completions = self.job.get("completions")
            if isinstance(completions, int) and not isinstance(completions, bool):
                return min(parallelism, completions)
            return parallelism
        return 1


def pod_template(manifest: Manifest) -> PodTemplate | None:
    """The pod template of a workload manifest, or None for other kinds."""
    paths = _TEMPLATE_PATHS.get(manifest.kind)
    if paths is None:
        return None
    spec_path, job_path = paths
    spec = _get(manifest.obj, spec_path)
    if not isinstance(spec, Mapping):
        return None
    job = None if job_path is None else _get(manifest.obj, job_path)
    return PodTemplate(
        manifest=manifest,
        spec_path=".".join(spec_path),
        spec=spec,
        job_path=None if job_path is None else ".".join(job_path),
        job=job if isinstance(job, Mapping) else None,
    )
