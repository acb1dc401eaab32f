"""Field paths and field errors render exactly as k8s.io/apimachinery/pkg/util/validation/field.

Cases come from field/path_test.go (TestPath), field/errors_test.go (TestErrorFormatting,
TestToAggregate), util/errors/errors_test.go (aggregate Error()) and the Invalid Status
example of apimachinery/pkg/api/errors (NewInvalid), each named at its table.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.api import field
from mlkube.api.field import ErrorType, FieldError, Path

# --- Path (path_test.go TestPath / TestPathMultiArg) ----------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(Path("root"), "root", id="a root path is its name"),
        pytest.param(Path("root").child("first"), "root.first", id="a child is dot-joined"),
        pytest.param(
            Path("root").child("first", "second").index(0),
            "root.first.second[0]",
            id="an index is bracketed",
        ),
        pytest.param(
            Path("root").child("first").index(0).child("third").index(93),
            "root.first[0].third[93]",
            id="children follow an index with a dot",
        ),
        pytest.param(
            Path("root").child("first").index(0).key("key"),
            "root.first[0][key]",
            id="a key is bracketed without quotes",
        ),
        pytest.param(
            Path("spec").child("containers").index(0).child("resources", "limits").key("cpu"),
            "spec.containers[0].resources.limits[cpu]",
            id="a container limit path reads as kube-apiserver prints it",
        ),
        pytest.param(Path("root", "a", "b"), "root.a.b", id="extra root names are children"),
    ],
)
def test_path_renders_like_field_path_string(path: Path, expected: str) -> None:
    assert str(path) == expected


def test_paths_are_immutable_values() -> None:
    base = Path("spec")
    base.child("a")
    assert str(base) == "spec"
    assert Path("spec").child("a") == base.child("a")
    assert str(base.child("a").index(1).root()) == "spec"


# --- Error() formatting (errors_test.go TestErrorFormatting) ---------------------------

P = Path("path.to.field")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            FieldError(ErrorType.REQUIRED, "path.to.field", "the value", "the details"),
            "path.to.field: Required value: the details",
            id="a required error never shows the value",
        ),
        pytest.param(
            field.required(P, "the details"),
            "path.to.field: Required value: the details",
            id="required() keeps the detail",
        ),
        pytest.param(field.required(P), "path.to.field: Required value", id="bare required"),
        pytest.param(
            field.forbidden(P, "the details"),
            "path.to.field: Forbidden: the details",
            id="forbidden shows only the detail",
        ),
        pytest.param(
            field.too_long(P, "the value", 1),
            "path.to.field: Too long: may not be more than 1 byte",
            id="too long with a limit of one says byte",
        ),
        pytest.param(
            field.too_long(P, "the value", 2),
            "path.to.field: Too long: may not be more than 2 bytes",
            id="too long with a larger limit says bytes",
        ),
        pytest.param(
            field.too_long(P, "the value", -1),
            "path.to.field: Too long: value is too long",
            id="too long without a limit",
        ),
        pytest.param(
            FieldError(ErrorType.TOO_MANY, "path.to.field", "the value", "the details"),
            'path.to.field: Too many: "the value": the details',
            id="too many shows its value",
        ),
        pytest.param(
            field.too_many(P, 2, 1),
            "path.to.field: Too many: 2: must have at most 1 item",
            id="too many with one allowed",
        ),
        pytest.param(
            field.too_many(P, 3, 2),
            "path.to.field: Too many: 3: must have at most 2 items",
            id="too many with several allowed",
        ),
        pytest.param(
            field.too_many(P, 2, -1),
            "path.to.field: Too many: 2: has too many items",
            id="too many without a limit",
        ),
        pytest.param(
            field.too_many(P, -1, 1),
            "path.to.field: Too many: must have at most 1 item",
            id="too many with an unknown count omits the count",
        ),
        pytest.param(
            field.internal(P, RuntimeError("the error")),
            "path.to.field: Internal error: the error",
            id="an internal error shows the error text",
        ),
        pytest.param(
            field.invalid(P, "the value", "the details"),
            'path.to.field: Invalid value: "the value": the details',
            id="an invalid string is Go-quoted",
        ),
        pytest.param(
            field.invalid(P, -42, "the details"),
            "path.to.field: Invalid value: -42: the details",
            id="an invalid int is bare",
        ),
        pytest.param(
            field.invalid(P, True, "the details"),
            "path.to.field: Invalid value: true: the details",
            id="an invalid bool is bare and lowercase",
        ),
        pytest.param(
            field.invalid(P, ["one", "two", "three"], "the details"),
            'path.to.field: Invalid value: ["one","two","three"]: the details',
            id="an invalid list is JSON",
        ),
        pytest.param(
            field.invalid(P, {"one": 1, "two": 2, "three": 3}, "the details"),
            'path.to.field: Invalid value: {"one":1,"three":3,"two":2}: the details',
            id="an invalid map is JSON with sorted keys",
        ),
        pytest.param(
            field.invalid(
                P,
                field.Struct(stringField="stringval", intField=9376, boolField=True),
                "the details",
            ),
            'path.to.field: Invalid value: {"stringField":"stringval","intField":9376,'
            '"boolField":true}: the details',
            id="an invalid struct is JSON in field order",
        ),
        pytest.param(
            field.invalid(P, None, "the details"),
            "path.to.field: Invalid value: null: the details",
            id="an invalid nil is null",
        ),
        pytest.param(
            field.invalid(P, field.OMIT_VALUE, "the details"),
            "path.to.field: Invalid value: the details",
            id="an omitted value is left out",
        ),
        pytest.param(
            FieldError(ErrorType.NOT_FOUND, "path.to.field", "the value", "the details"),
            'path.to.field: Not found: "the value": the details',
            id="not found shows its value",
        ),
        pytest.param(
            field.not_supported(P, "the value", ["val1", "val2"]),
            'path.to.field: Unsupported value: "the value": supported values: "val1", "val2"',
            id="not supported lists the quoted supported values",
        ),
        pytest.param(
            field.not_supported(P, "the value", []),
            'path.to.field: Unsupported value: "the value"',
            id="not supported without values has no detail",
        ),
        pytest.param(
            field.duplicate(P, "the value"),
            'path.to.field: Duplicate value: "the value"',
            id="duplicate shows the value",
        ),
        pytest.param(
            field.type_invalid(P, "the value", "the details"),
            'path.to.field: Invalid value: "the value": the details',
            id="type invalid reads as invalid value",
        ),
        pytest.param(
            field.too_short(P, "ab", 3),
            "path.to.field: Too short: must be at least 3 characters",
            id="too short never shows the value",
        ),
        pytest.param(
            field.too_few(P, 1, 2),
            "path.to.field: Too few: 1: must have at least 2 items",
            id="too few shows the count",
        ),
        pytest.param(
            field.invalid(P, 'say "hi"\n', "d"),
            'path.to.field: Invalid value: "say \\"hi\\"\\n": d',
            id="quotes and newlines are escaped as strconv.Quote does",
        ),
        pytest.param(
            field.invalid(P, 0.5, "d"),
            "path.to.field: Invalid value: 0.5: d",
            id="a float prints with Go's shortest form",
        ),
        pytest.param(
            field.invalid(P, 1e6, "d"),
            "path.to.field: Invalid value: 1e+06: d",
            id="a large float uses Go's %v exponent form",
        ),
        pytest.param(
            field.invalid(P, {"a": 1e6, "b": "<x>"}, "d"),
            'path.to.field: Invalid value: {"a":1000000,"b":"\\u003cx\\u003e"}: d',
            id="JSON values use encoding/json float and HTML-safe string forms",
        ),
        pytest.param(
            field.invalid(None, "v", "d"),
            '<nil>: Invalid value: "v": d',
            id="a nil path prints as <nil>",
        ),
    ],
)
def test_error_formats_like_field_error(error: FieldError, expected: str) -> None:
    assert error.error() == expected
    assert str(error) == expected


@pytest.mark.parametrize(
    ("error_type", "reason", "text"),
    [
        pytest.param(ErrorType.NOT_FOUND, "FieldValueNotFound", "Not found", id="not found"),
        pytest.param(ErrorType.REQUIRED, "FieldValueRequired", "Required value", id="required"),
        pytest.param(ErrorType.DUPLICATE, "FieldValueDuplicate", "Duplicate value", id="duplicate"),
        pytest.param(ErrorType.INVALID, "FieldValueInvalid", "Invalid value", id="invalid"),
        pytest.param(
            ErrorType.NOT_SUPPORTED,
            "FieldValueNotSupported",
            "Unsupported value",
            id="not supported",
        ),
        pytest.param(ErrorType.FORBIDDEN, "FieldValueForbidden", "Forbidden", id="forbidden"),
        pytest.param(ErrorType.TOO_LONG, "FieldValueTooLong", "Too long", id="too long"),
        pytest.param(ErrorType.TOO_MANY, "FieldValueTooMany", "Too many", id="too many"),
        pytest.param(ErrorType.TOO_FEW, "FieldValueTooFew", "Too few", id="too few"),
        pytest.param(ErrorType.INTERNAL, "InternalError", "Internal error", id="internal"),
        pytest.param(
            ErrorType.TYPE_INVALID, "FieldValueTypeInvalid", "Invalid value", id="type invalid"
        ),
        pytest.param(ErrorType.TOO_SHORT, "FieldValueTooShort", "Too short", id="too short"),
    ],
)
def test_error_types_carry_the_cause_reason_and_text(
    error_type: ErrorType, reason: str, text: str
) -> None:
    assert error_type.value == reason
    assert str(error_type) == text


# --- aggregation (errors_test.go TestToAggregate; util/errors aggregate.Error) ---------


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        pytest.param([], "", id="no errors aggregate to nothing"),
        pytest.param(
            [field.invalid(Path("f"), "v", "d")],
            'f: Invalid value: "v": d',
            id="one error has no brackets",
        ),
        pytest.param(
            [field.invalid(Path("f"), "v", "d"), field.invalid(Path("f"), "v", "d")],
            'f: Invalid value: "v": d',
            id="a repeated error collapses to one without brackets",
        ),
        pytest.param(
            [field.invalid(Path("f"), "v", "d"), field.internal(Path(""), RuntimeError("e"))],
            '[f: Invalid value: "v": d, []: Internal error: e]',
            id="several errors are bracketed and comma-joined (an empty root name prints [])",
        ),
        pytest.param(
            [
                field.required(Path("a")),
                field.required(Path("b")),
                field.required(Path("a")),
            ],
            "[a: Required value, b: Required value]",
            id="duplicates are dropped keeping first-seen order",
        ),
    ],
)
def test_aggregate_message_matches_to_aggregate_error(
    errors: list[FieldError], expected: str
) -> None:
    assert field.aggregate_message(errors) == expected


def test_invalid_message_and_causes_match_new_invalid() -> None:
    # api-machinery.md §4.3: the Invalid example.
    errors = [
        field.required(Path("spec").child("containers").index(0).child("image")),
        field.not_supported(
            Path("spec", "restartPolicy"), "Sometimes", ["Always", "OnFailure", "Never"]
        ),
    ]
    assert field.invalid_message("Pod", "x", errors) == (
        'Pod "x" is invalid: [spec.containers[0].image: Required value, '
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "OnFailure", "Never"]'
    )
    assert [e.cause() for e in errors] == [
        {
            "reason": "FieldValueRequired",
            "message": "Required value",
            "field": "spec.containers[0].image",
        },
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Sometimes": supported values: '
            '"Always", "OnFailure", "Never"',
            "field": "spec.restartPolicy",
        },
    ]


def test_a_missing_name_reads_as_kube_apiserver_prints_it() -> None:
    error = field.required(Path("metadata", "name"), "name or generateName is required")
    assert field.invalid_message("Pod", "", [error]) == (
        'Pod "" is invalid: metadata.name: Required value: name or generateName is required'
    )


def test_a_cause_omits_an_empty_field() -> None:
    error = FieldError(ErrorType.INTERNAL, "", None, "boom")
    cause: dict[str, Any] = error.cause()
    assert cause == {"reason": "InternalError", "message": "Internal error: boom"}
