"""The Job controller of kube-controller-manager v1.37, one concept per module.

``controller`` runs ``syncJob``; ``manage`` creates and deletes pods; ``tracking`` counts
finished pods and finishes the Job; ``pods`` builds and reads pods; ``indexes``,
``backoff``, ``failure_policy``, ``success_policy`` and ``status`` are the rules they share.
Follows ``pkg/controller/job/``.
"""

from mlkube.engine.controllers.job.controller import (
    JOB_CONTROLLER_NAME,
    SYNC_BATCH_PERIOD,
    JobController,
)
from mlkube.engine.controllers.job.pods import (
    COMPLETION_INDEX_ANNOTATION,
    INDEX_FAILURE_COUNT_ANNOTATION,
    INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
    JOB_TRACKING_FINALIZER,
)

__all__ = [
    "COMPLETION_INDEX_ANNOTATION",
    "INDEX_FAILURE_COUNT_ANNOTATION",
    "INDEX_IGNORED_FAILURE_COUNT_ANNOTATION",
    "JOB_CONTROLLER_NAME",
    "JOB_TRACKING_FINALIZER",
    "SYNC_BATCH_PERIOD",
    "JobController",
]
