"""kube-scheduler's default profile as a library: snapshot in, placement or FitError out.

``Snapshot`` holds the cluster as the scheduler sees it (kept current incrementally),
``Scheduler.schedule_one`` runs one cycle and binds through a callback, ``SchedulingQueue``
orders pods and backs them off, and ``FitError.message()`` says kube-scheduler's words.

Wiring, in short::

    snapshot = Snapshot(nodes, pods, pvcs=..., pvs=..., storage_classes=..., pdbs=...)
    scheduler = Scheduler(snapshot, load_profiles(config)[0], bind=write_binding, seed=0)
    # on store events: snapshot.add_node / update_node / remove_node, add_pod / update_pod /
    # remove_pod (bound pods), set_pvc / set_pv / set_storage_class / set_pdb / set_workload
    result = scheduler.schedule_one(pod)   # node_name, or fit_error.message(), victims, ...
"""

from mlkube.engine.scheduler.framework import (
    Code,
    CycleState,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins.volumebinding import PodVolumes
from mlkube.engine.scheduler.profile import Profile, default_profile, load_profiles
from mlkube.engine.scheduler.queue import SchedulingQueue
from mlkube.engine.scheduler.scheduler import (
    BindCallback,
    FitError,
    Scheduler,
    ScheduleResult,
    num_feasible_nodes_to_find,
)
from mlkube.engine.scheduler.snapshot import Snapshot

__all__ = [
    "BindCallback",
    "Code",
    "CycleState",
    "FitError",
    "NodeInfo",
    "NodeToStatus",
    "PodInfo",
    "PodVolumes",
    "Profile",
    "ScheduleResult",
    "Scheduler",
    "SchedulingQueue",
    "Snapshot",
    "Status",
    "default_profile",
    "load_profiles",
    "num_feasible_nodes_to_find",
]
