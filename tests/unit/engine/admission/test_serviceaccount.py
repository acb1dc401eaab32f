"""ServiceAccount admission (plugin/pkg/admission/serviceaccount/admission_test.go)."""

from __future__ import annotations

import random

import pytest

from mlkube.engine.admission.plugins.serviceaccount import (
    TOKEN_MOUNT_PATH,
    ServiceAccount,
    token_volume_source,
)
from mlkube.engine.errors import Forbidden

from .conftest import FakeContext, create, pod


def _plugin() -> ServiceAccount:
    return ServiceAccount(random.Random(7))


def test_a_pod_without_an_account_runs_as_default(ctx: FakeContext) -> None:
    attrs = create("pods", pod())
    _plugin().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["serviceAccountName"] == "default"


def test_a_missing_account_is_refused_with_the_lookup_error(ctx: FakeContext) -> None:
    attrs = create("pods", pod("x", serviceAccountName="trainer"))
    with pytest.raises(Forbidden) as err:
        _plugin().admit(attrs, ctx)
    assert err.value.message == (
        'pods "x" is forbidden: error looking up service account ml/trainer: '
        'serviceaccount "trainer" not found'
    )


def test_every_container_mounts_the_projected_token_volume(ctx: FakeContext) -> None:
    attrs = create(
        "pods",
        pod(
            initContainers=[{"name": "init", "image": "busybox"}],
            containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
        ),
    )
    _plugin().admit(attrs, ctx)
    assert attrs.obj is not None
    spec = attrs.obj["spec"]
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-")
    assert len(volume["name"]) == len("kube-api-access-") + 5
    assert volume["projected"] == token_volume_source()
    for container in [*spec["initContainers"], *spec["containers"]]:
        assert container["volumeMounts"] == [
            {"name": volume["name"], "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
        ]


def test_the_token_volume_projects_token_ca_and_namespace() -> None:
    sources = token_volume_source()["sources"]
    assert sources[0] == {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
    assert sources[1]["configMap"]["name"] == "kube-root-ca.crt"
    assert sources[2]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"] == "metadata.namespace"


@pytest.mark.parametrize(
    ("pod_setting", "account_setting", "mounted"),
    [
        pytest.param(None, None, True, id="automount is on by default"),
        pytest.param(False, None, False, id="the pod turns automount off"),
        pytest.param(None, False, False, id="the account turns automount off"),
        pytest.param(True, False, True, id="the pod's choice wins over the account's"),
    ],
)
def test_automount_follows_pod_then_account(
    ctx: FakeContext, pod_setting: bool | None, account_setting: bool | None, mounted: bool
) -> None:
    account = ctx.objects[("serviceaccounts", "ml", "default")]
    if account_setting is not None:
        account["automountServiceAccountToken"] = account_setting
    extra = {} if pod_setting is None else {"automountServiceAccountToken": pod_setting}
    attrs = create("pods", pod(**extra))
    _plugin().admit(attrs, ctx)
    assert attrs.obj is not None
    assert ("volumes" in attrs.obj["spec"]) is mounted


def test_a_container_already_mounting_the_token_path_is_left_alone(ctx: FakeContext) -> None:
    own = {"name": "mine", "mountPath": TOKEN_MOUNT_PATH}
    attrs = create(
        "pods",
        pod(
            containers=[{"name": "a", "image": "x", "volumeMounts": [own]}],
            volumes=[{"name": "mine", "emptyDir": {}}],
        ),
    )
    _plugin().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["volumes"] == [{"name": "mine", "emptyDir": {}}]
    assert attrs.obj["spec"]["containers"][0]["volumeMounts"] == [own]


def test_image_pull_secrets_are_copied_from_the_account(ctx: FakeContext) -> None:
    ctx.objects[("serviceaccounts", "ml", "default")]["imagePullSecrets"] = [{"name": "regcred"}]
    attrs = create("pods", pod())
    _plugin().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["imagePullSecrets"] == [{"name": "regcred"}]


def test_other_resources_are_untouched(ctx: FakeContext) -> None:
    attrs = create("configmaps", {"metadata": {"name": "c"}})
    _plugin().admit(attrs, ctx)
    assert attrs.obj == {"metadata": {"name": "c", "namespace": "ml"}}
