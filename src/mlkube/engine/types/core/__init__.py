"""The core/v1 types around workloads: Namespace, Node, Service, Endpoints, ConfigMap,
Secret, ServiceAccount and Event.

Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_Namespace``, ``_NamespaceStatus``,
``_NodeStatus``, ``_Service``, ``_Endpoints``, ``_Secret``), the registries'
``strategy.go`` files under ``pkg/registry/core/`` (namespace: ``PrepareForCreate`` sets
the ``kubernetes`` finalizer and phase ``Active``; updates keep finalizers and status) and
``pkg/apis/core/validation/validation.go`` (``ValidateNamespace``, ``ValidateNode``,
``validateNodeTaints``, ``ValidateService``, ``ValidateEndpoints``, ``ValidateConfigMap``,
``ValidateSecret`` and their updates).

Not covered: Service cluster-IP and node-port allocation (the store's allocator), load
balancer status, the Windows GMSA and node config-source fields, core/v1 Event field
rules beyond ObjectMeta.

One module per kind group: :mod:`.namespace_node` (the cluster-scoped Namespace and Node),
:mod:`.service` (Service and Endpoints) and :mod:`.config` (ConfigMap, Secret,
ServiceAccount, Event). Importing this package registers their strategies.
"""

from mlkube.engine.types.core._common import GoValue
from mlkube.engine.types.core.config import (
    MAX_SECRET_SIZE,
    ConfigMapStrategy,
    EventStrategy,
    SecretStrategy,
    ServiceAccountStrategy,
)
from mlkube.engine.types.core.namespace_node import (
    LABEL_METADATA_NAME,
    NamespaceStrategy,
    NodeStrategy,
    validate_node_taints,
)
from mlkube.engine.types.core.service import EndpointsStrategy, ServiceStrategy
from mlkube.engine.types.strategy import register

__all__ = [
    "LABEL_METADATA_NAME",
    "MAX_SECRET_SIZE",
    "ConfigMapStrategy",
    "EndpointsStrategy",
    "EventStrategy",
    "GoValue",
    "NamespaceStrategy",
    "NodeStrategy",
    "SecretStrategy",
    "ServiceAccountStrategy",
    "ServiceStrategy",
    "validate_node_taints",
]


for _strategy in (
    NamespaceStrategy(),
    NodeStrategy(),
    ServiceStrategy(),
    EndpointsStrategy(),
    ConfigMapStrategy(),
    SecretStrategy(),
    ServiceAccountStrategy(),
    EventStrategy(),
):
    register(_strategy)
