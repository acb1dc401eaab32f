"""Run lint the way the specifications ask it: which findings of one rule, on what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlkube.platform.lint import Cluster, Finding, lint


def hits(
    rule: str, objects: Sequence[dict[str, Any]], cluster: Cluster | None = None
) -> list[Finding]:
    """The findings of ``rule`` when linting ``objects`` (and ``cluster``, as --live)."""
    return [f for f in lint(objects, cluster, namespace="ml") if f.rule == rule]
