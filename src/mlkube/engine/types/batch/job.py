"""Jobs as kube-apiserver v1.37 defaults, prepares and validates them.

Follows ``pkg/apis/batch/v1/defaults.go`` (``SetDefaults_Job``),
``pkg/registry/batch/job/strategy.go`` (selector generation, status reset, validation options) and
``pkg/apis/batch/validation/validation.go`` (``ValidateJob``, ``ValidateJobUpdate``), with every
gate that is on by default in v1.37 on (JobManagedBy, JobSuccessPolicy, JobBackoffLimitPerIndex,
JobPodReplacementPolicy, ElasticIndexedJob).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from mlkube.api import validation as _v
from mlkube.api.field import (
    FieldError,
    Path,
    invalid,
    not_supported,
    required,
    too_long,
)
from mlkube.engine.types.apps import label_selector_value
from mlkube.engine.types.batch._common import (
    _METADATA,
    _SPEC,
    COMPLETIONS_SOFT_LIMIT,
    CONTROLLER_UID_LABEL,
    JOB_NAME_LABEL,
    LEGACY_CONTROLLER_UID_LABEL,
    LEGACY_JOB_NAME_LABEL,
    MAX_FAILED_INDEXES_FOR_INDEXED_JOB,
    MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS,
    MAX_INT32,
    MAX_MANAGED_BY_LENGTH,
    MAX_PARALLELISM_FOR_INDEXED_JOB,
    MSG_IMMUTABLE,
    MSG_REQUIRES_INDEXED,
    MSG_SELECTOR_MISMATCH,
    MSG_SELECTOR_NOT_GENERATED,
    PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS,
    Obj,
    _has_label,
    _immutable,
    _name_warnings,
    _nonnegative,
    _selector_matches,
    _spec,
    _strip_none,
    _template_labels,
)
from mlkube.engine.types.batch.jobstatus import (
    job_status_validation_options,
    validate_job_update_status,
)
from mlkube.engine.types.batch.policies import (
    _is_domain_prefixed_path,
    _validate_pod_failure_policy,
    _validate_pod_replacement_policy,
    _validate_success_policy,
)
from mlkube.engine.types.meta import validate_meta, validate_meta_update
from mlkube.engine.types.pod import default_pod_template_spec, validate_pod_template_spec
from mlkube.engine.types.strategy import BaseStrategy

__all__ = [
    "JobStrategy",
    "JobValidationOptions",
    "default_job",
    "generate_selector",
    "job_validation_options",
    "should_allow_mutable_pod_template",
    "validate_job",
    "validate_job_spec",
    "validate_job_update",
]


# --- defaulting (pkg/apis/batch/v1/defaults.go) -----------------------------------------


def _default_pod_failure_policy(spec: Obj) -> None:
    pfp = spec.get("podFailurePolicy")
    if not isinstance(pfp, dict):
        return
    for rule in pfp.get("rules") or []:
        for pattern in (rule or {}).get("onPodConditions") or []:
            if isinstance(pattern, dict) and not pattern.get("status"):
                pattern["status"] = "True"


def _default_job_spec_members(spec: Obj) -> None:
    """The generated defaulters that run inside any JobSpec (Job and CronJob)."""
    _default_pod_failure_policy(spec)
    template = spec.setdefault("template", {})
    if isinstance(template, dict):
        default_pod_template_spec(template)


def default_job(job: Obj) -> None:
    """``SetObjectDefaults_Job``: ``SetDefaults_Job`` plus the nested defaulters."""
    spec = job.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = job.setdefault("metadata", {})
    if template_labels is not None and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = (
            "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
        )
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    _default_job_spec_members(spec)


# --- the registry's selector generation (pkg/registry/batch/job/strategy.go) -----------


def generate_selector(job: Obj) -> None:
    """``generateSelector``: label the template with the job's name and uid (keeping any
    value the user set, which validation then judges) and select on the uid."""
    meta = job.get("metadata") or {}
    name = str(meta.get("name", ""))
    uid = str(meta.get("uid", ""))
    spec = job.setdefault("spec", {})
    tmeta = spec.setdefault("template", {}).setdefault("metadata", {})
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        labels = tmeta["labels"] = {}
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, name)
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, uid)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        selector = spec["selector"] = {}
    match_labels = selector.get("matchLabels")
    if not isinstance(match_labels, dict):
        match_labels = selector["matchLabels"] = {}
    match_labels.setdefault(CONTROLLER_UID_LABEL, uid)


# --- validation (pkg/apis/batch/validation/validation.go) -------------------------------


@dataclass(frozen=True, slots=True)
class JobValidationOptions:
    """``JobValidationOptions`` (the pod options are the pod module's concern)."""

    allow_mutable_scheduling_directives: bool = False
    allow_mutable_pod_resources: bool = False
    allow_elastic_indexed_jobs: bool = True
    require_prefixed_labels: bool = True
    allow_invalid_label_value_in_selector: bool = False


def job_validation_options(new: Obj, old: Obj | None) -> JobValidationOptions:
    """``validationOptionsForJob``."""
    if old is None:
        return JobValidationOptions()
    old_spec = _spec(old)
    # MutableSchedulingDirectivesForSuspendedJobs and MutablePodResourcesForSuspendedJobs
    # are beta and on since 1.36: both follow shouldAllowMutablePodTemplate.
    mutable = should_allow_mutable_pod_template(old)
    old_labels = _template_labels(old_spec)
    del new
    return JobValidationOptions(
        allow_mutable_scheduling_directives=mutable,
        allow_mutable_pod_resources=mutable,
        require_prefixed_labels=JOB_NAME_LABEL in old_labels and CONTROLLER_UID_LABEL in old_labels,
        allow_invalid_label_value_in_selector=_selector_has_invalid_label_value(
            old_spec.get("selector")
        ),
    )


def should_allow_mutable_pod_template(job: Obj) -> bool:
    """``shouldAllowMutablePodTemplate``: a suspended Job with no active pods that never
    started, or carries the Suspended condition, may change its pod template's scheduling
    directives and container resources (``pkg/registry/batch/job/strategy.go``, v1.37)."""
    spec, status = _spec(job), job.get("status") or {}
    suspended = spec.get("suspend") is True
    not_started = status.get("startTime") is None
    has_suspended = any(
        c.get("type") == "Suspended" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    return suspended and (not_started or has_suspended) and not status.get("active")


def _selector_has_invalid_label_value(selector: Any) -> bool:
    """``LabelSelectorHasInvalidLabelValue``."""
    if not isinstance(selector, dict):
        return False
    for expr in selector.get("matchExpressions") or []:
        for value in (expr or {}).get("values") or []:
            if _v.is_valid_label_value(str(value)):
                return True
    return False


def _validate_generated_selector(job: Obj, validate_batch_labels: bool) -> list[FieldError]:
    """``validateGeneratedSelector``."""
    spec = _spec(job)
    if spec.get("manualSelector") is True or spec.get("selector") is None:
        return []
    meta = job.get("metadata") or {}
    uid = str(meta.get("uid") or "")
    name = str(meta.get("name") or "")
    errs: list[FieldError] = []
    if not uid:
        errs.append(required(_METADATA.child("uid"), ""))
    tmeta = (spec.get("template") or {}).get("metadata") or {}
    tpath = _SPEC.child("template", "metadata")
    errs += _has_label(tmeta, tpath, LEGACY_CONTROLLER_UID_LABEL, uid)
    errs += _has_label(tmeta, tpath, LEGACY_JOB_NAME_LABEL, name)
    expected: dict[str, str] = {}
    if validate_batch_labels:
        errs += _has_label(tmeta, tpath, CONTROLLER_UID_LABEL, uid)
        errs += _has_label(tmeta, tpath, JOB_NAME_LABEL, name)
        expected[CONTROLLER_UID_LABEL] = uid
        expected[JOB_NAME_LABEL] = name
    expected[LEGACY_CONTROLLER_UID_LABEL] = uid
    expected[LEGACY_JOB_NAME_LABEL] = name
    if _selector_matches(spec["selector"], expected) is False:
        errs.append(
            invalid(
                _SPEC.child("selector"),
                label_selector_value(spec["selector"]),
                MSG_SELECTOR_NOT_GENERATED,
            )
        )
    return errs


def validate_job(job: Obj, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJob`` without ObjectMeta (the base strategy validates it first)."""
    errs = _validate_generated_selector(job, opts.require_prefixed_labels)
    spec = _spec(job)
    errs += validate_job_spec(spec, _SPEC, opts)
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and isinstance(completions, int) and completions > 0:
        name = str((job.get("metadata") or {}).get("name") or "")
        hostname = f"{name}-{completions - 1}"
        if _v.is_dns1123_label(hostname):
            errs.append(
                invalid(
                    _METADATA.child("name"),
                    name,
                    f"will not able to create pod with invalid DNS label: {hostname}",
                )
            )
    return errs


def validate_job_spec(spec: Obj, path: Path, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJobSpec``: the spec rules plus the selector rules."""
    errs = _validate_job_spec(spec, path, opts)
    selector = spec.get("selector")
    if selector is None:
        errs.append(required(path.child("selector"), ""))
    else:
        errs += _v.validate_label_selector(
            selector,
            path.child("selector"),
            allow_invalid_label_value=opts.allow_invalid_label_value_in_selector,
        )
    if _selector_matches(selector, _template_labels(spec)) is False:
        tlabels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
        errs.append(
            invalid(path.child("template", "metadata", "labels"), tlabels, MSG_SELECTOR_MISMATCH)
        )
    return errs


def _validate_job_spec(spec: Obj, path: Path, opts: JobValidationOptions) -> list[FieldError]:
    """``validateJobSpec``."""
    errs: list[FieldError] = []
    for key in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
    ):
        if isinstance(spec.get(key), int):
            errs += _nonnegative(spec[key], path.child(key))
    parallelism = spec.get("parallelism")
    completions = spec.get("completions")
    per_index = spec.get("backoffLimitPerIndex")
    max_failed = spec.get("maxFailedIndexes")
    if max_failed is not None:
        errs += _nonnegative(max_failed, path.child("maxFailedIndexes"))
        if per_index is None:
            errs.append(
                required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified")
            )
    managed_by = spec.get("managedBy")
    if managed_by is not None:
        errs += _is_domain_prefixed_path(path.child("managedBy"), str(managed_by))
        if len(str(managed_by)) > MAX_MANAGED_BY_LENGTH:
            errs.append(too_long(path.child("managedBy"), managed_by, MAX_MANAGED_BY_LENGTH))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(
                not_supported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"])
            )
        if mode == "Indexed":
            if completions is None:
                errs.append(required(path.child("completions"), "when completion mode is Indexed"))
            if parallelism is not None and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        path.child("parallelism"),
                        parallelism,
                        f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
                        "when completion mode is Indexed",
                    )
                )
            if completions is not None and max_failed is not None and max_failed > completions:
                errs.append(
                    invalid(
                        path.child("maxFailedIndexes"),
                        max_failed,
                        "must be less than or equal to completions",
                    )
                )
            if max_failed is not None and max_failed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        path.child("maxFailedIndexes"),
                        max_failed,
                        f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}",
                    )
                )
            if (
                completions is not None
                and completions > COMPLETIONS_SOFT_LIMIT
                and per_index is not None
            ):
                suffix = (
                    f"when completions are above {COMPLETIONS_SOFT_LIMIT} "
                    "and used with backoff limit per index"
                )
                if max_failed is None:
                    errs.append(
                        required(
                            path.child("maxFailedIndexes"),
                            f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}",
                        )
                    )
                if parallelism is not None and parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS:
                    errs.append(
                        invalid(
                            path.child("parallelism"),
                            parallelism,
                            f"must be less than or equal to "
                            f"{PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                        )
                    )
                if (
                    max_failed is not None
                    and max_failed > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS
                ):
                    errs.append(
                        invalid(
                            path.child("maxFailedIndexes"),
                            max_failed,
                            f"must be less than or equal to "
                            f"{MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                        )
                    )
    if mode is None or mode == "NonIndexed":
        if per_index is not None:
            errs.append(
                invalid(path.child("backoffLimitPerIndex"), per_index, MSG_REQUIRES_INDEXED)
            )
        if max_failed is not None:
            errs.append(invalid(path.child("maxFailedIndexes"), max_failed, MSG_REQUIRES_INDEXED))

    if spec.get("podFailurePolicy") is not None:
        errs += _validate_pod_failure_policy(spec, path.child("podFailurePolicy"))
    success_policy = spec.get("successPolicy")
    if success_policy is not None:
        if (mode or "NonIndexed") != "Indexed":
            errs.append(invalid(path.child("successPolicy"), success_policy, MSG_REQUIRES_INDEXED))
        else:
            errs += _validate_success_policy(spec, path.child("successPolicy"))

    errs += _validate_pod_replacement_policy(spec, path.child("podReplacementPolicy"))

    template = spec.get("template") or {}
    errs += validate_pod_template_spec(template, path.child("template"))
    restart = (template.get("spec") or {}).get("restartPolicy") or ""
    restart_path = path.child("template", "spec", "restartPolicy")
    if restart in ("Always", ""):
        errs.append(required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(not_supported(restart_path, restart, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(
            invalid(
                restart_path,
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    del opts  # the pod validation options live with the pod module
    return errs


def validate_job_update(new: Obj, old: Obj, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJobSpecUpdate`` (ObjectMeta is the base strategy's)."""
    spec, old_spec = _spec(new), _spec(old)
    errs = validate_job_spec(spec, _SPEC, opts)
    errs += _validate_completions_update(spec, old_spec, _SPEC.child("completions"), opts)
    if _strip_none(spec.get("selector")) != _strip_none(old_spec.get("selector")):
        shown = label_selector_value(spec.get("selector"))
        errs.append(invalid(_SPEC.child("selector"), shown, MSG_IMMUTABLE))
    errs += _validate_pod_template_update(spec, old_spec, opts)
    for key in (
        "completionMode",
        "podFailurePolicy",
        "backoffLimitPerIndex",
        "managedBy",
        "successPolicy",
    ):
        errs += _immutable(spec.get(key), old_spec.get(key), _SPEC.child(key))
    return errs


def _validate_completions_update(
    spec: Obj, old_spec: Obj, path: Path, opts: JobValidationOptions
) -> list[FieldError]:
    """``validateCompletions``: elastic Indexed Jobs scale completions with parallelism."""
    new_c, old_c = spec.get("completions"), old_spec.get("completions")
    if not opts.allow_elastic_indexed_jobs or spec.get("completionMode") != "Indexed":
        return _immutable(new_c, old_c, path)
    if new_c == old_c or new_c is None:
        return []
    if new_c != spec.get("parallelism"):
        return [invalid(path, new_c, "can only be modified in tandem with spec.parallelism")]
    return []


def _validate_pod_template_update(
    spec: Obj, old_spec: Obj, opts: JobValidationOptions
) -> list[FieldError]:
    """``validatePodTemplateUpdate``: a suspended Job that never started may change its
    scheduling directives (node affinity, node selector, tolerations, scheduling gates,
    labels and annotations)."""
    template = spec.get("template") or {}
    old_template = old_spec.get("template") or {}
    if opts.allow_mutable_scheduling_directives:
        old_template = copy.deepcopy(old_template)
        new_pod = template.get("spec") or {}
        old_pod = old_template.setdefault("spec", {})
        new_aff, old_aff = new_pod.get("affinity"), old_pod.get("affinity")
        if new_aff is None and old_aff is not None:
            old_aff.pop("nodeAffinity", None)
            if not {k: v for k, v in old_aff.items() if v is not None}:
                old_pod.pop("affinity", None)
        elif new_aff is not None and old_aff is None:
            old_pod["affinity"] = {"nodeAffinity": new_aff.get("nodeAffinity")}
        elif new_aff is not None and old_aff is not None:
            old_aff["nodeAffinity"] = new_aff.get("nodeAffinity")
        for key in ("nodeSelector", "tolerations", "schedulingGates"):
            _copy_or_drop(old_pod, new_pod, key)
        old_meta = old_template.setdefault("metadata", {})
        new_meta = template.get("metadata") or {}
        for key in ("annotations", "labels"):
            _copy_or_drop(old_meta, new_meta, key)
    suspended = old_spec.get("suspend") is True
    if not suspended or not opts.allow_mutable_pod_resources:
        return _immutable(template, old_template, _SPEC.child("template"))
    return _pod_resource_updates_only(
        template.get("spec") or {}, old_template.get("spec") or {}, _SPEC.child("template", "spec")
    )


def _pod_resource_updates_only(new_pod: Obj, old_pod: Obj, path: Path) -> list[FieldError]:
    """``validatePodResourceUpdatesOnly``: only containers' and init containers' resources
    may differ (matched by position and name, when the counts are equal)."""
    old_copy = copy.deepcopy(old_pod)
    for key in ("containers", "initContainers"):
        new_list, old_list = new_pod.get(key) or [], old_copy.get(key) or []
        if len(new_list) != len(old_list):
            continue
        for new_c, old_c in zip(new_list, old_list, strict=True):
            if new_c.get("name") == old_c.get("name"):
                _copy_or_drop(old_c, new_c, "resources")
    return _immutable(new_pod, old_copy, path)


def _copy_or_drop(dst: Obj, src: Obj, key: str) -> None:
    if key in src:
        dst[key] = src[key]
    else:
        dst.pop(key, None)


# --- strategy ----------------------------------------------------------------------


class JobStrategy(BaseStrategy):
    """``pkg/registry/batch/job/strategy.go``."""

    kind = "Job"
    api_version = "batch/v1"
    has_status = True
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_job(obj)

    def prepare_fields_for_create(self, obj: Obj) -> None:
        # generateSelectorIfNeeded; needs metadata.uid, which the store assigns first.
        spec = obj.setdefault("spec", {})
        if spec.get("manualSelector") is not True:
            generate_selector(obj)
        # SetDefaults_Job runs again when the stored object is decoded, so a Job created
        # without labels reads back with its template's labels (generated ones included).
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            tlabels = _template_labels(spec)
            if tlabels:
                meta["labels"] = tlabels

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_job(obj, job_validation_options(obj, None))

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        # ValidateJob(new) then ValidateJobUpdate(new, old), as upstream (repeats included).
        opts = job_validation_options(new, old)
        meta = new.get("metadata") or {}
        errs = validate_meta(meta, namespaced=self.namespaced, name_fn=self.validate_name)
        errs += validate_job(new, opts)
        errs += validate_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
        errs += validate_job_update(new, old, opts)
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_job_update(new, old, job_validation_options(new, old))

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_job_update_status(new, old, job_status_validation_options(new, old))

    def warnings(self, obj: Obj) -> list[str]:
        out = _name_warnings(obj)
        spec = _spec(obj)
        if (
            spec.get("completionMode") == "Indexed"
            and (spec.get("completions") or 0) > COMPLETIONS_SOFT_LIMIT
            and (spec.get("parallelism") or 0) > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS
        ):
            out.append(
                "spec: In Indexed Jobs with a number of completions higher than 10^5 and a "
                "parallelism higher than 10^4, Kubernetes might not be able to track "
                "completedIndexes when a big number of indexes fail"
            )
        return out
