"""The in-tree plugin registry: plugin NAME -> factory.

Follows ``pkg/scheduler/framework/plugins/registry.go``.

A factory takes the plugin's ``args`` (the ``pluginConfig`` entry, possibly empty) and the
framework handle, and returns the plugin; the profile decides which extension points it serves
by the Protocols it implements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from mlkube.engine.scheduler.framework import Handle, Plugin
from mlkube.engine.scheduler.plugins import (
    balancedallocation,
    defaultbinder,
    defaultpreemption,
    imagelocality,
    interpodaffinity,
    nodeaffinity,
    nodename,
    nodeports,
    noderesources,
    nodeunschedulable,
    podtopologyspread,
    tainttoleration,
    volumebinding,
    volumerestrictions,
)

__all__ = ["REGISTRY", "PluginFactory", "new_plugin"]

PluginFactory = Callable[[Mapping[str, Any], Handle], Plugin]

REGISTRY: Final[Mapping[str, PluginFactory]] = {
    nodeunschedulable.NAME: lambda args, h: nodeunschedulable.NodeUnschedulable(),
    nodename.NAME: lambda args, h: nodename.NodeName(),
    tainttoleration.NAME: lambda args, h: tainttoleration.TaintToleration(),
    nodeaffinity.NAME: lambda args, h: nodeaffinity.NodeAffinity(),
    nodeports.NAME: lambda args, h: nodeports.NodePorts(),
    noderesources.NAME: lambda args, h: noderesources.Fit(args),
    volumerestrictions.NAME: lambda args, h: volumerestrictions.VolumeRestrictions(h),
    volumebinding.NAME: lambda args, h: volumebinding.VolumeBinding(h),
    podtopologyspread.NAME: lambda args, h: podtopologyspread.PodTopologySpread(h, args),
    interpodaffinity.NAME: lambda args, h: interpodaffinity.InterPodAffinity(h, args),
    defaultpreemption.NAME: lambda args, h: defaultpreemption.DefaultPreemption(h, args),
    balancedallocation.NAME: lambda args, h: balancedallocation.BalancedAllocation(args),
    imagelocality.NAME: lambda args, h: imagelocality.ImageLocality(h),
    defaultbinder.NAME: lambda args, h: defaultbinder.DefaultBinder(h),
}


def new_plugin(name: str, args: Mapping[str, Any], handle: Handle) -> Plugin:
    """Build one plugin; an unknown name is a configuration error (``KeyError``)."""
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise KeyError(f'plugin "{name}" does not exist') from None
    return factory(args, handle)
