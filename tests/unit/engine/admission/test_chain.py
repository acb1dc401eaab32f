"""The default admission chain runs kube-apiserver's plugins in kube-apiserver's order."""

from __future__ import annotations

from mlkube.engine.admission import default_chain


def test_the_default_chain_follows_all_ordered_plugins() -> None:
    assert default_chain().names == [
        "NamespaceLifecycle",
        "LimitRanger",
        "ServiceAccount",
        "TaintNodesByCondition",
        "Priority",
        "DefaultTolerationSeconds",
        "DefaultStorageClass",
        "StorageObjectInUseProtection",
        "ResourceQuota",
    ]
