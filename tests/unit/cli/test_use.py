"""``mlkube use``: switch and show the default cluster and team (``$MLKUBE_HOME/config.yaml``)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from mlkube.cli.main import cli
from tests.unit.sdk.served import CONTEXT, write_kubeconfig


def test_use_alone_shows_the_embedded_local_cluster_by_default(home: Path) -> None:
    result = CliRunner().invoke(cli, ["use"])
    assert (result.exit_code, result.stdout) == (
        0,
        f"default target: the embedded cluster local (context mlkube-local of "
        f"{home / 'kubeconfig'}), no default team\n",
    )


def test_use_context_stores_it_and_every_later_command_targets_it(
    home: Path, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, "http://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["use", CONTEXT, "--kubeconfig", str(kubeconfig), "-n", "nlp"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((home / "config.yaml").read_text()) == {
        "context": CONTEXT,
        "kubeconfig": str(kubeconfig.resolve()),
        "team": "nlp",
    }
    shown = json.loads(CliRunner().invoke(cli, ["use", "-o", "json"]).stdout)
    assert (shown["context"], shown["embedded"], shown["team"]) == (CONTEXT, False, "nlp")
    jobs = CliRunner().invoke(cli, ["jobs"])
    assert jobs.exit_code == 1
    assert jobs.stderr.startswith(
        f"error: cluster {CONTEXT} is unreachable: cannot reach http://127.0.0.1:9"
    )
    assert len(jobs.stderr.splitlines()) == 1, "one line, no banner before the error"
    assert "Traceback" not in jobs.output


def test_use_local_switches_back(home: Path, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, "http://127.0.0.1:9")
    CliRunner().invoke(cli, ["use", CONTEXT, "--kubeconfig", str(kubeconfig)])
    result = CliRunner().invoke(cli, ["use", "local", "-o", "yaml"])
    assert yaml.safe_load(result.stdout)["context"] == "mlkube-local"


def test_use_of_an_unknown_context_is_one_line_and_stores_nothing(
    home: Path, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, "http://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["use", "prod", "--kubeconfig", str(kubeconfig)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: --context: no context 'prod' in {kubeconfig}\n",
    )
    assert not (home / "config.yaml").exists()
