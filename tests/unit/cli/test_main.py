"""`mlkube --help` and `--version`: fast, and importing nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

import mlkube
from mlkube.cli.main import COMMANDS, cli

HEAVY = ("mlkube.engine", "mlkube.server", "mlkube.client", "lightkube", "aiohttp", "numpy", "rich")


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"mlkube {mlkube.__version__}\n"


def test_help_lists_every_registered_command_group() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "machine learning on plain Kubernetes" in result.output
    for name, entry in COMMANDS.items():
        assert name in result.output
        assert entry.short_help in result.output


def test_python_dash_m_mlkube_runs_the_same_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mlkube", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout == f"mlkube {mlkube.__version__}\n"


def test_a_cold_help_imports_neither_engine_server_client_nor_lightkube() -> None:
    probe = (
        "import sys, json\n"
        "from mlkube.cli.main import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='mlkube')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stderr)
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


def test_every_registered_command_imports_to_a_click_command() -> None:
    group = cli
    ctx = group.make_context("mlkube", ["--help"], resilient_parsing=True)
    for name in COMMANDS:
        assert group.get_command(ctx, name) is not None
