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
        "Describe the ML platform once (pools, teams, datasets) and apply it.",
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
