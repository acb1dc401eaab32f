"""What the rules look at: the manifests, and what is known of the cluster they go to.

A rule asks the context, never a client: the cluster's nodes, ResourceQuotas, LimitRanges,
PriorityClasses, PersistentVolumeClaims and PersistentVolumes come from ``--live``
(:mod:`mlkube.platform.lint.live`) and from the manifests themselves (a ResourceQuota in the
same file counts as much as one in the cluster). Everything is computed once when the
context is built (pre-compute once, read many times), and nothing is mutated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlkube.platform.lint.manifests import Manifest
from mlkube.platform.lint.workloads import PodTemplate, pod_template

__all__ = ["Cluster", "LintContext"]

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Cluster:
    """The live cluster's state that rules read (``--live``); every field a wire list."""

    nodes: Sequence[Obj] = ()
    quotas: Sequence[Obj] = ()
    limitranges: Sequence[Obj] = ()
    priorityclasses: Sequence[Obj] = ()
    pvcs: Sequence[Obj] = ()
    pvs: Sequence[Obj] = ()


def _namespace_of(obj: Obj, default: str) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or default)


def _name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


@dataclass(frozen=True)
class LintContext:
    """The manifests (in order), their pod templates, and the known cluster objects."""

    manifests: tuple[Manifest, ...]
    namespace: str = "default"
    live: bool = False
    templates: tuple[PodTemplate, ...] = ()
    nodes: tuple[Obj, ...] = ()
    priorityclasses: tuple[Obj, ...] = ()
    _quotas: tuple[Obj, ...] = field(default=(), repr=False)
    _limitranges: tuple[Obj, ...] = field(default=(), repr=False)
    _pvcs: tuple[Obj, ...] = field(default=(), repr=False)
    _pvs: tuple[Obj, ...] = field(default=(), repr=False)

    @classmethod
    def build(
        cls,
        manifests: Sequence[Manifest],
        cluster: Cluster | None = None,
        *,
        namespace: str = "default",
    ) -> LintContext:
        """Index the manifests and merge in the cluster's objects (manifests first)."""
        indexed = tuple(
            m if m.index == i else Manifest(m.obj, m.file, m.line, i)
            for i, m in enumerate(manifests)
        )
        known = cluster or Cluster()

        def of_kind(kind: str, live: Sequence[Obj]) -> tuple[Obj, ...]:
            return (*(m.obj for m in indexed if m.kind == kind), *live)

        templates = tuple(t for m in indexed if (t := pod_template(m)) is not None)
        return cls(
            manifests=indexed,
            namespace=namespace,
            live=cluster is not None,
            templates=templates,
            nodes=of_kind("Node", known.nodes),
            priorityclasses=of_kind("PriorityClass", known.priorityclasses),
            _quotas=of_kind("ResourceQuota", known.quotas),
            _limitranges=of_kind("LimitRange", known.limitranges),
            _pvcs=of_kind("PersistentVolumeClaim", known.pvcs),
            _pvs=of_kind("PersistentVolume", known.pvs),
        )

    def namespace_of(self, template: PodTemplate) -> str:
        return template.manifest.namespace(self.namespace)

    def quotas(self, namespace: str) -> list[Obj]:
        """The namespace's ResourceQuotas, sorted by name (the admission lister's order)."""
        found = [q for q in self._quotas if _namespace_of(q, self.namespace) == namespace]
        return sorted(found, key=_name_of)

    def limitranges(self, namespace: str) -> list[Obj]:
        return [r for r in self._limitranges if _namespace_of(r, self.namespace) == namespace]

    def claim(self, namespace: str, name: str) -> Obj | None:
        """The PersistentVolumeClaim ``namespace/name``, if known."""
        for pvc in self._pvcs:
            if _namespace_of(pvc, self.namespace) == namespace and _name_of(pvc) == name:
                return pvc
        return None

    def volume(self, name: str) -> Obj | None:
        """The PersistentVolume ``name``, if known."""
        return next((pv for pv in self._pvs if _name_of(pv) == name), None)
