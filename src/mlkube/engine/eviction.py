"""The eviction subresource: delete a pod only if its PodDisruptionBudget allows it.

``POST pods/<name>/eviction`` is how ``kubectl drain`` and cluster autoscalers remove pods
politely. Follows ``pkg/registry/core/pod/storage/eviction.go`` (``EvictionREST.Create``):

1. decode the Eviction (policy/v1 or v1beta1; the name must be the URL's), merge the
   request's dryRun into its deleteOptions (``propagateDryRun``);
2. a pod that is terminal, Pending or already being deleted goes without a PDB check;
3. otherwise the PDBs selecting the pod: none lets it go, more than one is refused (500);
4. an unready pod goes without spending the budget when the budget is healthy (or its
   ``unhealthyPodEvictionPolicy`` is ``AlwaysAllow``), guarded by a resourceVersion
   precondition;
5. ``checkAndDecrement``: the budget must be observed and allow a disruption; it is then
   decremented and the pod recorded in ``status.disruptedPods`` (not on a dry run);
6. ``addConditionAndDeletePod``: the ``DisruptionTarget`` condition (reason
   ``EvictionByEvictionAPI``) is written, then the pod is deleted with the deleteOptions.

The writes are kube-apiserver's own, never the requester's: the condition goes straight
to the pod storage (``r.store.Update``, a ``GuaranteedUpdate`` past the handlers, so no
admission and no managedFields entry), the budget through kube-apiserver's loopback client
(whose manager is ``kube-apiserver``). Refusals carry the ``DisruptionBudget`` cause with
the budget's own sentence, as upstream.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mlkube.api import gojson
from mlkube.api.field import Path, invalid
from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    TooManyRequests,
)
from mlkube.engine.outcomes import LOOPBACK_USER_AGENT

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer, DeleteOutcome

__all__ = [
    "CAUSE_DISRUPTION_BUDGET",
    "CONDITION_MESSAGE",
    "CONDITION_REASON",
    "MAX_DISRUPTED_POD_SIZE",
    "MSG_MULTIPLE_BUDGETS",
    "MSG_NAME_MISMATCH",
    "MSG_VIOLATES_BUDGET",
    "evict",
]

#: ``MaxDisruptedPodSize``: evictions not yet confirmed by the disruption controller.
MAX_DISRUPTED_POD_SIZE: Final = 2000
#: ``policyv1.DisruptionBudgetCause``
CAUSE_DISRUPTION_BUDGET: Final = "DisruptionBudget"
CONDITION_REASON: Final = "EvictionByEvictionAPI"
CONDITION_MESSAGE: Final = "Eviction API: evicting"
MSG_VIOLATES_BUDGET: Final = "Cannot evict pod as it would violate the pod's disruption budget."
MSG_MULTIPLE_BUDGETS: Final = (
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does "
    "not support."
)
MSG_NAME_MISMATCH: Final = "name in URL does not match name in Eviction object"
_MSG_STILL_PROCESSING: Final = (
    "The disruption budget {name} is still being processed by the server."
)
_MSG_NEEDS_HEALTHY: Final = (
    "The disruption budget {name} needs {desired} healthy pods and has {current} currently"
)
_MSG_SYNC_FAILED: Final = (
    "The disruption budget {name} does not allow evicting pods currently because it failed "
    "sync: {message}"
)
_MSG_CONDITION: Final = (
    "The disruption budget {name} does not allow evicting pods currently ({reason}): {message}"
)
_MSG_NOT_ALLOWED: Final = "The disruption budget {name} does not allow evicting pods currently"
_NEGATIVE: Final = "pdb disruptions allowed is negative"
_TOO_BIG: Final = "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
_TOO_BIG_CAUSE: Final = (
    "The disruption budget {name} does not allow evicting pods currently: too many pending "
    "evictions not confirmed by PDB controller"
)
_IGNORE_READ_ERROR: Final = "ignoreStoreReadErrorWithClusterBreakingPotential"
_EVICTION_VERSIONS: Final = ("policy/v1", "policy/v1beta1")
#: ``EvictionsRetry`` has 20 steps; the engine does not sleep between them.
_RETRIES: Final = 20
_DELETE_OPTION_KEYS: Final = {
    "gracePeriodSeconds": "grace_period_seconds",
    "propagationPolicy": "propagation_policy",
    "orphanDependents": "orphan_dependents",
    "preconditions": "preconditions",
}
#: kube-apiserver's loopback client, which writes the budget's status.
_PODS = lookup("pods")
_PDBS = lookup("poddisruptionbudgets")


def evict(
    api: APIServer,
    namespace: str,
    name: str,
    eviction: Mapping[str, Any],
    *,
    dry_run: bool = False,
    user_agent: str = "",
) -> DeleteOutcome:
    """Evict pod ``namespace/name`` as ``eviction`` asks; returns the delete's outcome, or
    raises the refusal (429 while a budget forbids it).

    ``user_agent`` is the requester's, which names no manager here: every write of an
    eviction is kube-apiserver's own."""
    del user_agent
    # 1. the Eviction and its deleteOptions
    options = _delete_options(_decoded(eviction, namespace, name), dry_run)
    is_dry = bool(options.get("dryRun"))
    original_rv = (options.get("preconditions") or {}).get("resourceVersion")
    # 2. a pod whose eviction disrupts nothing goes at once
    pod: dict[str, Any] = {}
    for attempt in range(_RETRIES):
        pod = api.get(_PODS, namespace, name)
        if not _can_ignore_budget(pod):
            break
        attempt_options = options
        if _enforce_resource_version(pod) and original_rv is None:
            attempt_options = _with_resource_version(options, pod["metadata"]["resourceVersion"])
        try:
            return _add_condition_and_delete(api, namespace, name, attempt_options)
        except Conflict:
            if original_rv is not None or attempt == _RETRIES - 1:
                raise
    # 3. the budgets that select the pod
    budgets = _budgets_of(api, pod)
    if len(budgets) > 1:
        raise ApiError(MSG_MULTIPLE_BUDGETS, code=500)
    guard_version = False
    if budgets:
        budget = budgets[0]
        # 4. an unready pod does not count towards the budget's healthy pods
        if not _ready(pod) and _unready_may_go(budget):
            guard_version = True
        else:
            # 5. check and decrement, re-reading the budget after a conflict
            for attempt in range(_RETRIES):
                try:
                    _check_and_decrement(api, budget, name, is_dry)
                    break
                except Conflict:
                    if attempt == _RETRIES - 1:
                        raise
                    budget = api.get(_PDBS, namespace, budget["metadata"]["name"])
    # 6. the condition, then the delete
    if guard_version:
        options = _with_resource_version(options, pod["metadata"]["resourceVersion"])
    try:
        return _add_condition_and_delete(api, namespace, name, options)
    except Conflict:
        if guard_version and original_rv is None:
            raise _too_many_requests(budgets[0]["metadata"]["name"]) from None
        raise


def _decoded(eviction: Mapping[str, Any], namespace: str, name: str) -> dict[str, Any]:
    """The Eviction as ``EvictionREST`` receives it: any other kind does not convert, the
    namespace and name must be the URL's."""
    if not isinstance(eviction, Mapping):
        raise BadRequest("the body of the request was in an unknown format")
    api_version = str(eviction.get("apiVersion") or "")
    kind = str(eviction.get("kind") or "")
    if (api_version and api_version not in _EVICTION_VERSIONS) or (kind and kind != "Eviction"):
        version = api_version.rpartition("/")[2]
        raise BadRequest(
            f'{kind} in version "{version}" cannot be handled as a Eviction: converting '
            f"({version}.{kind}) to (policy.Eviction): unknown conversion"
        )
    problem = gojson.type_error("policy/v1", "Eviction", eviction)
    if problem is not None:
        raise BadRequest(f'Eviction in version "v1" cannot be handled as a Eviction: {problem}')
    meta = eviction.get("metadata") or {}
    if meta.get("namespace") and meta.get("namespace") != namespace:
        raise BadRequest(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    if meta.get("name", "") != name:
        raise BadRequest(MSG_NAME_MISMATCH)
    return dict(eviction)


def _delete_options(eviction: Mapping[str, Any], dry_run: bool) -> dict[str, Any]:
    """``propagateDryRun``: the request's dryRun fills an empty one in the deleteOptions;
    two different ones are an error."""
    options = copy.deepcopy(dict(eviction.get("deleteOptions") or {}))
    if options.get(_IGNORE_READ_ERROR) is True:
        raise Invalid(
            "Eviction.policy",
            str((eviction.get("metadata") or {}).get("name", "")),
            [
                invalid(
                    Path("deleteOptions", _IGNORE_READ_ERROR),
                    True,
                    "can not be set for pod eviction, try after removing the option",
                )
            ],
        )
    body_dry = [str(v) for v in options.get("dryRun") or []]
    if not body_dry:
        options["dryRun"] = ["All"] if dry_run else []
    elif dry_run and body_dry != ["All"]:
        raise ApiError(
            "Non-matching dry-run options in request and content: "
            f"[All] and [{' '.join(body_dry)}]",
            code=500,
        )
    return options


def _can_ignore_budget(pod: Mapping[str, Any]) -> bool:
    """``canIgnorePDB``: a finished, Pending or terminating pod disrupts nothing more."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(
        pod["metadata"].get("deletionTimestamp")
    )


def _enforce_resource_version(pod: Mapping[str, Any]) -> bool:
    """``shouldEnforceResourceVersion``: guard against the pod becoming Ready meanwhile."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def _with_resource_version(options: Mapping[str, Any], rv: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(options))
    out["preconditions"] = {**(out.get("preconditions") or {}), "resourceVersion": rv}
    return out


def _ready(pod: Mapping[str, Any]) -> bool:
    """``podutil.IsPodReady``."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _unready_may_go(budget: Mapping[str, Any]) -> bool:
    """An unready pod is deleted without spending the budget when the policy says
    ``AlwaysAllow`` or the application is not disrupted now."""
    if (budget.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow":
        return True
    status = budget.get("status") or {}
    desired = int(status.get("desiredHealthy") or 0)
    return int(status.get("currentHealthy") or 0) >= desired and desired > 0


def _budgets_of(api: APIServer, pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``getPodDisruptionBudgets``: a nil or invalid selector selects nothing."""
    labels = pod["metadata"].get("labels") or {}
    out = []
    for budget in api.list(_PDBS, pod["metadata"]["namespace"]).items:
        selector = (budget.get("spec") or {}).get("selector")
        if selector is None:
            continue
        try:
            if selector_from_label_selector(selector).matches(labels):
                out.append(budget)
        except SelectorError:
            continue
    return out


def _too_many_requests(budget_name: str) -> TooManyRequests:
    """``createTooManyRequestsError``: retry in 10 s."""
    return _refusal(10, _MSG_STILL_PROCESSING.format(name=budget_name))


def _refusal(retry_after: int, cause: str) -> TooManyRequests:
    err = TooManyRequests(MSG_VIOLATES_BUDGET, retry_after)
    details = dict(err.details or {})
    details["causes"] = [{"reason": CAUSE_DISRUPTION_BUDGET, "message": cause}]
    err.details = details
    return err


def _forbidden(budget_name: str, why: str, cause: str) -> Forbidden:
    return Forbidden(
        "poddisruptionbudget.policy",
        budget_name,
        why,
        causes=[{"reason": CAUSE_DISRUPTION_BUDGET, "message": cause}],
    )


def _check_and_decrement(
    api: APIServer, budget: dict[str, Any], pod_name: str, dry_run: bool
) -> None:
    """``checkAndDecrement``: refuse unless the observed budget allows one disruption;
    then spend it and record the pod for the disruption controller."""
    meta, status = budget["metadata"], copy.deepcopy(budget.get("status") or {})
    name = meta["name"]
    if int(status.get("observedGeneration") or 0) < int(meta.get("generation") or 0):
        raise _too_many_requests(name)
    allowed = int(status.get("disruptionsAllowed") or 0)
    if allowed < 0:
        raise _forbidden(name, _NEGATIVE, f"{_MSG_NOT_ALLOWED.format(name=name)}: {_NEGATIVE}")
    if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
        raise _forbidden(name, _TOO_BIG, _TOO_BIG_CAUSE.format(name=name))
    if allowed == 0:
        raise _refusal(0, _why_not_allowed(name, status))
    status["disruptionsAllowed"] = allowed - 1
    if allowed - 1 == 0:
        _insufficient_pods(status, api)
    if dry_run:
        return
    now = format_time(api.clock.now())
    status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: now}
    api.update_status(
        _PDBS,
        {**budget, "status": status},
        namespace=meta["namespace"],
        user_agent=LOOPBACK_USER_AGENT,
    )


def _why_not_allowed(name: str, status: Mapping[str, Any]) -> str:
    """The cause of a 429: the failed sync first (its counts are not trustworthy), then
    the healthy counts, then the condition, then a plain sentence."""
    condition = next(
        (c for c in status.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None
    )
    failed = condition is not None and condition.get("status") == "False"
    message = str((condition or {}).get("message") or "")
    if failed and message and (condition or {}).get("reason") == "SyncFailed":
        return _MSG_SYNC_FAILED.format(name=name, message=message)
    current = int(status.get("currentHealthy") or 0)
    desired = int(status.get("desiredHealthy") or 0)
    if current <= desired:
        return _MSG_NEEDS_HEALTHY.format(name=name, desired=desired, current=current)
    if failed and message:
        reason = (condition or {}).get("reason", "")
        return _MSG_CONDITION.format(name=name, reason=reason, message=message)
    return _MSG_NOT_ALLOWED.format(name=name)


def _insufficient_pods(status: dict[str, Any], api: APIServer) -> None:
    """``UpdateDisruptionAllowedCondition`` once no disruption is left
    (``meta.SetStatusCondition``: the transition time moves only with the status)."""
    conditions: list[dict[str, Any]] = status.setdefault("conditions", [])
    wanted = {
        "type": "DisruptionAllowed",
        "status": "False",
        "observedGeneration": int(status.get("observedGeneration") or 0),
        "reason": "InsufficientPods",
    }
    for cond in conditions:
        if cond.get("type") == "DisruptionAllowed":
            if cond.get("status") != "False":
                cond["lastTransitionTime"] = format_time(api.clock.now())
            cond.update(wanted)
            cond["message"] = ""
            return
    conditions.append({**wanted, "lastTransitionTime": format_time(api.clock.now()), "message": ""})


def _add_condition_and_delete(
    api: APIServer, namespace: str, name: str, options: Mapping[str, Any]
) -> DeleteOutcome:
    """``addConditionAndDeletePod``: on the latest pod (preconditions checked against it),
    write ``DisruptionTarget`` to the storage, then delete with the options (a
    resourceVersion precondition moving to the version the condition wrote)."""
    options = dict(options)
    dry_run = bool(options.get("dryRun"))
    if not dry_run:
        preconditions = dict(options.get("preconditions") or {})
        updated = _write_condition(api, namespace, name, preconditions)
        if preconditions.get("resourceVersion") is not None:
            preconditions["resourceVersion"] = updated["metadata"]["resourceVersion"]
            options["preconditions"] = preconditions
    kwargs = {py: options[key] for key, py in _DELETE_OPTION_KEYS.items() if key in options}
    return api.delete(_PODS, namespace, name, dry_run=dry_run, **kwargs)


def _write_condition(
    api: APIServer, namespace: str, name: str, preconditions: Mapping[str, Any]
) -> dict[str, Any]:
    """``r.store.Update`` with ``getLatestPod`` then ``conditionAppender``: a
    ``GuaranteedUpdate`` of the stored pod, retried on a conflict, that neither runs
    admission nor touches managedFields (those live in the HTTP handlers it bypasses)."""
    uid, rv = preconditions.get("uid"), preconditions.get("resourceVersion")
    conflicts = 0
    while True:
        pod = api.store.get(_PODS, namespace, name)
        if uid and uid != pod["metadata"].get("uid"):
            raise Conflict.uid_precondition("Pod", name, uid, pod["metadata"].get("uid", ""))
        if rv and rv != pod["metadata"].get("resourceVersion"):
            raise Conflict.resource_version_precondition(
                "Pod", name, rv, pod["metadata"].get("resourceVersion", "")
            )
        status = pod.setdefault("status", {})
        _disruption_target(status.setdefault("conditions", []), format_time(api.clock.now()))
        try:
            return api.store.update(_PODS, pod)
        except Conflict:
            conflicts += 1
            if conflicts == _RETRIES:
                raise


def _disruption_target(conditions: list[dict[str, Any]], now: str) -> None:
    """``podutil.UpdatePodCondition`` with ``DisruptionTarget=True``: the transition time
    stays when the status does not change."""
    new = {
        "type": "DisruptionTarget",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": now,
        "reason": CONDITION_REASON,
        "message": CONDITION_MESSAGE,
    }
    for i, cond in enumerate(conditions):
        if cond.get("type") == "DisruptionTarget":
            if cond.get("status") == "True":
                new["lastTransitionTime"] = cond.get("lastTransitionTime")
            conditions[i] = new
            return
    conditions.append(new)
