"""Scheduling profiles: the plugins at each extension point, their score weights and args.

The default profile is kube-scheduler's (``pkg/scheduler/apis/config/v1/default_plugins.go``,
MultiPoint order, and ``defaults.go``); a KubeSchedulerConfiguration-style mapping or YAML text
changes plugins, weights, ``percentageOfNodesToScore`` and plugin args (e.g. NodeResourcesFit's
``scoringStrategy``), merged as upstream's ``mergePlugins`` does: ``disabled`` removes (``"*"``
removes every default), ``enabled`` replaces a default in place or appends.

Default plugins not modelled (no objects in this cluster make them matter): SchedulingGates
and PrioritySort live in the queue, NodeVolumeLimits, VolumeZone and DynamicResources have no
CSI/zone/DRA objects to act on (DynamicResources' PostFilter adds no reason for a pod without
claims in v1.37, PR #140222).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "DEFAULT_MULTI_POINT",
    "DEFAULT_SCHEDULER_NAME",
    "EXTENSION_POINTS",
    "Profile",
    "default_profile",
    "load_profiles",
]

DEFAULT_SCHEDULER_NAME: Final = "default-scheduler"

#: (plugin, score weight) in MultiPoint order; weight 0 means "not a score plugin".
DEFAULT_MULTI_POINT: Final[tuple[tuple[str, int], ...]] = (
    ("NodeUnschedulable", 0),
    ("NodeName", 0),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", 0),
    ("NodeResourcesFit", 1),
    ("VolumeRestrictions", 0),
    ("VolumeBinding", 0),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DefaultPreemption", 0),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", 0),
)

EXTENSION_POINTS: Final = (
    "preFilter",
    "filter",
    "postFilter",
    "preScore",
    "score",
    "reserve",
    "bind",
)


@dataclass(frozen=True)
class Profile:
    """One profile: the enabled plugins per extension point (None = every implementing plugin
    of ``multi_point``), score weights, plugin args and percentageOfNodesToScore."""

    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    multi_point: tuple[tuple[str, int], ...] = DEFAULT_MULTI_POINT
    points: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    plugin_args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    percentage_of_nodes_to_score: int | None = None

    def plugins_for(self, point: str) -> tuple[tuple[str, int], ...] | None:
        """Explicit plugins for an extension point, or None to use every MultiPoint plugin."""
        return self.points.get(point)

    def weight(self, name: str) -> int:
        for plugin, weight in (*self.points.get("score", ()), *self.multi_point):
            if plugin == name:
                return weight or 1
        return 1


def default_profile() -> Profile:
    return Profile()


def _merge(
    defaults: Sequence[tuple[str, int]], section: Mapping[str, Any] | None
) -> tuple[tuple[str, int], ...]:
    if not section:
        return tuple(defaults)
    disabled = {d.get("name") for d in section.get("disabled") or ()}
    merged = [] if "*" in disabled else [(n, w) for n, w in defaults if n not in disabled]
    for entry in section.get("enabled") or ():
        name, weight = str(entry["name"]), int(entry.get("weight") or 0)
        for i, (existing, old_weight) in enumerate(merged):
            if existing == name:
                merged[i] = (name, weight or old_weight)
                break
        else:
            merged.append((name, weight))
    return tuple(merged)


def load_profiles(config: Mapping[str, Any] | str) -> list[Profile]:
    """Profiles from a KubeSchedulerConfiguration (a mapping or YAML text).

    Each profile starts from the default plugin set; a top-level ``percentageOfNodesToScore``
    applies to profiles that do not set their own.
    """
    if isinstance(config, str):
        import yaml

        loaded = yaml.load(config, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        config = loaded or {}
    assert isinstance(config, Mapping)
    top_pct = config.get("percentageOfNodesToScore")
    profiles = []
    for raw in config.get("profiles") or [{}]:
        plugins = raw.get("plugins") or {}
        multi = _merge(DEFAULT_MULTI_POINT, plugins.get("multiPoint"))
        points: dict[str, tuple[tuple[str, int], ...]] = {}
        for point in EXTENSION_POINTS:
            if plugins.get(point):
                points[point] = _merge(_defaults_for(point, multi), plugins[point])
        args = {str(c["name"]): dict(c.get("args") or {}) for c in raw.get("pluginConfig") or ()}
        pct = raw.get("percentageOfNodesToScore", top_pct)
        profiles.append(
            Profile(
                scheduler_name=str(raw.get("schedulerName") or DEFAULT_SCHEDULER_NAME),
                multi_point=multi,
                points=points,
                plugin_args=args,
                percentage_of_nodes_to_score=None if pct is None else int(pct),
            )
        )
    return profiles


def _defaults_for(point: str, multi: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """The MultiPoint plugins that implement ``point`` (known without building them)."""
    from mlkube.engine.scheduler.runtime import implements

    return tuple((n, w) for n, w in multi if implements(n, point))
