"""The built-in types the embedded cluster serves: defaulting, preparation and validation.

Each module states one group of types' rules as a :class:`Strategy`
(``pkg/registry/<group>/<type>/strategy.go`` and ``pkg/apis/<group>/validation``);
importing this package registers them all in :data:`STRATEGIES`, keyed by
``(apiVersion, kind)``. The PodSpec helpers other types embed are exported here too.
"""

from mlkube.engine.types import (
    apps,
    batch,
    coordination,
    core,
    discovery,
    events,
    pod,
    policy,
    quota,
    rbac,
    scheduling,
    storage,
    volumes,
)
from mlkube.engine.types.pod import (
    default_pod_template_spec,
    validate_pod_spec,
    validate_pod_template_spec,
)
from mlkube.engine.types.strategy import (
    STRATEGIES,
    BaseStrategy,
    Strategy,
    register,
    spec_changed,
    strategy_for,
)

__all__ = [
    "STRATEGIES",
    "BaseStrategy",
    "Strategy",
    "apps",
    "batch",
    "coordination",
    "core",
    "default_pod_template_spec",
    "discovery",
    "events",
    "pod",
    "policy",
    "quota",
    "rbac",
    "register",
    "scheduling",
    "spec_changed",
    "storage",
    "strategy_for",
    "validate_pod_spec",
    "validate_pod_template_spec",
    "volumes",
]
