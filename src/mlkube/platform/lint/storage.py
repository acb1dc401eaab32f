"""ReadWriteOnce claims mounted by workloads that run more than one pod at a time.

A ReadWriteOnce volume attaches to one node: a Job with ``parallelism > 1`` or a Deployment
with ``replicas > 1`` sharing the claim gets its pods on other nodes stuck in
ContainerCreating, with the attach/detach controller's FailedAttachVolume event ``Volume is
already used by pod(s) ...`` (``pkg/controller/volume/attachdetach/reconciler/
reconciler.go``). A ReadWriteOncePod claim is stricter still: the scheduler keeps every
other pod off every node with ``node(s) unavailable due to PersistentVolumeClaim with
ReadWriteOncePod access mode already in-use by another pod``
(``pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go``). Access
modes are the bound PersistentVolume's when known, else the claim's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.rules import Rule

__all__ = ["RULES", "RWO_SHARED", "access_modes"]

MSG_RWOP_CONFLICT: Final = (
    "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode "
    "already in-use by another pod"
)
MSG_ALREADY_USED: Final = "Volume is already used by pod(s)"
_SHARED_MODES: Final = frozenset({"ReadWriteMany", "ReadOnlyMany"})


def access_modes(ctx: LintContext, claim: Mapping[str, Any]) -> list[str]:
    """The access modes that bind: the PersistentVolume's, else the claim's status or spec."""
    volume_name = (claim.get("spec") or {}).get("volumeName")
    volume = ctx.volume(volume_name) if volume_name else None
    if volume is not None and (volume.get("spec") or {}).get("accessModes"):
        return list(volume["spec"]["accessModes"])
    status_modes = (claim.get("status") or {}).get("accessModes")
    return list(status_modes or (claim.get("spec") or {}).get("accessModes") or ())


def _check(ctx: LintContext) -> Iterator[Hit]:
    for t in ctx.templates:
        pods = t.concurrent_pods
        if pods is not None and pods <= 1:
            continue
        many = "one pod per node" if pods is None else f"{pods} pods at once"
        namespace = ctx.namespace_of(t)
        for i, volume in enumerate(t.spec.get("volumes") or ()):
            claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            claim = ctx.claim(namespace, claim_name) if claim_name else None
            if claim is None:
                continue
            modes = access_modes(ctx, claim)
            if not modes or _SHARED_MODES & set(modes):
                continue
            path = t.at("volumes", i, "persistentVolumeClaim", "claimName")
            if "ReadWriteOncePod" in modes:
                yield Hit(
                    t.manifest.index,
                    path,
                    f"{t.manifest.kind} runs {many} but claim {claim_name} is ReadWriteOncePod: "
                    f'only one pod can use it, the others stay Pending with "{MSG_RWOP_CONFLICT}"; '
                    "use a ReadWriteMany claim (or one claim per pod)",
                    "error",
                )
                continue
            yield Hit(
                t.manifest.index,
                path,
                f"{t.manifest.kind} runs {many} but claim {claim_name} is ReadWriteOnce: pods "
                f'on other nodes cannot attach it ("{MSG_ALREADY_USED} ...") and hang in '
                "ContainerCreating; use a ReadWriteMany claim (or one claim per pod, e.g. a "
                "StatefulSet's volumeClaimTemplates)",
            )


RWO_SHARED = Rule(
    id="ML006",
    name="rwo-claim-shared",
    severity="warning",
    title="ReadWriteOnce claim used by a workload that runs several pods",
    explanation=(
        "A ReadWriteOnce volume can be attached to one node at a time. A Job with "
        "parallelism > 1, or a Deployment, ReplicaSet or StatefulSet with replicas > 1, that "
        "mounts the same claim in every pod works only while all pods land on one node; the "
        "others wait in ContainerCreating with FailedAttachVolume 'Volume is already used by "
        "pod(s) ...'. A ReadWriteOncePod claim admits one pod in the whole cluster (an error). "
        "The claim must be known: in the manifests or, with --live, in the namespace."
    ),
    fix=(
        "Use a ReadWriteMany (or ReadOnlyMany, for datasets) claim, or give each pod its own "
        "claim (a StatefulSet's volumeClaimTemplates)."
    ),
    check=_check,
)

RULES: Final = (RWO_SHARED,)
