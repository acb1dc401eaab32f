"""Who kube-controller-manager's writes are from: one User-Agent for every controller.

kube-controller-manager builds each controller's client with
``restclient.AddUserAgent(config, name)`` (``k8s.io/controller-manager/pkg/clientbuilder``),
so every request carries ``kube-controller-manager/<version> (<os>/<arch>)
kubernetes/<commit>/<controller>``, and no controller sets a ``fieldManager``. The API
server names the manager of a write after the User-Agent up to its first ``/``
(``prefixFromUserAgent``), so the pods a ReplicaSet creates, a Job's status, an
EndpointSlice and a PodDisruptionBudget's status all show ``manager:
kube-controller-manager`` in their managedFields. The embedded controllers pass
:data:`USER_AGENT` on every write for the same answer.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MANAGER", "USER_AGENT"]

#: The User-Agent of every embedded controller's writes.
USER_AGENT: Final = "kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/mlkube"
#: The manager their managedFields entries name.
MANAGER: Final = "kube-controller-manager"
