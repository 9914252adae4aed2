"""Where the team's shared material is: the conformance suites, the corpus, the reference.

A module of its own (not ``conftest``): test folders have conftest files of their own, and
``from conftest import …`` would find whichever one was imported last.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The shared folder sits beside the checkout; DISPATCHD_SHARED points elsewhere when it does not.
SHARED = Path(os.environ.get("DISPATCHD_SHARED", REPO_ROOT.parent / "shared")).resolve()
CONFORMANCE = SHARED / "conformance"
CORPUS = SHARED / "corpus"
