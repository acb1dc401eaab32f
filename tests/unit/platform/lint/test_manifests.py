"""Reading manifests: multi-document YAML, Lists, JSON, directories, stdin, and errors that
name the file and line (as kubectl's StreamVisitor reports them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlkube.platform.lint import ManifestError, parse_manifests, read_paths

MULTI = """\
apiVersion: v1
kind: Pod
metadata: {name: a}
---
# a comment before the second document
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: b}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: c}
---
"""


def test_documents_and_list_items_keep_their_lines() -> None:
    manifests = parse_manifests(MULTI, "x.yaml")
    assert [(m.kind, m.name, m.line) for m in manifests] == [
        ("Pod", "a", 1),
        ("Pod", "b", 9),
        ("Job", "c", 12),
    ]
    assert {m.file for m in manifests} == {"x.yaml"}


def test_json_is_read_too() -> None:
    text = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}})
    (manifest,) = parse_manifests(text, "p.json")
    assert (manifest.name, manifest.line) == ("j", 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: [a\n",
            "bad.yaml:4: ",
            id="an unclosed flow sequence names the line",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\n  metadata: x\n",
            "bad.yaml:3: mapping values are not allowed",
            id="bad indentation names the line",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\n---\nname: x\n",
            "bad.yaml:4: not a Kubernetes object: apiVersion and kind are required",
            id="a document without kind",
        ),
        pytest.param("- a\n- b\n", "bad.yaml:1: not a Kubernetes object: a list", id="a bare list"),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifests(text, "bad.yaml")
    assert str(caught.value).startswith(message)


def test_directories_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.yml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: z}\n")
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n")
    (tmp_path / "notes.txt").write_text("not a manifest")
    manifests = read_paths([str(tmp_path)])
    assert [m.name for m in manifests] == ["a", "z"]
    assert [m.index for m in manifests] == [0, 1]


def test_dash_reads_stdin() -> None:
    (manifest,) = read_paths(["-"], stdin="apiVersion: v1\nkind: Pod\nmetadata: {name: s}\n")
    assert (manifest.file, manifest.name) == ("<stdin>", "s")


def test_a_missing_path_is_an_error() -> None:
    with pytest.raises(ManifestError, match=r"nope\.yaml: no such file or directory"):
        read_paths(["nope.yaml"])
