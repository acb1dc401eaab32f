"""Admission: kube-apiserver's default admission plugins, run in kube-apiserver's order.

``default_chain()`` is the chain the embedded cluster runs on every write; each plugin is
one module under :mod:`mlkube.engine.admission.plugins`.
"""

from __future__ import annotations

import random

from mlkube.engine.admission.chain import AdmissionChain
from mlkube.engine.admission.interface import (
    AdmissionContext,
    AdmissionPlugin,
    Attributes,
    Operation,
    aggregate,
    forbidden,
)
from mlkube.engine.admission.plugins.defaultstorageclass import DefaultStorageClass
from mlkube.engine.admission.plugins.defaulttolerationseconds import DefaultTolerationSeconds
from mlkube.engine.admission.plugins.limitranger import LimitRanger
from mlkube.engine.admission.plugins.namespacelifecycle import NamespaceLifecycle
from mlkube.engine.admission.plugins.priority import Priority
from mlkube.engine.admission.plugins.resourcequota import ResourceQuota
from mlkube.engine.admission.plugins.serviceaccount import ServiceAccount
from mlkube.engine.admission.plugins.storageobjectinuseprotection import (
    StorageObjectInUseProtection,
)
from mlkube.engine.admission.plugins.taintnodesbycondition import TaintNodesByCondition

__all__ = [
    "AdmissionChain",
    "AdmissionContext",
    "AdmissionPlugin",
    "Attributes",
    "Operation",
    "aggregate",
    "default_chain",
    "forbidden",
]


def default_chain(rng: random.Random | None = None) -> AdmissionChain:
    """kube-apiserver's default plugins that the embedded cluster serves, in the order of
    ``AllOrderedPlugins`` (``pkg/kubeapiserver/options/plugins.go``)."""
    return AdmissionChain(
        [
            NamespaceLifecycle(),
            LimitRanger(),
            ServiceAccount(rng),
            TaintNodesByCondition(),
            Priority(),
            DefaultTolerationSeconds(),
            DefaultStorageClass(),
            StorageObjectInUseProtection(),
            ResourceQuota(),
        ]
    )
