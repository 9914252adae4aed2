"""libyaml (fast path) and ruamel.yaml (pure Python, error messages) read every file the same.

``read_yaml`` uses libyaml through PyYAML when it is installed and falls back to ruamel.yaml;
the node trees — kinds, values, positions — and the reported problems must not depend on it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from shared_data import CONFORMANCE, CORPUS

from dispatchd.workflow.errors import Collector
from dispatchd.workflow.yamlnodes import _LIBYAML, MapNode, Node, ScalarNode, SeqNode, read_yaml

pytestmark = pytest.mark.skipif(_LIBYAML is None, reason="PyYAML without libyaml: only one parser in use")


def _texts() -> list[tuple[str, str]]:
    texts = [(p.name, p.read_text()) for p in sorted((CORPUS / "workflows").glob("*.y*ml"))]
    texts += [(str(p.relative_to(CONFORMANCE)), p.read_text())
              for p in sorted((CONFORMANCE / "act" / "runner-testdata").rglob("*.y*ml"))]
    reader = CONFORMANCE / "languageservices" / "workflow-parser" / "testdata" / "reader"
    for path in sorted(reader.glob("*.yml")):
        docs = re.split(r"\r?\n---\r?\n", path.read_text())
        texts += [(f"{path.name}#{i}", doc) for i, doc in enumerate(docs[1:-1], 1) if i == 1 or i % 2 == 1]
    return texts


def _shape(node: Node | None, seen: set[int] | None = None) -> Any:
    seen = seen if seen is not None else set()
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        value = "NaN" if isinstance(node.value, float) and math.isnan(node.value) else node.value
        return ("scalar", node.line, node.column, type(value).__name__, value, node.plain)
    if id(node) in seen:  # an alias to a node already described
        return ("alias", node.line, node.column)
    seen.add(id(node))
    if isinstance(node, SeqNode):
        return ("seq", node.line, node.column, [_shape(i, seen) for i in node.items])
    assert isinstance(node, MapNode)
    return ("map", node.line, node.column, [(_shape(k, seen), _shape(v, seen)) for k, v in node.pairs])


TEXTS = _texts()


def test_there_is_plenty_to_compare() -> None:
    assert len(TEXTS) > 400


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_same_tree_and_problems(name: str, text: str) -> None:
    fast_errors, pure_errors = Collector(name), Collector(name)
    fast = read_yaml(text, fast_errors, fast=True)
    pure = read_yaml(text, pure_errors, fast=False)
    assert _shape(fast) == _shape(pure)
    assert fast_errors.diagnostics == pure_errors.diagnostics
