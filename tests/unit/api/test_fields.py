"""Field selectors and per-resource field sets behave as kube-apiserver v1.37's.

Cases come from apimachinery/pkg/fields/selector_test.go (TestSplitTerms, TestEscapeValue,
TestSelectorParse, TestSelectorMatches), the field label conversion funcs of
pkg/apis/core/v1/conversion.go and pkg/apis/batch/v1/conversion.go, and the
ToSelectableFields of pkg/registry/core/{pod,event}/strategy.go, each named at its table.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.api import fields as F
from mlkube.api.fields import FieldRequirement, FieldSelectorError

# --- parsing and printing (TestSelectorParse, TestEscapeValue) -------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param("x=a,y=b,z=c", "x=a,y=b,z=c", id="equalities print back"),
        pytest.param("", "", id="the empty selector prints empty"),
        pytest.param("x!=a,y=b", "x!=a,y=b", id="an inequality prints back"),
        pytest.param("x=a||y\\=b", "x=a||y\\=b", id="an escaped equals stays escaped"),
        pytest.param("x=a\\=\\=b", "x=a\\=\\=b", id="several escaped equals"),
        pytest.param("x=a,a=x", "a=x,x=a", id="terms are sorted (TestDeterministicParse)"),
        pytest.param("a==b", "a=b", id="a double equals reads as equals"),
        pytest.param("k=\\,,k2=v2", "k2=v2,k=\\,", id="an escaped comma is data (TestSplitTerms)"),
        pytest.param("k=\\\\,k2=v2", "k2=v2,k=\\\\", id="an escaped backslash then a comma"),
        pytest.param("함=수,목=록", "목=록,함=수", id="multi-byte terms sort by their bytes"),
        pytest.param("a=a,", "a=a", id="an empty trailing term is skipped"),
        pytest.param("=", "", id="a term with neither field nor value drops out"),
        pytest.param(" a = b ", " a = b ", id="whitespace is kept in field and value"),
        pytest.param(
            "a==c,a=b",
            "a=c,a=b",
            id="raw terms sort before == is read, so == can print out of order",
        ),
    ],
)
def test_parse_prints_the_canonical_string(text: str, canonical: str) -> None:
    assert str(F.parse_field_selector(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "x=a||y=b",
            "invalid field selector: unescaped character in value: 61",
            id="an unescaped equals in a value (Go prints the rune as a number)",
        ),
        pytest.param(
            "x==a==b",
            "invalid field selector: unescaped character in value: 61",
            id="a chained equality",
        ),
        pytest.param(
            "x=a,b",
            "invalid selector: 'x=a,b'; can't understand 'b'",
            id="a term without an operator",
        ),
        pytest.param(
            "x in (a)",
            "invalid selector: 'x in (a)'; can't understand 'x in (a)'",
            id="set-based terms are not supported",
        ),
        pytest.param("x", "invalid selector: 'x'; can't understand 'x'", id="a bare field"),
        pytest.param(
            "k=\\a", "invalid field selector: invalid escape sequence: \\a", id="an unknown escape"
        ),
        pytest.param(
            "k=\\", "invalid field selector: invalid escape sequence: \\", id="an orphan backslash"
        ),
    ],
)
def test_parse_rejects_with_the_upstream_message(text: str, message: str) -> None:
    with pytest.raises(FieldSelectorError) as caught:
        F.parse_field_selector(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        pytest.param("", "", id="nothing to escape"),
        pytest.param("=", "\\=", id="an equals sign"),
        pytest.param(",", "\\,", id="a comma"),
        pytest.param("\\", "\\\\", id="a backslash"),
        pytest.param("\\=\\,\\", "\\\\\\=\\\\\\,\\\\", id="a mix of all three"),
    ],
)
def test_escape_and_unescape_are_inverse(raw: str, escaped: str) -> None:
    assert F.escape_value(raw) == escaped
    assert F.unescape_value(escaped) == raw


# --- matching (TestSelectorMatches) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fields", "matches"),
    [
        pytest.param("", {"x": "y"}, True, id="the empty selector matches anything"),
        pytest.param("x=y", {"x": "y"}, True, id="an equality matches its value"),
        pytest.param("x!=y,z!=w", {"x": "z", "z": "a"}, True, id="inequalities match others"),
        pytest.param("notin=in", {"notin": "in"}, True, id="no word is special"),
        pytest.param("x=y", {"x": "z"}, False, id="an equality rejects other values"),
        pytest.param("x=y,z=w", {"x": "w", "z": "w"}, False, id="terms are ANDed"),
        pytest.param("x=", {}, True, id="a missing field reads as empty"),
        pytest.param("x!=", {}, False, id="a missing field is not different from empty"),
        pytest.param("x=a\\,b", {"x": "a,b"}, True, id="escaped values match their literal"),
    ],
)
def test_selector_matches_like_upstream(text: str, fields: dict[str, str], matches: bool) -> None:
    assert F.parse_field_selector(text).matches(fields) is matches


def test_everything_and_nothing() -> None:
    assert F.everything().empty()
    assert F.everything().matches({"a": "b"})
    assert not F.nothing().matches({})
    assert F.parse_field_selector("a=b,c!=d").requirements() == (
        FieldRequirement("a", "=", "b"),
        FieldRequirement("c", "!=", "d"),
    )


# --- what each resource accepts (conversion funcs) -------------------------------------


@pytest.mark.parametrize(
    ("resource", "text", "message"),
    [
        pytest.param("pods", "spec.nodeName=n1,status.phase=Running", None, id="pod fields"),
        pytest.param(
            "pods", "foo=bar", "field label not supported: foo", id="an unknown pod field"
        ),
        pytest.param("nodes", "spec.unschedulable=false", None, id="a node's unschedulable"),
        pytest.param(
            "nodes",
            "metadata.namespace=x",
            "field label not supported: metadata.namespace",
            id="nodes have no namespace field",
        ),
        pytest.param(
            "events", "involvedObject.name=x,reason=Failed", None, id="event involved object"
        ),
        pytest.param("secrets", "type=Opaque", None, id="a secret's type"),
        pytest.param("namespaces", "status.phase=Active", None, id="a namespace's phase"),
        pytest.param("services", "spec.type=ClusterIP", None, id="a service's type"),
        pytest.param("jobs", "status.successful=1", None, id="a job's successful count"),
        pytest.param(
            "jobs",
            "spec.parallelism=1",
            'field label "spec.parallelism" not supported for Job',
            id="batch/v1 words its error differently",
        ),
        pytest.param("configmaps", "metadata.name=x", None, id="every resource has its name"),
        pytest.param(
            "configmaps",
            "data.x=y",
            '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
            id="a resource without a conversion func uses the default message",
        ),
        pytest.param(
            "replicasets",
            "status.replicas=1",
            '"status.replicas" is not a known field selector: only "metadata.name", '
            '"metadata.namespace"',
            id="apps/v1 registers no field labels, so replicasets accept only metadata",
        ),
        pytest.param(
            "pods",
            "a=1,b=2",
            "field label not supported: a",
            id="the first unsupported term in sorted order is reported",
        ),
    ],
)
def test_check_supported_gives_the_bad_request_message(
    resource: str, text: str, message: str | None
) -> None:
    assert F.check_supported(resource, F.parse_field_selector(text)) == message


def test_pods_accept_spec_host_as_an_alias_of_spec_node_name() -> None:
    sel = F.convert_field_selector("pods", F.parse_field_selector("spec.host=n1"))
    assert str(sel) == "spec.nodeName=n1"


@pytest.mark.parametrize(
    ("resource", "fields"),
    [
        pytest.param(
            "pods",
            {
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.podIPs",
                "status.nominatedNodeName",
            },
            id="pods",
        ),
        pytest.param("nodes", {"metadata.name", "spec.unschedulable"}, id="nodes"),
        pytest.param("secrets", {"metadata.name", "metadata.namespace", "type"}, id="secrets"),
    ],
)
def test_supported_fields_list_what_the_conversion_funcs_accept(
    resource: str, fields: set[str]
) -> None:
    assert fields == F.SUPPORTED_FIELDS[resource]


# --- field sets (ToSelectableFields) ---------------------------------------------------


def test_a_pod_field_set_formats_values_as_strings() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"nodeName": "n1", "restartPolicy": "Never", "hostNetwork": True},
        "status": {"phase": "Running", "podIP": "10.0.0.9", "podIPs": [{"ip": "10.0.0.1"}]},
    }
    assert F.field_set("pods", pod) == {
        "metadata.name": "p",
        "metadata.namespace": "ml",
        "spec.nodeName": "n1",
        "spec.restartPolicy": "Never",
        "spec.schedulerName": "",
        "spec.serviceAccountName": "",
        "spec.hostNetwork": "true",
        "status.phase": "Running",
        "status.podIP": "10.0.0.1",
        "status.nominatedNodeName": "",
    }


@pytest.mark.parametrize(
    ("resource", "obj", "expected"),
    [
        pytest.param(
            "nodes",
            {"metadata": {"name": "n"}, "spec": {}},
            {"metadata.name": "n", "spec.unschedulable": "false"},
            id="a node defaults to schedulable and has no namespace",
        ),
        pytest.param(
            "jobs",
            {"metadata": {"name": "j", "namespace": "ml"}, "status": {"succeeded": 3}},
            {"metadata.name": "j", "metadata.namespace": "ml", "status.successful": "3"},
            id="a job's successful count comes from status.succeeded",
        ),
        pytest.param(
            "configmaps",
            {"metadata": {"name": "c", "namespace": "ml"}},
            {"metadata.name": "c", "metadata.namespace": "ml"},
            id="other resources offer metadata only",
        ),
    ],
)
def test_field_sets_follow_to_selectable_fields(
    resource: str, obj: dict[str, Any], expected: dict[str, str]
) -> None:
    assert F.field_set(resource, obj) == expected


def test_an_event_source_falls_back_to_the_reporting_component() -> None:
    event = {
        "metadata": {"name": "e", "namespace": "ml"},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "reportingComponent": "kubelet",
        "type": "Warning",
    }
    fs = F.field_set("events", event)
    assert (fs["source"], fs["reportingComponent"], fs["involvedObject.name"]) == (
        "kubelet",
        "kubelet",
        "p",
    )
    assert F.parse_field_selector("involvedObject.kind=Pod,type=Warning").matches(fs)


def test_pod_ips_is_accepted_but_never_set_so_it_reads_empty() -> None:
    pod = {"metadata": {"name": "p"}, "status": {"podIPs": [{"ip": "10.0.0.1"}]}}
    fs = F.field_set("pods", pod)
    assert F.parse_field_selector("status.podIPs=").matches(fs)
    assert not F.parse_field_selector("status.podIPs=10.0.0.1").matches(fs)


# --- properties: escaping round-trips ----------------------------------------------------

_field_name = st.from_regex(r"[a-zA-Z][a-zA-Z.]{0,12}", fullmatch=True)
_raw_value = st.text(alphabet=st.sampled_from("ab=,\\ !é"), max_size=8)
_term = st.builds(
    FieldRequirement, _field_name, st.sampled_from([F.EQUALS, F.NOT_EQUALS]), _raw_value
)


@given(st.lists(_term, max_size=5))
def test_parsing_the_string_form_gives_the_same_selector(terms: list[FieldRequirement]) -> None:
    text = ",".join(str(t) for t in terms)
    sel = F.parse_field_selector(text)
    assert F.parse_field_selector(str(sel)) == sel
    assert str(F.parse_field_selector(str(sel))) == str(sel)


@given(_raw_value)
def test_escaped_values_unescape_to_themselves(value: str) -> None:
    assert F.unescape_value(F.escape_value(value)) == value
