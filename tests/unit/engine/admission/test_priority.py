"""Priority admission (plugin/pkg/admission/priority/admission_test.go)."""

from __future__ import annotations

import pytest

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import Attributes, Operation
from mlkube.engine.admission.plugins.priority import Priority
from mlkube.engine.errors import Forbidden

from .conftest import FakeContext, create, pod


def _class(name: str, value: int, *, default: bool = False, policy: str | None = None) -> dict:
    pc: dict = {"metadata": {"name": name}, "value": value, "globalDefault": default}
    pc["preemptionPolicy"] = policy or "PreemptLowerPriority"
    return pc


def test_a_pod_gets_its_class_value_and_policy(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000, policy="Never"))
    attrs = create("pods", pod(priorityClassName="research"))
    Priority().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["priority"] == 1000
    assert attrs.obj["spec"]["preemptionPolicy"] == "Never"


def test_a_pod_without_a_class_gets_the_global_default_and_its_name(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000, default=True))
    attrs = create("pods", pod())
    Priority().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["priorityClassName"] == "research"
    assert attrs.obj["spec"]["priority"] == 1000


def test_without_a_default_class_priority_is_zero_and_preempts_lower(ctx: FakeContext) -> None:
    attrs = create("pods", pod())
    Priority().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["priority"] == 0
    assert attrs.obj["spec"]["preemptionPolicy"] == "PreemptLowerPriority"
    assert "priorityClassName" not in attrs.obj["spec"]


def test_with_two_defaults_the_lower_value_wins(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("high", 5000, default=True))
    ctx.add("priorityclasses", _class("low", 10, default=True))
    attrs = create("pods", pod())
    Priority().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["priorityClassName"] == "low"


def test_a_missing_class_is_forbidden(ctx: FakeContext) -> None:
    with pytest.raises(Forbidden) as err:
        Priority().admit(create("pods", pod("x", priorityClassName="gold")), ctx)
    assert err.value.message == 'pods "x" is forbidden: no PriorityClass with name gold was found'


def test_a_pod_stating_another_priority_is_forbidden(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000))
    with pytest.raises(Forbidden) as err:
        Priority().admit(create("pods", pod("x", priorityClassName="research", priority=7)), ctx)
    assert err.value.message == (
        'pods "x" is forbidden: the integer value of priority (7) must not be provided in pod '
        "spec; priority admission controller computed 1000 from the given PriorityClass name"
    )


def test_a_pod_stating_the_same_priority_is_admitted(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000))
    attrs = create("pods", pod("x", priorityClassName="research", priority=1000))
    Priority().admit(attrs, ctx)


def test_a_pod_stating_another_preemption_policy_is_forbidden(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000))
    attrs = create("pods", pod("x", priorityClassName="research", preemptionPolicy="Never"))
    with pytest.raises(Forbidden) as err:
        Priority().admit(attrs, ctx)
    assert "the string value of PreemptionPolicy (Never) must not be provided" in err.value.message
    assert "computed PreemptLowerPriority from the given PriorityClass name" in err.value.message


def test_an_update_keeps_the_priority_set_at_creation(ctx: FakeContext) -> None:
    old = pod("x", priority=1000)
    new = pod("x")
    attrs = Attributes(Operation.UPDATE, lookup("pods"), "ml", "x", new, old)
    Priority().admit(attrs, ctx)
    assert new["spec"]["priority"] == 1000


def test_a_second_global_default_class_is_forbidden(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000, default=True))
    attrs = create("priorityclasses", _class("prod", 100000, default=True))
    with pytest.raises(Forbidden) as err:
        Priority().validate(attrs, ctx)
    assert err.value.message == (
        'priorityclasses.scheduling.k8s.io "prod" is forbidden: PriorityClass research is '
        "already marked as default. Only one default can exist"
    )


def test_updating_the_current_default_class_is_allowed(ctx: FakeContext) -> None:
    ctx.add("priorityclasses", _class("research", 1000, default=True))
    attrs = create("priorityclasses", _class("research", 1000, default=True))
    attrs.operation = Operation.UPDATE
    Priority().validate(attrs, ctx)
