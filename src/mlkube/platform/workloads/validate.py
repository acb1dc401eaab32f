"""What is wrong with a workload whatever the cluster: the checks that need no platform.

Loading (``loads``, ``build``) and rendering both run :func:`validate`, so a bad name, a
missing command or a malformed grid is refused before anything is created, with the field
and the fix. Names follow kube-apiserver's rules (``k8s.io/apimachinery/pkg/util/validation``
via :mod:`mlkube.api.validation`): every workload name is a DNS-1123 label, and one that
names a Service (distributed training, inference) a DNS-1035 label, as Services require.
What depends on the platform (teams, pools, datasets, priorities) is
:mod:`mlkube.platform.workloads.placement`.
"""

from __future__ import annotations

from typing import Final

from mlkube.api.field import Path
from mlkube.api.validation import (
    is_dns1035_label,
    is_dns1123_label,
    is_env_var_name,
    is_valid_percent,
    validate_labels,
)
from mlkube.platform.problems import Problem, child, index
from mlkube.platform.workloads import params
from mlkube.platform.workloads.model import (
    DatasetMount,
    InferenceService,
    PreprocessingJob,
    Sweep,
    TrainingJob,
    Workload,
)

__all__ = ["RESERVED_ENV", "validate"]

RULE: Final = "workload"
#: The environment mlkube sets, per kind; a user's env may not set it too.
RESERVED_ENV: Final = {
    "distributed": ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "NODE_RANK", "NPROC_PER_NODE"),
    "sweep": ("MLKUBE_TRIAL_INDEX", "MLKUBE_PARAMS_FILE", "MLKUBE_RESULTS_DIR"),
}
_FIX_COMMAND = "give the command to run (on the command line: after --, e.g. -- python train.py)"


def _has_service(w: Workload) -> bool:
    return isinstance(w, InferenceService) or (isinstance(w, TrainingJob) and w.spec.nodes > 1)


def _name(w: Workload) -> list[Problem]:
    name = w.metadata.name
    errors = is_dns1035_label(name) if _has_service(w) else is_dns1123_label(name)
    what = "a DNS-1035 label (it names a Service)" if _has_service(w) else "a DNS-1123 label"
    out = [
        Problem(
            RULE, "metadata.name", f'Invalid value: "{name}": {e}', f"use {what}, e.g. resnet-50"
        )
        for e in errors
    ]
    team = w.metadata.team
    if team is not None:
        out += [
            Problem(
                RULE, "metadata.team", f'Invalid value: "{team}": {e}', "a team is a namespace name"
            )
            for e in is_dns1123_label(team)
        ]
    out += [
        Problem(RULE, e.field, e.error_body())
        for e in validate_labels(w.metadata.labels, Path("metadata", "labels"))
    ]
    return out


def _env(w: Workload, reserved: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    for name in w.spec.env:
        where = child("spec.env", name)
        out += [
            Problem(RULE, where, f'Invalid value: "{name}": {e}') for e in is_env_var_name(name)
        ]
        if name in reserved:
            out.append(Problem(RULE, where, "is set by mlkube for this workload", "remove it"))
    return out


def _mounts(mounts: list[tuple[str, DatasetMount]]) -> list[Problem]:
    out: list[Problem] = []
    names: set[str] = set()
    paths: set[str] = set()
    for where, mount in mounts:
        if mount.name in names:
            out.append(
                Problem(
                    RULE,
                    child(where, "name"),
                    f'dataset "{mount.name}" is mounted twice',
                    "mount it once",
                )
            )
        names.add(mount.name)
        if not mount.path.startswith("/"):
            out.append(
                Problem(
                    RULE,
                    child(where, "mountPath"),
                    f'"{mount.path}" is not an absolute path',
                    "e.g. /data",
                )
            )
        if mount.path in paths:
            out.append(
                Problem(
                    RULE,
                    child(where, "mountPath"),
                    f'"{mount.path}" is used twice',
                    "give each dataset its own path",
                )
            )
        paths.add(mount.path)
    return out


def _common(w: Workload) -> list[Problem]:
    spec = w.spec
    out = _name(w)
    if not spec.image.strip():
        out.append(
            Problem(
                RULE, "spec.image", "Required value", "e.g. image: pytorch/pytorch:2.4.0 (--image)"
            )
        )
    if not isinstance(w, InferenceService) and not spec.command:
        out.append(Problem(RULE, "spec.command", "Required value", _FIX_COMMAND))
    if spec.resources.gpu_type is not None and spec.resources.gpu == 0:
        out.append(
            Problem(
                RULE,
                "spec.resources.gpuType",
                "is set but no GPU is asked for",
                "add gpu: N (--gpus N)",
            )
        )
    mounts = [(index("spec.datasets", i), m) for i, m in enumerate(spec.datasets)]
    if isinstance(w, PreprocessingJob):
        mounts.append(("spec.output", w.spec.output))
        if w.spec.output.read_only:
            out.append(
                Problem(
                    RULE, "spec.output.readOnly", "the output dataset is written", "remove readOnly"
                )
            )
    return out + _mounts(mounts)


def _training(w: TrainingJob) -> list[Problem]:
    return _env(w, RESERVED_ENV["distributed"] if w.spec.nodes > 1 else ())


def _sweep(w: Sweep) -> list[Problem]:
    spec = w.spec
    out = _env(w, RESERVED_ENV["sweep"])
    if spec.nodes != 1:
        out.append(
            Problem(
                RULE,
                "spec.nodes",
                "a sweep runs each trial on one node",
                "remove nodes, or run a distributed TrainingJob",
            )
        )
    if spec.retries is not None:
        out.append(
            Problem(
                RULE,
                "spec.retries",
                "a sweep retries each trial on its own",
                "use trialRetries instead",
            )
        )
    found = params.problems(spec.params, spec.random, "spec.params")
    out += found
    if not found and spec.max_failed is not None:
        count = spec.random if spec.random is not None else params.grid_size(spec.params)
        if spec.max_failed > count:
            out.append(
                Problem(
                    RULE,
                    "spec.maxFailed",
                    f"{spec.max_failed} is more than the {count} trials",
                    f"use at most {count}",
                )
            )
    return out


def _inference(w: InferenceService) -> list[Problem]:
    spec = w.spec
    out = _env(w, ())
    if not spec.readiness.path.startswith("/"):
        out.append(
            Problem(
                RULE,
                "spec.readiness.path",
                f'"{spec.readiness.path}" must start with /',
                "e.g. /healthz",
            )
        )
    value = spec.min_available
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        out.append(
            Problem(
                RULE,
                "spec.minAvailable",
                "must be a number of pods or a percentage",
                "e.g. 1 or 50%",
            )
        )
    elif isinstance(value, str):
        out += [
            Problem(RULE, "spec.minAvailable", f'Invalid value: "{value}": {e}')
            for e in is_valid_percent(value)
        ]
    return out


def _indexes(w: Workload) -> int | None:
    """How many completion indexes the workload's Indexed Job has (None: not Indexed)."""
    if isinstance(w, TrainingJob) and w.spec.nodes > 1:
        return w.spec.nodes
    if isinstance(w, Sweep):
        if params.problems(w.spec.params, w.spec.random, "spec.params"):
            return None
        return w.spec.random if w.spec.random is not None else params.grid_size(w.spec.params)
    if isinstance(w, PreprocessingJob) and (w.spec.completions or 0) > 1:
        return w.spec.completions
    return None


def _hostnames(w: Workload) -> list[Problem]:
    """Indexed Job pods are named ``<job>-<index>``: kube-apiserver refuses a Job whose last
    hostname is no DNS label (``pkg/apis/batch/validation`` validateJobSpec), after the
    objects rendered before it were created, so it is refused here first."""
    count = _indexes(w)
    if count is None or is_dns1123_label(w.name):
        return []
    hostname = f"{w.name}-{count - 1}"
    if not is_dns1123_label(hostname):
        return []
    longest = 63 - len(str(count - 1)) - 1
    return [
        Problem(
            RULE,
            "metadata.name",
            f'Invalid value: "{w.name}": will not able to create pod with invalid DNS label: '
            f"{hostname}",
            f"use a name of at most {longest} characters",
        )
    ]


def validate(w: Workload) -> list[Problem]:
    """Every platform-independent problem of one workload, in field order."""
    out = _common(w) + _hostnames(w)
    if isinstance(w, TrainingJob):
        out += _training(w)
    elif isinstance(w, Sweep):
        out += _sweep(w)
    elif isinstance(w, PreprocessingJob):
        out += _env(w, ())
    else:
        out += _inference(w)
    return out
