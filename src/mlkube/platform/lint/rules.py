"""A lint rule: an id, a severity, the words a reviewer would say, and a check.

Rules are data, the way kube-scheduler's plugins are entries in a registry: each group
module (``gpu``, ``jobs``, ``quota``, ``storage``, ``placement``, ``priority``, ``images``)
exports ``RULES``, a tuple of :class:`Rule`, and :mod:`mlkube.platform.lint.run` collects
them. ``explanation`` and ``fix`` are what ``mlkube lint --explain ML003`` prints and what
SARIF's ``fullDescription`` and ``help`` carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlkube.platform.lint.findings import Hit, Severity

if TYPE_CHECKING:
    from mlkube.platform.lint.context import LintContext

__all__ = ["Check", "Rule"]

#: ``check(ctx)`` yields a :class:`Hit` per problem; it never mutates the context.
Check = Callable[["LintContext"], Iterable[Hit]]

_ID = re.compile(r"ML[0-9]{3}")


@dataclass(frozen=True)
class Rule:
    """One rule. ``id`` is ``MLnnn``; ``name`` a kebab-case slug (SARIF ``name``)."""

    id: str
    name: str
    severity: Severity
    title: str
    explanation: str
    fix: str
    check: Check

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"rule id {self.id!r} is not MLnnn")
