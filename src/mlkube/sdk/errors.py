"""The SDK's errors: each one is a sentence for a person, shown as it is by the CLI.

Everything a user can get wrong or run into (no cluster, a missing context, a name already
taken, a quota refusal, a failed or timed-out wait) is a :class:`MlkubeError` with a
one-line message naming the flag or field and the fix; the CLI prints it and exits 1 (2 for
a timeout, as ``kubectl wait`` does). The cluster's own refusals stay
:class:`mlkube.client.ApiError` and spec problems :class:`mlkube.platform.problems.SpecError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlkube.platform.check import CheckReport

__all__ = [
    "MlkubeError",
    "NotFound",
    "QuotaRefused",
    "TargetError",
    "WaitFailed",
    "WaitTimeout",
    "WorkloadExists",
]


class MlkubeError(Exception):
    """A user-facing error: ``str(err)`` is the whole message."""

    #: The exit code the CLI uses for it.
    exit_code: int = 1


class TargetError(MlkubeError):
    """The target cluster cannot be used: no such context, unreachable, not started."""


class WorkloadExists(MlkubeError):
    """A workload of that name already exists in the team's namespace."""


class NotFound(MlkubeError):
    """No workload of that name in the team's namespace."""


class QuotaRefused(MlkubeError):
    """The pre-submit check says ResourceQuota or LimitRange admission would refuse the pods."""

    def __init__(self, message: str, report: CheckReport) -> None:
        super().__init__(message)
        self.report = report


class WaitFailed(MlkubeError):
    """The workload failed while being waited for (the message is the failure's reason)."""


class WaitTimeout(MlkubeError):
    """The wait ran out of time before the workload got there."""

    exit_code = 2
