"""The ``mlkube`` entry point: the root command group and its registry.

Every subcommand is registered here by import path so that ``mlkube --help``
imports nothing but click. Add a command by adding one :class:`LazyCommand`.
"""

from __future__ import annotations

import click

from mlkube._version import __version__
from mlkube.cli.lazy import LazyCommand, LazyGroup

__all__ = ["COMMANDS", "cli", "main"]

#: name -> where the command lives and its one line of help.
COMMANDS: dict[str, LazyCommand] = {
    "cluster": LazyCommand(
        "mlkube.cli.cluster:cluster",
        "Run an embedded cluster behind a Kubernetes API on loopback.",
    ),
    "lint": LazyCommand("mlkube.cli.lint:lint", "Lint ML workloads: rules with ids, fixes, SARIF."),
    "platform": LazyCommand(
        "mlkube.cli.platform:platform",
        "Describe the ML platform (pools, teams, datasets) and apply it.",
    ),
    "use": LazyCommand("mlkube.cli.use:use", "Switch the default cluster and team; show them."),
    "train": LazyCommand("mlkube.cli.workloads:train", "Run a training job (-- COMMAND...)."),
    "sweep": LazyCommand("mlkube.cli.workloads:sweep", "Run a hyperparameter sweep."),
    "preprocess": LazyCommand(
        "mlkube.cli.workloads:preprocess", "Run a preprocessing job writing a dataset."
    ),
    "serve": LazyCommand("mlkube.cli.workloads:serve", "Run an inference service."),
    "submit": LazyCommand("mlkube.cli.workloads:submit", "Submit workloads written as YAML."),
    "jobs": LazyCommand("mlkube.cli.jobs:jobs", "List the workloads of a team."),
    "status": LazyCommand("mlkube.cli.jobs:status", "Show a workload: conditions, pods, events."),
    "logs": LazyCommand("mlkube.cli.jobs:logs", "Print a workload's logs."),
    "wait": LazyCommand("mlkube.cli.jobs:wait", "Wait for a workload to complete or be ready."),
    "cancel": LazyCommand("mlkube.cli.jobs:cancel", "Delete a workload and all its objects."),
    "results": LazyCommand("mlkube.cli.jobs:results", "Rank a sweep's trials by a metric."),
    "check": LazyCommand(
        "mlkube.cli.check:check", "Will it run, where, when, and if not, why (before submitting)."
    ),
    "explain": LazyCommand(
        "mlkube.cli.check:explain", "Why a job or pod is not running, with fixes."
    ),
    "quota": LazyCommand("mlkube.cli.usage:quota", "Each team's quota: used / hard, with bars."),
    "top": LazyCommand(
        "mlkube.cli.usage:top", "Allocated vs allocatable per pool or node; GPU fragmentation."
    ),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="mlkube", message="%(prog)s %(version)s")
def cli() -> None:
    """mlkube: machine learning on plain Kubernetes.

    Describe an ML platform once (pools, teams, quotas, datasets), run training
    jobs, sweeps and inference services without YAML, and ask whether a job will
    run, where, when, and if not, why. Works against real clusters through
    kubeconfig and against an embedded cluster that behaves like Kubernetes.
    """


def main() -> None:
    """Run the CLI (the ``mlkube`` console script and ``python -m mlkube``)."""
    cli(prog_name="mlkube")
