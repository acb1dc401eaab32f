"""Target selection: kubectl's flags, ``mlkube use``'s stored default, else the local cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkube.sdk.errors import TargetError
from mlkube.sdk.target import Target, config_path, open_client, resolve, use
from tests.unit.sdk.served import CONTEXT, write_kubeconfig


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    write_kubeconfig(path, "http://127.0.0.1:9")  # port 9 (discard): nothing listens
    return path


def test_without_flags_or_a_stored_default_the_target_is_the_embedded_local_cluster(
    mlkube_home: Path,
) -> None:
    target = resolve()
    assert target == Target("mlkube-local", mlkube_home / "kubeconfig", "local", None)
    assert target.is_local


@pytest.mark.parametrize("context", ["local", "mlkube-local"])
def test_context_local_without_a_kubeconfig_names_the_embedded_cluster(context: str) -> None:
    assert resolve(context=context, team="vision") == Target.local("vision")


def test_explicit_kubeconfig_and_context_are_used_as_kubectl_uses_them(kubeconfig: Path) -> None:
    target = resolve(kubeconfig, CONTEXT, "nlp")
    assert target == Target(CONTEXT, kubeconfig, None, "nlp")
    assert not target.is_local


def test_use_stores_the_context_kubeconfig_and_team_for_every_later_command(
    kubeconfig: Path,
) -> None:
    use(CONTEXT, kubeconfig=kubeconfig, team="vision")
    assert config_path().exists()
    assert resolve() == Target(CONTEXT, kubeconfig.resolve(), None, "vision")
    assert resolve(team="nlp").team == "nlp", "a flag wins over the stored team"


def test_use_local_goes_back_to_the_embedded_cluster_and_keeps_the_team(kubeconfig: Path) -> None:
    use(CONTEXT, kubeconfig=kubeconfig, team="vision")
    assert use("local") == Target.local("vision")
    assert use(None, clear_team=True) == Target.local(None)


def test_use_refuses_a_context_the_kubeconfig_does_not_have(kubeconfig: Path) -> None:
    with pytest.raises(TargetError, match=r"^--context: no context 'prod' in "):
        use("prod", kubeconfig=kubeconfig)
    assert not config_path().exists(), "nothing is stored"


def test_a_missing_kubeconfig_file_is_one_error_naming_the_flag(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"^--kubeconfig: cannot use .*missing"):
        use("x", kubeconfig=tmp_path / "missing")


def test_the_banner_says_which_cluster_and_team(kubeconfig: Path) -> None:
    assert Target.local("vision").banner() == "cluster: mlkube-local (embedded) · team vision"
    remote = Target(CONTEXT, kubeconfig, None, None)
    assert (
        remote.banner(server="https://k8s:6443")
        == f"cluster: {CONTEXT} (https://k8s:6443) · no team"
    )


def test_an_unreachable_cluster_is_one_clear_error(kubeconfig: Path) -> None:
    with pytest.raises(TargetError, match=rf"^cluster {CONTEXT} is unreachable: cannot reach"):
        open_client(Target(CONTEXT, kubeconfig, None, None))


def test_the_local_cluster_is_not_started_when_asked_not_to(mlkube_home: Path) -> None:
    with pytest.raises(TargetError, match="the embedded cluster local is not running"):
        open_client(Target.local(), start=False)
    assert not (mlkube_home / "clusters" / "local" / "server.pid").exists()
