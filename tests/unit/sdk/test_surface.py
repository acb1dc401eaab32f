"""The SDK's public surface is pinned: adding or renaming a name or a verb is a decision."""

from __future__ import annotations

import inspect

import mlkube
import mlkube.sdk
from mlkube.sdk import Client, Handle


def _public(cls: type) -> list[str]:
    return sorted(n for n in vars(cls) if not n.startswith("_"))


def test_the_sdk_package_exports_these_names() -> None:
    assert mlkube.sdk.__all__ == [
        "Client",
        "Handle",
        "MlkubeError",
        "NotFound",
        "QuotaRefused",
        "Target",
        "TargetError",
        "TrialResult",
        "WaitFailed",
        "WaitTimeout",
        "WorkloadExists",
        "WorkloadStatus",
        "connect",
    ]
    assert mlkube.connect is mlkube.sdk.connect


def test_connect_takes_the_kubectl_selection_and_a_team() -> None:
    params = inspect.signature(mlkube.connect).parameters
    assert list(params) == ["kubeconfig", "context", "team", "start", "on_start"]
    assert all(params[p].default is None for p in ("kubeconfig", "context", "team"))


def test_a_client_has_the_clis_verbs() -> None:
    assert _public(Client) == [
        "banner",
        "build",
        "check",
        "close",
        "context",
        "jobs",
        "namespace",
        "platform",
        "preprocess",
        "render",
        "serve",
        "server",
        "submit",
        "sweep",
        "team",
        "train",
        "workload",
    ]


def test_a_handle_waits_reads_logs_status_results_and_cancels() -> None:
    assert _public(Handle) == [
        "cancel",
        "describe",
        "events",
        "logs",
        "object",
        "pod_logs",
        "pods",
        "results",
        "spec",
        "status",
        "wait",
    ]


def test_every_public_verb_is_documented_and_typed() -> None:
    for cls in (Client, Handle):
        for name in _public(cls):
            member = getattr(cls, name)
            if callable(member):
                assert member.__doc__, f"{cls.__name__}.{name} has a docstring"
                hints = inspect.signature(member).return_annotation
                assert hints is not inspect.Signature.empty, f"{cls.__name__}.{name} is typed"
