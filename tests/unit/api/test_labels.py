"""Label selectors parse, match and print as k8s.io/apimachinery/pkg/labels does.

Cases come from labels/selector_test.go (TestSelectorParse, TestSelectorMatches,
TestSetSelectorParser, TestToString, TestRequirementConstructor,
TestRequirementSelectorMatching, TestParseOperator) and from LabelSelectorAsSelector in
apis/meta/v1/helpers.go, each named at its table. Error texts are selector.go's.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.api import labels as L
from mlkube.api.labels import Requirement, SelectorError

VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

# --- round trips (TestSelectorParse good strings) --------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param("x=a,y=b,z=c", "x=a,y=b,z=c", id="equalities print back unchanged"),
        pytest.param("", "", id="the empty selector prints empty"),
        pytest.param("x!=a,y=b", "x!=a,y=b", id="an inequality prints back"),
        pytest.param("x=", "x=", id="an empty value is allowed"),
        pytest.param("x= ", "x=", id="whitespace around an empty value disappears"),
        pytest.param("x= ,z= ", "x=,z=", id="several empty values"),
        pytest.param("!x", "!x", id="does-not-exist prints with a bang"),
        pytest.param("x>1,z<5", "x>1,z<5", id="greater and less than print as symbols"),
        pytest.param("a=x,x=a", "a=x,x=a", id="requirements are sorted by key"),
        pytest.param("x=a,a=x", "a=x,x=a", id="parsing is deterministic whatever the order"),
        pytest.param("x==a", "x==a", id="a double equals is kept"),
        pytest.param(
            "x notin (abc,,def),bar,z in (),w",
            "bar,w,x notin (,abc,def),z in ()",
            id="set values are sorted and empty values print empty",
        ),
        pytest.param(
            "a in (x,y,notin, z,in)",
            "a in (in,notin,x,y,z)",
            id="in and notin are values inside parentheses",
        ),
        pytest.param("x in (a,,a,,a,,a,,)", "x in (,a)", id="repeated values are deduplicated"),
        pytest.param("\rx", "x", id="a carriage return is whitespace"),
        pytest.param(
            "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
            "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
            id="a prefixed key with dotted values",
        ),
        pytest.param("x  notin\t\t(abc,def)", "x notin (abc,def)", id="tabs separate tokens"),
        pytest.param("notin=in", "notin=in", id="in and notin are keys and values in equality"),
    ],
)
def test_parse_prints_the_canonical_string(text: str, canonical: str) -> None:
    assert str(L.parse_selector(text)) == canonical


# --- errors (TestSelectorParse bad strings, TestSetSelectorParser invalid ones) ---------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "x=a||y=b",
            f'unable to parse requirement: values[0][x]: Invalid value: "a||y": {VALUE_MSG}',
            id="an or is not an operator",
        ),
        pytest.param(
            "x==a==b", "found '==', expected: ',' or 'end of string'", id="a chained equality"
        ),
        pytest.param(
            "!x=a", "found '=', expected: ',' or 'end of string'", id="a negated equality"
        ),
        pytest.param(
            "x<a",
            'unable to parse requirement: values[0]: Invalid value: "a": '
            "for 'Gt', 'Lt' operators, the value must be an integer",
            id="less than a non-integer",
        ),
        pytest.param("x,,y", "found ',', expected: identifier after ','", id="an empty term"),
        pytest.param(
            ",x,y", "found ',', expected: !, identifier, or 'end of string'", id="a leading comma"
        ),
        pytest.param(
            "x nott in (y)",
            "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt",
            id="a misspelled operator lists the binary operators",
        ),
        pytest.param(
            "a in (xyz),", "found '', expected: identifier after ','", id="a trailing comma"
        ),
        pytest.param(
            "a in (xyz)b notin ()",
            "found 'b', expected: ',' or 'end of string'",
            id="a missing comma between terms",
        ),
        pytest.param(
            "a in (xyz abc)",
            "unable to parse requirement: found 'abc', expected: ',' or ')'",
            id="a missing comma between values",
        ),
        pytest.param(
            "a notin(",
            "unable to parse requirement: found '', expected: ',', ')' or identifier",
            id="an unclosed value list",
        ),
        pytest.param(
            "a (",
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
            id="a parenthesis after a key",
        ),
        pytest.param(
            "(", "found '(', expected: !, identifier, or 'end of string'", id="a lone parenthesis"
        ),
        pytest.param(
            "x/y/z",
            'unable to parse requirement: <nil>: Invalid value: "x/y/z": a valid label key '
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
            "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
            "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            id="a bad key is reported at the nil path, as kubectl shows it",
        ),
        pytest.param(
            "x>-1",
            f'unable to parse requirement: values[0][x]: Invalid value: "-1": {VALUE_MSG}',
            id="a negative bound is an integer but not a valid label value",
        ),
        pytest.param(
            "a=" + "b" * 64,
            f'unable to parse requirement: values[0][a]: Invalid value: "{"b" * 64}": '
            "must be no more than 63 bytes",
            id="a value that is too long",
        ),
    ],
)
def test_parse_rejects_with_the_upstream_message(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        L.parse_selector(text)
    assert str(caught.value) == message


# --- matching (TestSelectorMatches, TestRequirementSelectorMatching) -------------------


@pytest.mark.parametrize(
    ("text", "labels", "matches"),
    [
        pytest.param("", {"x": "y"}, True, id="the empty selector matches anything"),
        pytest.param("x=y", {"x": "y"}, True, id="an equality matches its value"),
        pytest.param("x=y,z=w", {"x": "y", "z": "w"}, True, id="terms are ANDed"),
        pytest.param("x!=y,z!=w", {"x": "z", "z": "a"}, True, id="inequalities match others"),
        pytest.param("x", {"x": "z"}, True, id="exists matches any value"),
        pytest.param("!x", {"y": "z"}, True, id="does-not-exist matches an absent key"),
        pytest.param("x>1", {"x": "2"}, True, id="greater than compares integers"),
        pytest.param("x<1", {"x": "0"}, True, id="less than compares integers"),
        pytest.param("x=z", {}, False, id="an equality needs the key"),
        pytest.param("x=y", {"x": "z"}, False, id="an equality rejects other values"),
        pytest.param("x!=y,z!=w", {"x": "z", "z": "w"}, False, id="one failing term is enough"),
        pytest.param("x", {"y": "z"}, False, id="exists rejects an absent key"),
        pytest.param("!x", {"x": "z"}, False, id="does-not-exist rejects a present key"),
        pytest.param("x>1", {"x": "0"}, False, id="greater than rejects smaller"),
        pytest.param("z>1", {"z": "v2"}, False, id="greater than rejects a non-integer label"),
        pytest.param("x notin ()", {"y": ""}, True, id="notin matches an absent key"),
        pytest.param("x in ()", {"y": "baz"}, False, id="in rejects an absent key"),
        pytest.param(
            "foo=bar,foobar=bar,baz=blah",
            {"foo": "bar", "baz": "blah"},
            False,
            id="a term on a missing label fails the selector",
        ),
    ],
)
def test_selector_matches_like_upstream(text: str, labels: dict[str, str], matches: bool) -> None:
    assert L.parse_selector(text).matches(labels) is matches


def test_everything_and_nothing() -> None:
    assert L.everything().matches({"x": "y"})
    assert L.everything().empty()
    assert not L.nothing().matches({})
    assert not L.nothing().empty()
    assert str(L.nothing()) == ""
    assert L.nothing() != L.everything()


# --- NewRequirement (TestRequirementConstructor) ----------------------------------------


@pytest.mark.parametrize(
    ("key", "op", "values", "message"),
    [
        pytest.param(
            "x1",
            L.IN,
            [],
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
            id="in needs values",
        ),
        pytest.param(
            "x5",
            L.EQUALS,
            ["bar", "foo"],
            'values: Invalid value: ["bar","foo"]: exact-match compatibility requires one '
            "single value",
            id="equals needs one value",
        ),
        pytest.param(
            "x8",
            L.EXISTS,
            ["foo"],
            'values: Invalid value: ["foo"]: values set must be empty for exists and does not '
            "exist",
            id="exists takes no values",
        ),
        pytest.param(
            "x14",
            L.GREATER_THAN,
            ["bar"],
            "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an "
            "integer",
            id="gt needs an integer",
        ),
        pytest.param(
            "x18",
            "unsupportedOp",
            [],
            'operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", '
            '"=", "==", "!=", "gt", "lt", "exists", "!"',
            id="an unknown operator lists the supported ones",
        ),
        pytest.param(
            "x17",
            L.EQUALS,
            ["a b"],
            f'values[0][x17]: Invalid value: "a b": {VALUE_MSG}',
            id="a bad value is reported under its key",
        ),
    ],
)
def test_new_requirement_rejects_like_upstream(
    key: str, op: str, values: list[str], message: str
) -> None:
    with pytest.raises(SelectorError) as caught:
        L.new_requirement(key, op, values)
    assert str(caught.value) == message


def test_requirement_strings_sort_values_without_changing_them() -> None:
    # TestToString
    req = L.new_requirement("x", L.IN, ["def", "abc"])
    assert str(req) == "x in (abc,def)"
    assert req.values == ("def", "abc")


# --- LabelSelectorAsSelector (apis/meta/v1/helpers.go) ---------------------------------


@pytest.mark.parametrize(
    ("selector", "canonical", "selects_all"),
    [
        pytest.param({}, "", True, id="an empty selector selects everything"),
        pytest.param(
            {"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2", False, id="matchLabels are equalities"
        ),
        pytest.param(
            {
                "matchLabels": {"app": "x"},
                "matchExpressions": [
                    {"key": "tier", "operator": "In", "values": ["web", "api"]},
                    {"key": "env", "operator": "NotIn", "values": ["dev"]},
                    {"key": "gpu", "operator": "Exists"},
                    {"key": "spot", "operator": "DoesNotExist"},
                ],
            },
            "app=x,env notin (dev),gpu,!spot,tier in (api,web)",
            False,
            id="expressions map to set and existence operators",
        ),
    ],
)
def test_label_selector_as_selector(
    selector: dict[str, Any], canonical: str, selects_all: bool
) -> None:
    sel = L.selector_from_label_selector(selector)
    assert str(sel) == canonical
    assert sel.empty() is selects_all


def test_a_nil_label_selector_selects_nothing() -> None:
    assert L.selector_from_label_selector(None) == L.nothing()


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "foo"}]},
            '"foo" is not a valid label selector operator',
            id="an unknown operator",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "In"}]},
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
            id="In without values reports a nil list",
        ),
    ],
)
def test_label_selector_as_selector_errors(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        L.selector_from_label_selector(selector)
    assert str(caught.value) == message


def test_requires_exact_match_reports_single_values() -> None:
    sel = L.parse_selector("a=1,b in (x,y),c in (z)")
    assert sel.requires_exact_match("a") == "1"
    assert sel.requires_exact_match("b") is None
    assert sel.requires_exact_match("c") == "z"
    assert sel.requires_exact_match("d") is None


# --- properties: str is canonical --------------------------------------------------------

_name = st.from_regex(r"[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?", fullmatch=True)
_key = st.one_of(
    _name,
    st.builds(
        lambda p, n: f"{p}/{n}",
        st.from_regex(r"[a-z]{1,5}(\.[a-z]{1,5}){0,2}", fullmatch=True),
        _name,
    ),
)
_value = st.one_of(st.just(""), _name)
_requirement = st.one_of(
    st.builds(
        lambda k, op, val: Requirement(k, op, (val,)),
        _key,
        st.sampled_from(["=", "==", "!="]),
        _value,
    ),
    st.builds(
        lambda k, op, vals: Requirement(k, op, tuple(sorted(vals))),
        _key,
        st.sampled_from(["in", "notin"]),
        st.sets(_value, min_size=1, max_size=4),
    ),
    st.builds(lambda k, op: Requirement(k, op), _key, st.sampled_from(["exists", "!"])),
    st.builds(
        lambda k, op, n: Requirement(k, op, (str(n),)),
        _key,
        st.sampled_from(["gt", "lt"]),
        st.integers(0, 2**63 - 1),  # "-1" is not a valid label value
    ),
)


@given(st.lists(_requirement, max_size=6))
def test_parsing_the_string_form_gives_the_same_selector(reqs: list[Requirement]) -> None:
    sel = L.Selector(reqs)
    text = str(sel)
    assert L.parse_selector(text) == sel
    assert str(L.parse_selector(text)) == text
