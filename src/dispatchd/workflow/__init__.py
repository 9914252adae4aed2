"""The workflow model: loading, validation, trigger matching and matrix expansion.

A pure package (no I/O beyond the text it is given; nothing of the server). The engine calls
``load_workflow`` for each ``.github/workflows/*.yml`` file, ``match_event`` to decide which
workflows an event starts (and to say why the others did not), then ``job_stages``/
``expand_matrix``/``job_display_name`` to plan the jobs, and ``resolve_dispatch_inputs`` /
``resolve_call_inputs`` for typed inputs. ``lint`` adds warnings (script injection, always-true
conditions, …) for ``dispatchd lint``. Behaviour follows GitHub's own parser
(actions/languageservices ``workflow-parser``; the Go/C# parsers where they differ) and its test
data; modules: ``yamlnodes`` (YAML 1.2) → ``schema`` (GitHub's template schema) → ``validate``
(the converter's rules, ``graph``, ``reusable``, ``permissions``, ``exprcheck``) → ``model``.
"""

from __future__ import annotations

from .errors import MAX_ERRORS, Diagnostic, WorkflowError
from .graph import check_needs, job_stages, topological_order, transitive_needs
from .inputs import (
    InputError,
    InputSpec,
    call_inputs,
    dispatch_inputs,
    resolve_call_inputs,
    resolve_dispatch_inputs,
)
from .lint import lint, untrusted_sources
from .loader import MAX_FILE_SIZE, load_workflow, parse_document
from .matrix import MAX_MATRIX_LEGS, MatrixLeg, expand_matrix, job_display_name, loose_equals
from .model import DEFAULT_TIMEOUT_MINUTES, Job, Workflow, generate_step_ids
from .options import ParseOptions
from .permissions import Grant
from .triggers import MatchResult, match_event, match_invalid, normalize_on, pattern_match

__all__ = [
    "DEFAULT_TIMEOUT_MINUTES",
    "MAX_ERRORS",
    "MAX_FILE_SIZE",
    "MAX_MATRIX_LEGS",
    "Diagnostic",
    "Grant",
    "InputError",
    "InputSpec",
    "Job",
    "MatchResult",
    "MatrixLeg",
    "ParseOptions",
    "Workflow",
    "WorkflowError",
    "call_inputs",
    "check_needs",
    "dispatch_inputs",
    "expand_matrix",
    "generate_step_ids",
    "job_display_name",
    "job_stages",
    "lint",
    "load_workflow",
    "loose_equals",
    "match_event",
    "match_invalid",
    "normalize_on",
    "parse_document",
    "pattern_match",
    "resolve_call_inputs",
    "resolve_dispatch_inputs",
    "topological_order",
    "transitive_needs",
    "untrusted_sources",
]
