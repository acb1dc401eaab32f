"""The namespace controller: a Terminating namespace is emptied, then finalized.

Follows ``pkg/controller/namespace/deletion/namespaced_resources_deleter.go`` (Delete,
deleteAllContent, deleteAllContentForGroupVersionResource, estimateGracefulTermination),
``status_condition_utils.go`` (the five deletion conditions, their reasons and messages,
written only when they change) and ``namespace_controller.go`` (the requeue). Every
namespaced type is deleted with background propagation. What remains is counted into the
conditions: pods still within their grace period (counted from the namespace's deletion)
or content held by finalizers (15 s) bring the namespace back after ``estimate / 2 + 1``
seconds; anything else left is an error, retried with the workqueue's backoff. Once
nothing is left, ``kubernetes`` is removed from ``spec.finalizers`` (the
``namespaces/finalize`` subresource) and the registry deletes the namespace.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ALL, ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["FINALIZER_KUBERNETES", "NAME", "NamespaceController", "finalize_namespace"]

NAME = "namespace"
FINALIZER_KUBERNETES: Final = "kubernetes"
#: ``finalizerEstimateSeconds``: how long to wait for content held by finalizers.
FINALIZER_ESTIMATE_SECONDS: Final = 15
#: ``workqueue.DefaultTypedControllerRateLimiter``: 5 ms doubling, capped at 1000 s.
_BACKOFF_BASE: Final = 0.005
_BACKOFF_MAX: Final = 1000.0
_NAMESPACES = lookup("namespaces")
_CONTENT: tuple[ResourceType, ...] = tuple(t for t in ALL if t.namespaced and t.kind != "Binding")
#: ``conditionTypes`` in order, each with its success reason and message.
_OK: Final = (
    (
        "NamespaceDeletionDiscoveryFailure",
        "ResourcesDiscovered",
        "All resources successfully discovered",
    ),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    (
        "NamespaceFinalizersRemaining",
        "ContentHasNoFinalizers",
        "All content-preserving finalizers finished",
    ),
)


def finalize_namespace(api: APIServer, namespace: dict[str, Any]) -> dict[str, Any] | None:
    """``PUT namespaces/{name}/finalize`` without ``kubernetes``: the registry's
    ``FinalizeREST`` writes only ``spec.finalizers``; with none left on a namespace being
    deleted, the update removes it (``ShouldDeleteNamespaceDuringUpdate``). Returns the
    namespace, or ``None`` once it is gone.

    The embedded APIServer does not serve the subresource yet, so this writes through the
    store, as the registry would.
    """
    current = api.store.get(_NAMESPACES, None, namespace["metadata"]["name"])
    if current["metadata"].get("uid") != namespace["metadata"].get("uid"):
        raise Conflict(_NAMESPACES, namespace["metadata"]["name"])
    finalizers = [
        f for f in (current.get("spec") or {}).get("finalizers") or [] if f != FINALIZER_KUBERNETES
    ]
    updated = copy.deepcopy(current)
    updated.setdefault("spec", {})["finalizers"] = finalizers
    if not finalizers:
        updated["spec"].pop("finalizers")
    api.store.update(_NAMESPACES, updated)
    try:
        return api.store.get(_NAMESPACES, None, current["metadata"]["name"])
    except NotFound:
        return None


class NamespaceController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api
        self._failures: dict[str, int] = {}

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_NAMESPACES,)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        meta = event.view.get("metadata") or {}
        if event.type == "DELETED" or not meta.get("deletionTimestamp"):
            return []
        return [meta.get("name", "")]

    def sync(self, key: str) -> float | None:
        """``namespacedResourcesDeleter.Delete`` and the namespace controller's requeue:
        content left behind is looked at again after ``estimate / 2 + 1`` seconds, a
        failure with the workqueue's backoff."""
        try:
            ns = self._api.get(_NAMESPACES, None, key)
        except NotFound:
            self._failures.pop(key, None)
            return None
        if not ns["metadata"].get("deletionTimestamp"):
            return None
        if FINALIZER_KUBERNETES not in ((ns.get("spec") or {}).get("finalizers") or []):
            return None
        try:
            estimate, errors = self._delete_all_content(ns)
            if not errors and estimate == 0:
                finalize_namespace(self._api, ns)
        except (Conflict, NotFound):
            errors = ["conflict"]
            estimate = 0
        if errors:
            attempt = self._failures.get(key, 0)
            self._failures[key] = attempt + 1
            backoff: float = _BACKOFF_BASE * 2.0**attempt
            return min(backoff, _BACKOFF_MAX)
        self._failures.pop(key, None)
        return float(estimate // 2 + 1) if estimate > 0 else None

    def _delete_all_content(self, ns: dict[str, Any]) -> tuple[int, list[str]]:
        """``deleteAllContent``: delete every namespaced type with background propagation,
        count what remains, report it in the namespace's conditions; returns the longest
        estimate and the errors (``deleteAllContentForGroupVersionResource``)."""
        name = ns["metadata"]["name"]
        deleted_for = (
            self._api.clock.now() - parse_time(ns["metadata"]["deletionTimestamp"])
        ).total_seconds()
        estimate = 0
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        errors: list[str] = []
        for rt in _CONTENT:
            items = self._api.list(rt, name).items
            if not items:
                continue
            # estimateGracefulTermination: pods get their grace period, counted from the
            # namespace's deletion
            gvr_estimate = _graceful_termination_estimate(items) if rt.plural == "pods" else 0
            if deleted_for >= gvr_estimate:
                gvr_estimate = 0
            for item in items:
                try:
                    self._api.delete(
                        rt, name, item["metadata"]["name"], propagation_policy="Background"
                    )
                except NotFound:
                    continue
                except ApiError as err:
                    errors.append(str(err.message))
            left = self._api.list(rt, name).items
            if not left:
                continue
            remaining[f"{rt.plural}.{rt.group}"] = len(left)
            held = 0
            for item in left:
                for f in item["metadata"].get("finalizers") or []:
                    finalizers[f] = finalizers.get(f, 0) + 1
                    held += 1
            if gvr_estimate == 0 and held:
                gvr_estimate = FINALIZER_ESTIMATE_SECONDS
            elif gvr_estimate == 0:
                errors.append(
                    f"unexpected items still remain in namespace: {name} for gvr: "
                    f"{rt.group}/{rt.version}, Resource={rt.plural}"
                )
            estimate = max(estimate, gvr_estimate)
        self._update_conditions(ns, remaining, finalizers, errors)
        return estimate, errors

    def _update_conditions(
        self,
        ns: dict[str, Any],
        remaining: dict[str, int],
        finalizers: dict[str, int],
        errors: list[str],
    ) -> None:
        """``namespaceConditionUpdater``: failures replace the success conditions."""
        failing: dict[str, tuple[str, str]] = {}
        if errors:
            # utilerrors.NewAggregate: one error prints as itself, more as "[a, b]"
            joined = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
            failing["NamespaceDeletionContentFailure"] = (
                "ContentDeletionFailed",
                f"Failed to delete all resource types, {len(errors)} remaining: {joined}",
            )
        if remaining:
            items = sorted(f"{gvr} has {n} resource instances" for gvr, n in remaining.items())
            failing["NamespaceContentRemaining"] = (
                "SomeResourcesRemain",
                "Some resources are remaining: " + ", ".join(items),
            )
        if finalizers:
            items = sorted(f"{f} in {n} resource instances" for f, n in finalizers.items())
            failing["NamespaceFinalizersRemaining"] = (
                "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: " + ", ".join(items),
            )
        old = {c.get("type"): c for c in (ns.get("status") or {}).get("conditions") or []}
        now = format_time(self._api.clock.now())
        conditions = []
        for kind, ok_reason, ok_message in _OK:
            status, (reason, message) = (
                ("True", failing[kind]) if kind in failing else ("False", (ok_reason, ok_message))
            )
            prior = old.get(kind)
            if prior and (prior.get("status"), prior.get("reason"), prior.get("message")) == (
                status,
                reason,
                message,
            ):
                conditions.append(prior)
                continue
            conditions.append(
                {
                    "type": kind,
                    "status": status,
                    "lastTransitionTime": now,
                    "reason": reason,
                    "message": message,
                }
            )
        if conditions == list((ns.get("status") or {}).get("conditions") or []):
            return
        status_obj = {**(ns.get("status") or {}), "conditions": conditions}
        self._api.update_status(_NAMESPACES, {**ns, "status": status_obj}, user_agent=USER_AGENT)


def _graceful_termination_estimate(pods: list[dict[str, Any]]) -> int:
    """``estimateGracefulTerminationForPods``: the longest
    ``terminationGracePeriodSeconds`` of a pod that has not finished."""
    estimate = 0
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
        if grace is not None:
            estimate = max(estimate, int(grace))
    return estimate
