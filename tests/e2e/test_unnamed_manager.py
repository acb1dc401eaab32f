"""Who owns a created object's fields, on both clusters: with no ``fieldManager`` and an
empty ``User-Agent`` the managedFields entry is ``unknown`` (``buildmanagerinfo.go``); with a
User-Agent it is the agent's name up to the first ``/`` (``prefixFromUserAgent``); and an
object with no field but its identity has no managedFields at all (``omitempty``).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e

TARGETS = ["real", "embedded"]


def _create(target: Target, user_agent: str, **fields: Any) -> dict[str, Any]:
    name = f"who-{uuid.uuid4().hex[:6]}"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **fields}
    with httpx.Client(verify=target.tls) as http:
        response = http.post(
            f"{target.server}/api/v1/namespaces/default/configmaps",
            json=body,
            headers={**target.headers, "User-Agent": user_agent},
        )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("which", TARGETS)
@pytest.mark.parametrize(
    ("user_agent", "manager"),
    [
        pytest.param("", "unknown", id="no User-Agent: unknown"),
        pytest.param("trainer/2.1 (linux)", "trainer", id="a User-Agent: its name"),
    ],
)
def test_the_manager_of_a_write_without_field_manager(
    targets: list[Target], which: str, user_agent: str, manager: str
) -> None:
    (target,) = [t for t in targets if t.name == which]
    created = _create(target, user_agent, data={"k": "v"})
    assert [e.get("manager") for e in created["metadata"]["managedFields"]] == [manager]


@pytest.mark.parametrize("which", TARGETS)
def test_an_object_nobody_owns_a_field_of_has_no_managed_fields(
    targets: list[Target], which: str
) -> None:
    (target,) = [t for t in targets if t.name == which]
    created = _create(target, "trainer/2.1")
    assert "managedFields" not in created["metadata"], "omitempty: not even an empty list"
