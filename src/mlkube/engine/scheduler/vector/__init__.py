"""The vectorised hot path: the same filter decisions and scores as the per-node plugins, computed
over numpy arrays of every node at once and kept current incrementally.

Per node it keeps allocatable, requested and non-zero-requested resources and the pod count,
updated from snapshot events. Per pod *shape* (tolerations, nodeSelector, node affinity,
nodeName) it computes once the static filter outcome and the taint and preferred-affinity raw
scores. Per (shape, requests, filter order) an entry holds every node's filter code (which
plugin fails first), NodeResourcesFit's reason bitmask and the weighted Fit + BalancedAllocation
score; when a pod of the same entry comes again only the nodes changed since are recomputed,
with the plugins' own arithmetic, so a cycle costs a few array operations instead of a loop
over nodes.

It takes a cycle only when every filter plugin that will run is one it mirrors
(NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit), every node is a
candidate and no pod is nominated. Scoring mirrors TaintToleration, NodeAffinity,
NodeResourcesFit (LeastAllocated, MostAllocated), BalancedAllocation and ImageLocality (when no
node lists images), and calls a plugin's own ``score`` for the rest. Statuses of failing nodes
are built lazily (only a FitError reads them). ``tests/unit/engine/scheduler/test_vector.py``
checks, as a hypothesis property, identical feasibility, statuses and scores with the
reference path.

One concept per module: :mod:`.arrays` (the node arrays), :mod:`.entries` (what is cached
per pod shape and per entry), :mod:`.filters`, :mod:`.scores`, and :mod:`.path`
(:class:`VectorPath`, which cycles it takes).
"""

from mlkube.engine.scheduler.vector.arrays import NodeSlice
from mlkube.engine.scheduler.vector.path import VectorPath

__all__ = ["NodeSlice", "VectorPath"]
