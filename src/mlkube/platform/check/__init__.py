"""Will it run, where, when, and if not, why: ``mlkube check``, ``explain``, ``quota``, ``top``.

A cluster's state (:func:`read_state`, any cluster through ``ClusterAPI``) is loaded into the
engine's own admission chain and scheduler, in process: :func:`check` answers for manifests
not yet submitted (LimitRange defaults, quota refusals word for word, placement now, gang
feasibility, whether it can ever fit, an estimated start in virtual time); :func:`explain`
answers for objects that exist (why Pending, quota-refused Job pods, unbound claims,
preemptions). :mod:`.usage` holds the quota and pool figures of ``quota`` and ``top``.
"""

from mlkube.platform.check.admission import GENERATED, CheckInputError
from mlkube.platform.check.report import (
    CheckReport,
    ContainerDefaults,
    EverResult,
    GangResult,
    NodeClassDetail,
    PodPlacement,
    Refusal,
)
from mlkube.platform.check.run import check, latest_time
from mlkube.platform.check.state import ClusterState, read_state

__all__ = [
    "GENERATED",
    "CheckInputError",
    "CheckReport",
    "ClusterState",
    "ContainerDefaults",
    "EverResult",
    "GangResult",
    "NodeClassDetail",
    "PodPlacement",
    "Refusal",
    "check",
    "latest_time",
    "read_state",
]
