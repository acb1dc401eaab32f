"""An apply-patch+yaml body is read as go-yaml reads it, and refused in go-yaml's words.

Each message was read off kube-apiserver v1.37.2 for the same bytes
(``error encoding patch: yaml: ...``, ``handlers/patch.go`` ``validateAndTranscodePatch``).
"""

from __future__ import annotations

import pytest

from mlkube.engine.errors import BadRequest
from mlkube.engine.patch.yamlbody import load_apply_yaml

_HEAD = "apiVersion: v1\nkind: ConfigMap\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            _HEAD + "metadata:\n  name: y1\n data:\n  a: b\n",
            "yaml: line 4: did not find expected key",
            id="a key indented too little is a parser error numbered from zero",
        ),
        pytest.param(
            _HEAD + "metadata:\n    name: y1\n  labels: {}\n",
            "yaml: line 4: did not find expected key",
            id="a key indented less than its siblings",
        ),
        pytest.param(
            _HEAD + "metadata:\n\tname: y1\n",
            "yaml: line 4: found character that cannot start any token",
            id="a tab is a scanner error numbered from one",
        ),
        pytest.param(
            "\tapiVersion: v1\n",
            "yaml: found character that cannot start any token",
            id="a problem on the first line names no line",
        ),
        pytest.param(
            _HEAD + 'metadata:\n  name: "y1\ndata:\n  a: b\n',
            "yaml: line 7: found unexpected end of stream",
            id="an unclosed double quote runs to the end",
        ),
        pytest.param(
            _HEAD + "metadata:\n  name: 'y1\n",
            "yaml: line 5: found unexpected end of stream",
            id="an unclosed single quote runs to the end",
        ),
        pytest.param(
            _HEAD + "metadata:\n  name: y1\ndata: {a: b\n",
            "yaml: line 5: did not find expected ',' or '}'",
            id="an unclosed brace",
        ),
        pytest.param(
            _HEAD + "metadata:\n  name: y1\n  finalizers: [a, b\n",
            "yaml: line 5: did not find expected ',' or ']'",
            id="an unclosed bracket",
        ),
        pytest.param(
            _HEAD + "metadata:\n  name: y1: z\n",
            "yaml: line 4: mapping values are not allowed in this context",
            id="a second colon on a line",
        ),
        pytest.param(
            _HEAD + "metadata:\n  name: y1\n- x\n",
            "yaml: line 4: did not find expected key",
            id="a list item inside a mapping",
        ),
        pytest.param(
            _HEAD + "metadata: {name: y1}\ndata:\n  a: @b\n",
            "yaml: line 5: found character that cannot start any token",
            id="a reserved indicator starting a value",
        ),
        pytest.param(
            _HEAD + 'metadata: {name: y1}\ndata:\n  a: "\\q"\n',
            "yaml: line 5: found unknown escape character",
            id="an unknown escape in a double-quoted string",
        ),
        pytest.param(
            _HEAD + "metadata: {name: y1}\ndata:\n  a: *x\n",
            "yaml: unknown anchor 'x' referenced",
            id="an alias to an anchor never defined",
        ),
    ],
)
def test_a_malformed_body_is_a_400_in_go_yamls_words(body: str, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        load_apply_yaml(body.encode())
    assert refused.value.message == f"error encoding patch: {message}"


def test_a_repeated_key_keeps_its_last_value() -> None:
    assert load_apply_yaml(b"data:\n  a: b\n  a: c\n") == {"data": {"a": "c"}}


def test_only_the_first_document_counts() -> None:
    assert load_apply_yaml(b"kind: ConfigMap\n---\nkind: Secret\n") == {"kind": "ConfigMap"}


def test_an_empty_body_is_null() -> None:
    assert load_apply_yaml(b"") is None


def test_keys_become_strings_and_timestamps_stay_text() -> None:
    body = b"data:\n  a: 2020-01-01\n  d: =\n  true: x\n  1: z\n"
    assert load_apply_yaml(body) == {"data": {"a": "2020-01-01", "d": "=", "true": "x", "1": "z"}}


def test_y_and_n_are_booleans_as_in_yaml_1_1() -> None:
    assert load_apply_yaml(b"a: [y, N, yes, off]\n") == {"a": [True, False, True, False]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b'a: "\x01"\n', "control characters are not allowed", id="a control character"
        ),
        pytest.param(b'a: "\xff"\n', "invalid leading UTF-8 octet", id="a byte that is not UTF-8"),
    ],
)
def test_bytes_go_yaml_cannot_read_are_a_400_without_a_line(body: bytes, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        load_apply_yaml(body)
    assert refused.value.message == f"error encoding patch: yaml: {message}"
