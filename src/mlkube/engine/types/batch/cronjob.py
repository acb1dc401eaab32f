"""CronJobs as kube-apiserver v1.37 defaults and validates them, with robfig/cron's schedule
checks.

Follows ``pkg/apis/batch/v1/defaults.go`` (``SetDefaults_CronJob``),
``pkg/registry/batch/cronjob/strategy.go`` and ``pkg/apis/batch/validation/validation.go``
(``ValidateCronJobCreate``/``Update``); the schedule checker follows robfig/cron v3
``ParseStandard``, whose messages kube-apiserver repeats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mlkube.api.field import (
    FieldError,
    Path,
    invalid,
    not_supported,
    required,
)
from mlkube.api.timestamps import parse_duration
from mlkube.engine.types.batch._common import (
    _CONCURRENCY_POLICIES,
    _METADATA,
    _SPEC,
    CRONJOB_NAME_MAX_LENGTH,
    MAX_INT64,
    MSG_CRONJOB_NAME_TOO_LONG,
    MSG_SELECTOR_WILL_BE_GENERATED,
    Obj,
    _name_warnings,
    _nonnegative,
    _spec,
)
from mlkube.engine.types.batch.job import (
    JobStrategy,
    JobValidationOptions,
    _default_job_spec_members,
    _validate_job_spec,
)
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "CronJobStrategy",
    "default_cron_job",
    "validate_cron_job_create",
    "validate_cron_job_update",
    "validate_job_template_spec",
]


def default_cron_job(cron_job: Obj) -> None:
    """``SetObjectDefaults_CronJob``: the job template gets no ``SetDefaults_Job``."""
    spec = cron_job.setdefault("spec", {})
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    job_template = spec.setdefault("jobTemplate", {})
    if isinstance(job_template, dict):
        _default_job_spec_members(job_template.setdefault("spec", {}))


# --- CronJob validation ------------------------------------------------------------------


def validate_job_template_spec(template: Obj, path: Path) -> list[FieldError]:
    """``ValidateJobTemplateSpec``: the selector is always generated."""
    spec = template.get("spec") or {}
    errs = _validate_job_spec(spec, path.child("spec"), JobValidationOptions())
    if spec.get("selector") is not None:
        errs.append(
            invalid(
                path.child("spec", "selector"), spec["selector"], MSG_SELECTOR_WILL_BE_GENERATED
            )
        )
    if spec.get("manualSelector") is True:
        errs.append(not_supported(path.child("spec", "manualSelector"), True, ["nil", "false"]))
    return errs


# github.com/robfig/cron/v3 parser.go, ParseStandard (minute hour dom month dow, plus
# descriptors and a TZ=/CRON_TZ= prefix): only what decides acceptance and the error text.
_CRON_BOUNDS: Final[tuple[tuple[int, int, Mapping[str, int]], ...]] = (
    (0, 59, {}),  # seconds (always "0" for the standard parser)
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
            )
        },
    ),
    (0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)
_CRON_DESCRIPTORS: Final = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)


def _cron_int(expr: str) -> int:
    """``mustParseInt``."""
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        raise ValueError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
        )
    num = int(expr)
    if num > MAX_INT64:
        raise ValueError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range'
        )
    if num < 0:
        raise ValueError(f"negative number ({num}) not allowed: {expr}")
    return num


def _cron_range(expr: str, lo: int, hi: int, names: Mapping[str, int]) -> None:
    """``getRange``: raises ``ValueError`` with robfig's text."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = lo, hi
    else:
        start = names.get(low_high[0].lower(), -1)
        if start < 0:
            start = _cron_int(low_high[0])
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = names.get(low_high[1].lower(), -1)
            if end < 0:
                end = _cron_int(low_high[1])
        else:
            raise ValueError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _cron_int(range_and_step[1])
        if len(low_high) == 1:
            end = hi
    else:
        raise ValueError(f"too many slashes: {expr}")
    if start < lo:
        raise ValueError(f"beginning of range ({start}) below minimum ({lo}): {expr}")
    if end > hi:
        raise ValueError(f"end of range ({end}) above maximum ({hi}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def _schedule_error(schedule: str) -> str | None:
    """``cron.ParseStandard(schedule)``'s error text, ``None`` when it parses."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        i, eq = spec.find(" "), spec.find("=")
        location = spec[eq + 1 : i] if i >= 0 else spec[eq + 1 :]
        if location not in ("UTC", "Local", ""):
            try:
                ZoneInfo(location)
            except (ZoneInfoNotFoundError, ValueError):
                return f"provided bad location {location}: unknown time zone {location}"
        spec = spec[i:].strip() if i >= 0 else ""
    if spec.startswith("@"):
        if spec in _CRON_DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            try:
                parse_duration(spec[len("@every ") :])
            except ValueError as e:
                return f"failed to parse duration {spec}: {e}"
            return None
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for field, (lo, hi, names) in zip(["0", *fields], _CRON_BOUNDS, strict=True):
        try:
            for expr in (e for e in field.split(",") if e):
                _cron_range(expr, lo, hi, names)
        except ValueError as e:
            return str(e)
    return None


def _validate_schedule(
    schedule: str, allow_tz_in_schedule: bool, time_zone: str | None, path: Path
) -> list[FieldError]:
    errs: list[FieldError] = []
    error = _schedule_error(schedule)
    if error is not None:
        errs.append(invalid(path, schedule, error))
    if allow_tz_in_schedule and "TZ" in schedule and time_zone is not None:
        errs.append(
            invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
        )
    elif not allow_tz_in_schedule and "TZ" in schedule:
        errs.append(
            invalid(
                path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            )
        )
    return errs


_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


def _validate_time_zone(time_zone: str | None, path: Path) -> list[FieldError]:
    """``validateTimeZone``."""
    if time_zone is None:
        return []
    if not time_zone:
        return [invalid(path, time_zone, "timeZone must be nil or non-empty string")]
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.match(part):
            return [invalid(path, time_zone, f"unknown time zone {time_zone}")]
    errs: list[FieldError] = []
    if time_zone.lower() == "local":
        errs.append(
            invalid(
                path,
                time_zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        )
    if time_zone != "UTC" and time_zone != "Local":  # time.LoadLocation knows these two
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errs.append(invalid(path, time_zone, f"unknown time zone {time_zone}"))
    return errs


def _validate_cron_job_spec(spec: Obj, old_spec: Obj | None, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    schedule = str(spec.get("schedule") or "")
    time_zone = spec.get("timeZone")
    if not schedule:
        errs.append(required(path.child("schedule"), ""))
    else:
        allow_tz = old_spec is not None and "TZ" in str(old_spec.get("schedule") or "")
        errs += _validate_schedule(schedule, allow_tz, time_zone, path.child("schedule"))
    if spec.get("startingDeadlineSeconds") is not None:
        errs += _nonnegative(spec["startingDeadlineSeconds"], path.child("startingDeadlineSeconds"))
    if old_spec is None or old_spec.get("timeZone") != time_zone:
        errs += _validate_time_zone(time_zone, path.child("timeZone"))
    policy = spec.get("concurrencyPolicy") or ""
    if not policy:
        errs.append(required(path.child("concurrencyPolicy"), ""))
    elif policy not in _CONCURRENCY_POLICIES:
        errs.append(not_supported(path.child("concurrencyPolicy"), policy, _CONCURRENCY_POLICIES))
    errs += validate_job_template_spec(spec.get("jobTemplate") or {}, path.child("jobTemplate"))
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(key) is not None:
            errs += _nonnegative(spec[key], path.child(key))
    return errs


def validate_cron_job_create(cron_job: Obj) -> list[FieldError]:
    """``ValidateCronJobCreate`` without ObjectMeta: the spec and the 52-character name."""
    errs = _validate_cron_job_spec(_spec(cron_job), None, _SPEC)
    name = str((cron_job.get("metadata") or {}).get("name") or "")
    if len(name) > CRONJOB_NAME_MAX_LENGTH:
        errs.append(invalid(_METADATA.child("name"), name, MSG_CRONJOB_NAME_TOO_LONG))
    return errs


def validate_cron_job_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateCronJobUpdate`` without ObjectMeta (no name-length rule on update)."""
    return _validate_cron_job_spec(_spec(new), _spec(old), _SPEC)


# --- strategy ----------------------------------------------------------------------


class CronJobStrategy(BaseStrategy):
    """``pkg/registry/batch/cronjob/strategy.go``."""

    kind = "CronJob"
    api_version = "batch/v1"
    has_status = True
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_cron_job(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_cron_job_create(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_cron_job_update(new, old)

    def warnings(self, obj: Obj) -> list[str]:
        return _name_warnings(obj)


register(JobStrategy())
register(CronJobStrategy())
