"""Pods: defaults, preparation, validation and the rules of a pod update, as v1.37.

Follows ``pkg/registry/core/pod/strategy.go`` (``PrepareForCreate``: generation 1, status
``Pending`` with the QoS class, the ``SchedulingGated`` condition; the status strategy
keeps spec, ownerReferences and the QoS class), ``pkg/apis/core/helper/qos/qos.go``
(``ComputePodQOS``) and ``pkg/apis/core/validation/validation.go`` (``ValidatePodCreate``,
``ValidatePodUpdate``, ``ValidatePodStatusUpdate``, ``ValidatePodBinding``). The PodSpec
and PodTemplateSpec helpers that other types embed are re-exported from here.

One known difference: the "pod updates may not change fields other than ..." message
ends, upstream, with a ``go-cmp`` diff of the two specs; here the tail lists the changed
top-level spec fields as ``-<field>: <old JSON>`` / ``+<field>: <new JSON>`` lines.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.meta import METADATA
from mlkube.engine.types.podspec_defaults import (
    default_pod,
    default_pod_spec,
    default_pod_template_spec,
)
from mlkube.engine.types.podspec_validation import (
    validate_pod_spec,
    validate_pod_template_spec,
    validate_tolerations,
)
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "POD_UPDATE_FORBIDDEN_PREFIX",
    "SCHEDULING_GATED_MESSAGE",
    "UPDATABLE_POD_SPEC_FIELDS",
    "PodStrategy",
    "default_pod",
    "default_pod_spec",
    "default_pod_template_spec",
    "pod_qos_class",
    "validate_binding",
    "validate_pod_create",
    "validate_pod_spec",
    "validate_pod_status_update",
    "validate_pod_template_spec",
    "validate_pod_update",
]

Obj = dict[str, Any]
Errs = list[FieldError]

SPEC: Final = Path("spec")
STATUS: Final = Path("status")
SCHEDULING_GATED_MESSAGE: Final = "Scheduling is blocked due to non-empty scheduling gates"
UPDATABLE_POD_SPEC_FIELDS: Final = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
POD_UPDATE_FORBIDDEN_PREFIX: Final = "pod updates may not change fields other than " + ",".join(
    UPDATABLE_POD_SPEC_FIELDS
)
_DELETION_COST: Final = "controller.kubernetes.io/pod-deletion-cost"
_MIRROR_POD: Final = "kubernetes.io/config.mirror"
_MAX_INT32: Final = 2**31 - 1
_DECIMAL: Final = re.compile(r"[+-]?[0-9]+")
_SYSTEM_CONDITIONS: Final = frozenset({"PodScheduled", "Ready", "Initialized"})
_QOS_RESOURCES: Final = ("cpu", "memory")


# --- QoS ---------------------------------------------------------------------------------


def _positive(resources: Mapping[str, Any] | None, name: str) -> res.Quantity | None:
    value = (resources or {}).get(name)
    if value is None:
        return None
    try:
        q = res.parse(value)
    except ValueError:
        return None
    return q if q > res.parse("0") else None


def pod_qos_class(pod: Obj) -> str:
    """``ComputePodQOS``: ``Guaranteed``, ``Burstable`` or ``BestEffort``.

    Only cpu and memory count; init containers count like regular ones; pod-level
    ``spec.resources``, when set, replaces the containers' figures.
    """
    spec = pod.get("spec") or {}
    requests: dict[str, res.Quantity] = {}
    limits: dict[str, res.Quantity] = {}
    guaranteed = True
    pod_level = spec.get("resources") or {}
    if pod_level.get("requests") or pod_level.get("limits"):
        sources: list[Obj] = [pod_level]
    else:
        sources = [
            c.get("resources") or {}
            for key in ("containers", "initContainers")
            for c in spec.get(key) or []
        ]
    for resources in sources:
        for name in _QOS_RESOURCES:
            req = _positive(resources.get("requests"), name)
            if req is not None:
                requests[name] = requests[name] + req if name in requests else req
        found: set[str] = set()
        for name in _QOS_RESOURCES:
            lim = _positive(resources.get("limits"), name)
            if lim is not None:
                found.add(name)
                limits[name] = limits[name] + lim if name in limits else lim
        if found != set(_QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if (
        guaranteed
        and len(requests) == len(limits)
        and all(name in limits and limits[name] == q for name, q in requests.items())
    ):
        return "Guaranteed"
    return "Burstable"


# --- create ------------------------------------------------------------------------------


def _validate_pod_specific_annotations(meta: Obj, spec: Obj) -> Errs:
    errs: Errs = []
    annotations: Mapping[str, str] = meta.get("annotations") or {}
    path = METADATA.child("annotations")
    if _MIRROR_POD in annotations and not spec.get("nodeName"):
        errs.append(
            field.invalid(
                path.key(_MIRROR_POD),
                annotations[_MIRROR_POD],
                "must set spec.nodeName if mirror pod annotation is set",
            )
        )
    if _DELETION_COST in annotations:
        value = annotations[_DELETION_COST]
        # strconv.ParseInt(value, 10, 32)
        ok = _DECIMAL.fullmatch(value) is not None and -(2**31) <= int(value) < 2**31
        if not ok:
            errs.append(field.invalid(path.key(_DELETION_COST), value, "must be a 32bit integer"))
    return errs


def _validate_pod_metadata_and_spec(pod: Obj) -> Errs:
    """``validatePodMetadataAndSpec`` (ObjectMeta is validated by the caller)."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    errs = _validate_pod_specific_annotations(meta, spec)
    errs.extend(validate_pod_spec(spec, SPEC, template=False, pod_meta=meta))
    if not spec.get("serviceAccountName"):
        for vi, volume in enumerate(spec.get("volumes") or []):
            projected = volume.get("projected")
            if projected is None:
                continue
            for si, source in enumerate(projected.get("sources") or []):
                if source.get("serviceAccountToken") is not None:
                    errs.append(
                        field.forbidden(
                            SPEC.child("volumes")
                            .index(vi)
                            .child("projected", "sources")
                            .index(si)
                            .child("serviceAccountToken"),
                            "must not be specified when serviceAccountName is not set",
                        )
                    )
    for key in ("containers", "initContainers"):
        for i, ctr in enumerate(spec.get(key) or []):
            image = ctr.get("image") or ""
            if image != image.strip():
                errs.append(
                    field.invalid(
                        SPEC.child(key).index(i).child("image"),
                        image,
                        "must not have leading or trailing whitespace",
                    )
                )
    return errs


def validate_pod_create(pod: Obj) -> Errs:
    """``ValidatePodCreate`` without ObjectMeta (the strategy prepends it)."""
    spec = pod.get("spec") or {}
    errs = _validate_pod_metadata_and_spec(pod)
    if spec.get("ephemeralContainers"):
        errs.append(field.forbidden(SPEC.child("ephemeralContainers"), "cannot be set on create"))
    if spec.get("nodeName") and spec.get("schedulingGates"):
        errs.append(
            field.forbidden(
                SPEC.child("nodeName"), "cannot be set until all schedulingGates have been cleared"
            )
        )
    return errs


# --- update ------------------------------------------------------------------------------


def _semantic(value: Any) -> Any:
    """Drop Go zero values so that absent and zero compare equal, as ``DeepEqual`` does."""
    if isinstance(value, dict):
        out = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", 0, False, [], {})}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _without_toleration_seconds(tol: Obj) -> Any:
    return _semantic({k: v for k, v in tol.items() if k != "tolerationSeconds"})


def _validate_only_added_tolerations(new: Sequence[Obj], old: Sequence[Obj], path: Path) -> Errs:
    new_keys = [_without_toleration_seconds(t) for t in new]
    for tol in old:
        if _without_toleration_seconds(tol) not in new_keys:
            return [
                field.forbidden(
                    path, "existing toleration can not be modified except its tolerationSeconds"
                )
            ]
    return validate_tolerations(new, path)


def _validate_only_deleted_gates(new: Sequence[Obj], old: Sequence[Obj], path: Path) -> Errs:
    old_names = {g.get("name") for g in old}
    added: dict[str, int] = {}
    for i, gate in enumerate(new):
        added[gate.get("name") or ""] = i
    return [
        field.forbidden(
            path.index(i).child("name"),
            f"only deletion is allowed, but found new scheduling gate '{name}'",
        )
        for name, i in added.items()
        if name not in old_names
    ]


def _validate_container_updates(
    new: Sequence[Obj], old: Sequence[Obj], path: Path
) -> tuple[Errs, bool]:
    if len(new) != len(old):
        return [field.forbidden(path, "pod updates may not add or remove containers")], True
    errs: Errs = []
    for i, ctr in enumerate(new):
        image = ctr.get("image") or ""
        if not image:
            errs.append(field.required(path.index(i).child("image"), ""))
        if image != image.strip():
            errs.append(
                field.invalid(
                    path.index(i).child("image"),
                    image,
                    "must not have leading or trailing whitespace",
                )
            )
    return errs, False


def _spec_diff(old: Obj, new: Obj) -> str:
    lines: list[str] = []
    for key in sorted(set(old) | set(new)):
        o, n = _semantic(old.get(key)), _semantic(new.get(key))
        if o != n:
            lines.append(f"-{key}: {json.dumps(o, sort_keys=True)}")
            lines.append(f"+{key}: {json.dumps(n, sort_keys=True)}")
    return "\n".join(lines)


def validate_pod_update(new: Obj, old: Obj) -> Errs:
    """``ValidatePodUpdate`` without ObjectMeta (the strategy prepends it)."""
    errs = _validate_pod_metadata_and_spec(new)
    errs.extend(_validate_pod_annotation_updates(new, old))
    new_spec: Obj = new.get("spec") or {}
    old_spec: Obj = old.get("spec") or {}
    for key in ("containers", "initContainers"):
        container_errs, stop = _validate_container_updates(
            new_spec.get(key) or [], old_spec.get(key) or [], SPEC.child(key)
        )
        errs.extend(container_errs)
        if stop:
            return errs
    new_deadline = new_spec.get("activeDeadlineSeconds")
    old_deadline = old_spec.get("activeDeadlineSeconds")
    deadline_path = SPEC.child("activeDeadlineSeconds")
    if new_deadline is not None:
        if new_deadline < 0 or new_deadline > _MAX_INT32:
            errs.append(
                field.invalid(deadline_path, new_deadline, _v.inclusive_range_error(0, _MAX_INT32))
            )
            return errs
        if old_deadline is not None and old_deadline < new_deadline:
            errs.append(
                field.invalid(
                    deadline_path, new_deadline, "must be less than or equal to previous value"
                )
            )
            return errs
    elif old_deadline is not None:
        errs.append(
            field.invalid(
                deadline_path, None, "must not update from a positive integer to nil value"
            )
        )
    errs.extend(
        _validate_only_added_tolerations(
            new_spec.get("tolerations") or [],
            old_spec.get("tolerations") or [],
            SPEC.child("tolerations"),
        )
    )
    errs.extend(
        _validate_only_deleted_gates(
            new_spec.get("schedulingGates") or [],
            old_spec.get("schedulingGates") or [],
            SPEC.child("schedulingGates"),
        )
    )
    if _semantic(new_spec) == _semantic(old_spec):
        return errs
    munged = copy.deepcopy(new_spec)
    for key in ("containers", "initContainers"):
        for ctr, old_ctr in zip(munged.get(key) or [], old_spec.get(key) or [], strict=True):
            ctr["image"] = old_ctr.get("image")
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged.pop(key, None)
        if key in old_spec:
            munged[key] = copy.deepcopy(old_spec[key])
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if old_grace is not None and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if old_spec.get("schedulingGates"):
        errs.extend(_munge_gated_scheduling_constraints(munged, old_spec))
    if _semantic(munged) != _semantic(old_spec):
        errs.append(
            field.forbidden(SPEC, f"{POD_UPDATE_FORBIDDEN_PREFIX}\n{_spec_diff(old_spec, munged)}")
        )
    return errs


def _munge_gated_scheduling_constraints(munged: Obj, old_spec: Obj) -> Errs:
    """Gated pods may gain ``nodeSelector`` entries and node-affinity requirements."""
    errs: Errs = []
    new_sel: Mapping[str, str] = munged.get("nodeSelector") or {}
    old_sel: Mapping[str, str] = old_spec.get("nodeSelector") or {}
    if new_sel != old_sel:
        if any(new_sel.get(k) != v for k, v in old_sel.items()):
            errs.append(
                field.invalid(
                    SPEC.child("nodeSelector"),
                    dict(new_sel),
                    "only additions to spec.nodeSelector are allowed (no mutations or deletions)",
                )
            )
        munged.pop("nodeSelector", None)
        if "nodeSelector" in old_spec:
            munged["nodeSelector"] = copy.deepcopy(old_spec["nodeSelector"])
    old_na = (old_spec.get("affinity") or {}).get("nodeAffinity")
    new_na = (munged.get("affinity") or {}).get("nodeAffinity")
    if _semantic(old_na) != _semantic(new_na):
        old_terms = (
            (old_na or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
        ).get("nodeSelectorTerms") or []
        new_terms = (
            (new_na or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
        ).get("nodeSelectorTerms") or []
        terms_path = SPEC.child(
            "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"
        ).child("nodeSelectorTerms")
        if old_terms and len(old_terms) != len(new_terms):
            errs.append(
                field.invalid(
                    terms_path,
                    new_terms,
                    "no additions/deletions to non-empty NodeSelectorTerms list are allowed",
                )
            )
        else:
            for i, old_term in enumerate(old_terms):
                if not _term_only_adds(new_terms[i], old_term):
                    errs.append(
                        field.invalid(
                            terms_path.index(i),
                            new_terms[i],
                            "only additions are allowed (no mutations or deletions)",
                        )
                    )
        affinity = munged.get("affinity")
        if affinity is None:
            munged["affinity"] = {"nodeAffinity": copy.deepcopy(old_na)}
        elif old_na is None:
            affinity.pop("nodeAffinity", None)
            if not affinity and "affinity" not in old_spec:
                munged.pop("affinity")
        else:
            affinity["nodeAffinity"] = copy.deepcopy(old_na)
    return errs


def _term_only_adds(new: Obj, old: Obj) -> bool:
    for key in ("matchExpressions", "matchFields"):
        old_list = old.get(key) or []
        new_list = new.get(key) or []
        if len(new_list) < len(old_list) or _semantic(new_list[: len(old_list)]) != _semantic(
            old_list
        ):
            return False
    if not old.get("matchExpressions") and not old.get("matchFields"):
        return not new.get("matchExpressions") and not new.get("matchFields")
    return True


def _validate_pod_annotation_updates(new: Obj, old: Obj) -> Errs:
    """``ValidatePodSpecificAnnotationUpdates`` for the mirror-pod annotation."""
    new_ann: Mapping[str, str] = (new.get("metadata") or {}).get("annotations") or {}
    old_ann: Mapping[str, str] = (old.get("metadata") or {}).get("annotations") or {}
    path = METADATA.child("annotations").key(_MIRROR_POD)
    if _MIRROR_POD in old_ann and new_ann.get(_MIRROR_POD) != old_ann[_MIRROR_POD]:
        return [field.forbidden(path, "may not remove or update mirror pod annotation")]
    if _MIRROR_POD in new_ann and _MIRROR_POD not in old_ann:
        return [field.forbidden(path, "may not add mirror pod annotation")]
    return []


# --- status ------------------------------------------------------------------------------


def _state_transitions(
    new: Sequence[Obj], old: Sequence[Obj], path: Path, policy: str, init_spec: Sequence[Obj] = ()
) -> Errs:
    if policy == "Always":
        return []
    restartable = {c.get("name") for c in init_spec if c.get("restartPolicy") == "Always"}
    errs: Errs = []
    for i, old_status in enumerate(old):
        terminated = (old_status.get("state") or {}).get("terminated")
        if terminated is None:
            continue
        if (terminated.get("exitCode") or 0) != 0 and policy == "OnFailure":
            continue
        if old_status.get("name") in restartable:
            continue
        for new_status in new:
            if (
                new_status.get("name") == old_status.get("name")
                and (new_status.get("state") or {}).get("terminated") is None
            ):
                errs.append(
                    field.forbidden(
                        path.index(i).child("state"),
                        "may not be transitioned to non-terminated state",
                    )
                )
    return errs


def _validate_ips(entries: Sequence[Obj], path: Path) -> Errs:
    """``validatePodIPs``: valid IPs, at most one per family, no duplicates."""
    errs: Errs = []
    families: list[int] = []
    for i, entry in enumerate(entries):
        ip = entry.get("ip") or ""
        try:
            families.append(ipaddress.ip_address(ip).version)
        except ValueError:
            errs.append(
                field.invalid(
                    path.index(i),
                    ip,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                )
            )
    if len(entries) > 1:
        if len(families) != len(entries) or sorted(families) != [4, 6]:
            errs.append(
                field.invalid(
                    path, list(entries), "may specify no more than one IP for each IP family"
                )
            )
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.get("ip") in seen:
                errs.append(field.duplicate(path.index(i), entry))
            seen.add(entry.get("ip") or "")
    return errs


def validate_pod_status_update(new: Obj, old: Obj) -> Errs:
    """``ValidatePodStatusUpdate`` without ObjectMeta (the status strategy prepends it)."""
    errs = _validate_pod_annotation_updates(new, old)
    new_status: Obj = new.get("status") or {}
    old_status: Obj = old.get("status") or {}
    new_spec: Obj = new.get("spec") or {}
    old_spec: Obj = old.get("spec") or {}
    for i, cond in enumerate(new_status.get("conditions") or []):
        kind = cond.get("type") or ""
        if kind not in _SYSTEM_CONDITIONS:
            errs.extend(
                field.invalid(METADATA.child("conditions").index(i).child("Type"), kind, m)
                for m in _v.is_qualified_name(kind)
            )
    if (new_spec.get("nodeName") or "") != (old_spec.get("nodeName") or ""):
        errs.append(field.forbidden(STATUS.child("nodeName"), "may not be changed directly"))
    nominated = new_status.get("nominatedNodeName") or ""
    if nominated and nominated != (old_status.get("nominatedNodeName") or ""):
        errs.extend(
            field.invalid(STATUS.child("nominatedNodeName"), nominated, m)
            for m in _v.name_is_dns_subdomain(nominated, False)
        )
    errs.extend(
        _v.validate_immutable_field(
            new_status.get("qosClass") or "",
            old_status.get("qosClass") or "",
            STATUS.child("qosClass"),
        )
    )
    policy = old_spec.get("restartPolicy") or ""
    errs.extend(_validate_ips(new_status.get("podIPs") or [], STATUS.child("podIPs")))
    errs.extend(
        _state_transitions(
            new_status.get("containerStatuses") or [],
            old_status.get("containerStatuses") or [],
            STATUS.child("containerStatuses"),
            policy,
        )
    )
    errs.extend(
        _state_transitions(
            new_status.get("initContainerStatuses") or [],
            old_status.get("initContainerStatuses") or [],
            STATUS.child("initContainerStatuses"),
            policy,
            old_spec.get("initContainers") or [],
        )
    )
    return errs


def validate_binding(binding: Obj) -> Errs:
    """``ValidatePodBinding``: the target must be a Node (or kind empty) with a name."""
    target: Obj = binding.get("target") or {}
    errs: Errs = []
    kind = target.get("kind") or ""
    if kind and kind != "Node":
        errs.append(field.not_supported(Path("target", "kind"), kind, ("Node", "<empty>")))
    if not target.get("name"):
        errs.append(field.required(Path("target", "name"), ""))
    return errs


# --- the strategy ------------------------------------------------------------------------


class PodStrategy(BaseStrategy):
    """``pod.Strategy`` and ``pod.StatusStrategy``."""

    kind: ClassVar[str] = "Pod"
    api_version: ClassVar[str] = "v1"
    namespaced: ClassVar[bool] = True
    has_status: ClassVar[bool] = True
    has_generation: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        default_pod(obj)

    def initial_status(self, obj: Obj) -> Obj:
        status: Obj = {"phase": "Pending", "qosClass": pod_qos_class(obj)}
        if (obj.get("spec") or {}).get("schedulingGates"):
            status["conditions"] = [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": None,
                    "reason": "SchedulingGated",
                    "message": SCHEDULING_GATED_MESSAGE,
                }
            ]
        return status

    def prepare_fields_for_status_update(self, new: Obj, old: Obj) -> None:
        new_meta = new.setdefault("metadata", {})
        old_meta = old.get("metadata") or {}
        for key in ("ownerReferences", "deletionTimestamp"):
            new_meta.pop(key, None)
            if key in old_meta:
                new_meta[key] = copy.deepcopy(old_meta[key])
        new_status = new.setdefault("status", {})
        old_status = old.get("status") or {}
        if not new_status.get("qosClass") and old_status.get("qosClass"):
            new_status["qosClass"] = old_status["qosClass"]
        if not new_status.get("observedGeneration") and old_status.get("observedGeneration"):
            new_status["observedGeneration"] = old_status["observedGeneration"]
        remembered: dict[str, list[int]] = {}
        for cond in old_status.get("conditions") or []:
            remembered.setdefault(cond.get("type") or "", []).append(
                cond.get("observedGeneration") or 0
            )
        for cond in new_status.get("conditions") or []:
            gens = remembered.get(cond.get("type") or "") or []
            previous = gens.pop(0) if gens else 0
            if not cond.get("observedGeneration") and previous:
                cond["observedGeneration"] = previous

    def validate_fields(self, obj: Obj) -> Errs:
        return validate_pod_create(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        # ValidatePodUpdate runs the create-time ObjectMeta rules on the new pod too.
        errs = self.validate_new_meta(new)
        errs.extend(validate_pod_update(new, old))
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        return validate_pod_status_update(new, old)

    def warnings_on_update(self, new: Obj, old: Obj) -> list[str]:
        # Upstream skips pod update warnings: pods are rewritten often, rarely by people.
        del new, old
        return []

    def warnings(self, obj: Obj) -> list[str]:
        name = (obj.get("metadata") or {}).get("name") or ""
        msgs = _v.is_dns1123_label(name)
        if name and msgs:
            return [
                "metadata.name: this is used in the Pod's hostname, which can result in "
                f"surprising behavior; a DNS label is recommended: [{' '.join(msgs)}]"
            ]
        return []


register(PodStrategy())
