"""Jobs for training: a restart policy Kubernetes accepts, a deadline, clean-up, retries.

A training Job that runs away burns GPU budget until someone notices (``activeDeadline
Seconds`` stops it), a finished Job stays forever unless ``ttlSecondsAfterFinished`` lets
the TTL controller delete it, and ``backoffLimit`` defaults to 6 retries of an expensive
pod. A Job's pod template must say ``restartPolicy: OnFailure`` or ``Never``: left out, it
defaults to ``Always`` and kube-apiserver refuses the Job (``validateJobSpec`` in
``pkg/apis/batch/validation/validation.go``, whose words are quoted). An Indexed Job never
runs more pods at once than it has indexes left (``pkg/controller/job/job_controller.go``,
``manageJob``: ``wantActive = min(parallelism, completions - succeeded)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from mlkube.api import field
from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.rules import Rule
from mlkube.platform.lint.workloads import PodTemplate

__all__ = [
    "BACKOFF_DEFAULT",
    "GPU_DEADLINE",
    "INDEXED_PARALLELISM",
    "JOB_RESTART_POLICY",
    "JOB_TTL",
    "RULES",
]

DEFAULT_BACKOFF_LIMIT: Final = 6
_VALID_POLICIES: Final = ("OnFailure", "Never")
MSG_VALID_VALUES: Final = 'valid values: "OnFailure", "Never"'
MSG_NEVER_WITH_POLICY: Final = 'only "Never" is supported when podFailurePolicy is specified'


def _jobs(ctx: LintContext) -> Iterator[tuple[PodTemplate, Mapping[str, Any]]]:
    """Each Job or CronJob template with its Job spec."""
    return ((t, t.job) for t in ctx.templates if t.job is not None)


def _restart_policy_error(t: PodTemplate, job: Mapping[str, Any]) -> field.FieldError | None:
    path = field.Path(*t.spec_path.split(".")).child("restartPolicy")
    policy = t.spec.get("restartPolicy") or ""
    if policy in ("", "Always"):
        return field.required(path, MSG_VALID_VALUES)
    if policy not in _VALID_POLICIES:
        return field.not_supported(path, policy, _VALID_POLICIES)
    if job.get("podFailurePolicy") is not None and policy != "Never":
        return field.invalid(path, policy, MSG_NEVER_WITH_POLICY)
    return None


def _check_restart_policy(ctx: LintContext) -> Iterator[Hit]:
    for t, job in _jobs(ctx):
        error = _restart_policy_error(t, job)
        if error is None:
            continue
        defaulted = "" if t.spec.get("restartPolicy") else " (left out, it defaults to Always)"
        yield Hit(
            t.manifest.index,
            error.field,
            f'Kubernetes rejects the {t.manifest.kind}{defaulted}: "{error}"; '
            "set restartPolicy: Never (or OnFailure)",
        )


def _check_deadline(ctx: LintContext) -> Iterator[Hit]:
    for t, job in _jobs(ctx):
        if t.uses_gpu and job.get("activeDeadlineSeconds") is None:
            yield Hit(
                t.manifest.index,
                t.job_at("activeDeadlineSeconds"),
                f"GPU Job ({', '.join(t.gpu_resources)}) has no activeDeadlineSeconds: a hung "
                "run holds its GPUs until someone deletes it; set activeDeadlineSeconds to the "
                "longest run you will pay for",
            )


def _check_ttl(ctx: LintContext) -> Iterator[Hit]:
    for t, job in _jobs(ctx):
        if t.manifest.kind == "Job" and job.get("ttlSecondsAfterFinished") is None:
            yield Hit(
                t.manifest.index,
                t.job_at("ttlSecondsAfterFinished"),
                "Job has no ttlSecondsAfterFinished: it and its pods stay after it finishes "
                "(and count against count/jobs.batch quota); set ttlSecondsAfterFinished, "
                "e.g. 86400 to keep it a day",
            )


def _check_indexed_parallelism(ctx: LintContext) -> Iterator[Hit]:
    for t, job in _jobs(ctx):
        if job.get("completionMode") != "Indexed":
            continue
        parallelism, completions = job.get("parallelism"), job.get("completions")
        if (
            isinstance(parallelism, int)
            and isinstance(completions, int)
            and parallelism > completions
        ):
            yield Hit(
                t.manifest.index,
                t.job_at("parallelism"),
                f"Indexed Job has parallelism {parallelism} but only {completions} completions: "
                f"the Job controller never runs more than {completions} pods at once; set "
                f"parallelism to {completions} (or raise completions)",
            )


def _check_backoff(ctx: LintContext) -> Iterator[Hit]:
    for t, job in _jobs(ctx):
        if not t.uses_gpu or job.get("backoffLimit") is not None:
            continue
        if job.get("backoffLimitPerIndex") is not None or job.get("podFailurePolicy"):
            continue
        yield Hit(
            t.manifest.index,
            t.job_at("backoffLimit"),
            f"GPU Job leaves backoffLimit at its default of {DEFAULT_BACKOFF_LIMIT}: a crashing "
            f"run is retried {DEFAULT_BACKOFF_LIMIT} times on GPUs; set backoffLimit (e.g. 1 or "
            "2), or a podFailurePolicy that fails fast on exit codes that will not heal",
        )


GPU_DEADLINE = Rule(
    id="ML002",
    name="gpu-job-deadline",
    severity="warning",
    title="GPU Job without activeDeadlineSeconds",
    explanation=(
        "activeDeadlineSeconds is the Job's hard timeout: when it passes, the Job controller "
        "terminates the Job's pods and marks it Failed with reason DeadlineExceeded. Without "
        "it a training run that hangs (a stuck collective, a dead data loader) keeps its GPUs "
        "until a person notices and deletes it."
    ),
    fix="Set spec.activeDeadlineSeconds to the longest run you are willing to pay for.",
    check=_check_deadline,
)

JOB_TTL = Rule(
    id="ML003",
    name="job-ttl",
    severity="warning",
    title="Job without ttlSecondsAfterFinished",
    explanation=(
        "A finished Job and its pods stay in the cluster until deleted: they clutter the "
        "namespace, keep logs nobody reads and count against object-count quotas "
        "(count/jobs.batch). With ttlSecondsAfterFinished the TTL-after-finished controller "
        "deletes the Job, and its pods with it, that many seconds after it completes or "
        "fails. CronJobs are exempt: their history limits clean up their Jobs."
    ),
    fix="Set spec.ttlSecondsAfterFinished (e.g. 86400 to keep a finished Job for a day).",
    check=_check_ttl,
)

JOB_RESTART_POLICY = Rule(
    id="ML010",
    name="job-restart-policy",
    severity="error",
    title="Job pod template with restartPolicy Always",
    explanation=(
        "A Job's pods must end, so Kubernetes accepts only restartPolicy OnFailure or Never "
        "in a Job template. Left out, restartPolicy defaults to Always and the API server "
        "refuses the Job with 'spec.template.spec.restartPolicy: Required value: valid "
        'values: "OnFailure", "Never"\'. With a podFailurePolicy only Never is allowed.'
    ),
    fix="Set spec.template.spec.restartPolicy: Never (or OnFailure without a podFailurePolicy).",
    check=_check_restart_policy,
)

INDEXED_PARALLELISM = Rule(
    id="ML011",
    name="indexed-parallelism",
    severity="warning",
    title="Indexed Job with parallelism greater than completions",
    explanation=(
        "An Indexed Job has one pod per index, and the Job controller runs at most "
        "min(parallelism, completions - succeeded) pods at once. Parallelism above "
        "completions never takes effect; it usually means the author expected that many "
        "workers (for distributed training, one per rank) and will get fewer."
    ),
    fix="Set parallelism equal to completions (one pod per index), or raise completions.",
    check=_check_indexed_parallelism,
)

BACKOFF_DEFAULT = Rule(
    id="ML013",
    name="gpu-job-backoff",
    severity="info",
    title="GPU Job leaves backoffLimit at the default of 6",
    explanation=(
        "backoffLimit is the number of retries before the Job is marked Failed; it defaults "
        "to 6, with exponential back-off between attempts. For a GPU training job a crash is "
        "usually deterministic (a bad config, out of memory) and six retries waste GPU hours."
    ),
    fix=(
        "Set spec.backoffLimit explicitly (0-2 for expensive runs), or a podFailurePolicy "
        "that fails the Job on exit codes that retries will not fix."
    ),
    check=_check_backoff,
)

RULES: Final = (GPU_DEADLINE, JOB_TTL, JOB_RESTART_POLICY, INDEXED_PARALLELISM, BACKOFF_DEFAULT)
