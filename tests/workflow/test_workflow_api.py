"""The public surface of dispatchd.workflow stays complete and pure."""

from __future__ import annotations

import ast
from pathlib import Path

from dispatchd import workflow

PACKAGE = Path(workflow.__file__).parent


def test_all_names_exist_and_are_exported() -> None:
    for name in workflow.__all__:
        assert hasattr(workflow, name), name
    for name in ("load_workflow", "Workflow", "Job", "WorkflowError", "Diagnostic", "match_event",
                 "MatchResult", "expand_matrix", "job_display_name", "job_stages", "topological_order", "lint"):
        assert name in workflow.__all__, name


def test_package_imports_nothing_of_the_server() -> None:
    # DESIGN.md: workflow imports nothing of the server; it may use dispatchd.expressions.
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dispatchd"):
                assert node.module.startswith(("dispatchd.workflow", "dispatchd.expressions")), (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                raise AssertionError(f"{path.name} reaches outside the package: {node.module}")


def test_modules_stay_small() -> None:
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name
