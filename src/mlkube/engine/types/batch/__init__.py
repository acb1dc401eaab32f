"""Jobs and CronJobs as kube-apiserver v1.37 defaults, prepares and validates them.

One module per concept: :mod:`.job` (Job defaults, selector generation, validation and
strategy), :mod:`.jobstatus` (the status subresource), :mod:`.indexes` (index interval
strings), :mod:`.cronjob` (CronJobs and their schedules), :mod:`._common` (what they share).
"""

from mlkube.engine.types.batch._common import (
    CONTROLLER_UID_LABEL,
    JOB_NAME_LABEL,
    LEGACY_CONTROLLER_UID_LABEL,
    LEGACY_JOB_NAME_LABEL,
    MAX_INT32,
)
from mlkube.engine.types.batch.cronjob import (
    CronJobStrategy,
    default_cron_job,
    validate_cron_job_create,
    validate_cron_job_update,
    validate_job_template_spec,
)
from mlkube.engine.types.batch.indexes import validate_indexes_format
from mlkube.engine.types.batch.job import (
    JobStrategy,
    JobValidationOptions,
    default_job,
    generate_selector,
    job_validation_options,
    validate_job,
    validate_job_spec,
    validate_job_update,
)
from mlkube.engine.types.batch.jobstatus import (
    JobStatusValidationOptions,
    job_status_validation_options,
    validate_job_update_status,
)

__all__ = [
    "CONTROLLER_UID_LABEL",
    "JOB_NAME_LABEL",
    "LEGACY_CONTROLLER_UID_LABEL",
    "LEGACY_JOB_NAME_LABEL",
    "MAX_INT32",
    "CronJobStrategy",
    "JobStatusValidationOptions",
    "JobStrategy",
    "JobValidationOptions",
    "default_cron_job",
    "default_job",
    "generate_selector",
    "job_status_validation_options",
    "job_validation_options",
    "validate_cron_job_create",
    "validate_cron_job_update",
    "validate_indexes_format",
    "validate_job",
    "validate_job_spec",
    "validate_job_template_spec",
    "validate_job_update",
    "validate_job_update_status",
]
