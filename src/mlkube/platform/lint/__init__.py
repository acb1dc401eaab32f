"""``mlkube lint``: rules an ML platform reviewer applies to manifests, with Kubernetes' words.

Each rule (:class:`Rule`, ``ML001``...) has a severity, an explanation and a fix; ``lint``
runs them over manifests (:func:`read_paths`, :func:`parse_manifests`) and, with ``--live``,
the cluster's state (:func:`read_cluster`), and returns :class:`Finding` s that the
renderers (:mod:`mlkube.platform.lint.render`) print as text, JSON or SARIF 2.1.0.
"""

from mlkube.platform.lint.context import Cluster, LintContext
from mlkube.platform.lint.findings import SEVERITIES, Finding, Hit, Severity, at_least
from mlkube.platform.lint.live import read_cluster
from mlkube.platform.lint.manifests import Manifest, ManifestError, parse_manifests, read_paths
from mlkube.platform.lint.rules import Rule
from mlkube.platform.lint.run import RULES, UnknownRule, lint, rule

__all__ = [
    "RULES",
    "SEVERITIES",
    "Cluster",
    "Finding",
    "Hit",
    "LintContext",
    "Manifest",
    "ManifestError",
    "Rule",
    "Severity",
    "UnknownRule",
    "at_least",
    "lint",
    "parse_manifests",
    "read_cluster",
    "read_paths",
    "rule",
]
