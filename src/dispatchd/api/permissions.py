"""Which ``GITHUB_TOKEN`` permission a request needs (GitHub: "Permissions required for GitHub
Apps" / the ``permissions`` workflow key).

A job's token carries its job's ``permissions`` (see :class:`dispatchd.workflow.Grant`); a request
made with it must have the permission below at ``read`` (GET, HEAD) or ``write`` (anything else),
else GitHub's 403 ``Resource not accessible by integration``. Tokens made by the admin API have
no such permissions: their scope alone decides.

=====================================================  ===================
path under ``/repos/{owner}/{repo}``                   permission
=====================================================  ===================
(the repository itself)                                ``metadata`` (read: always)
``/actions/secrets…``, ``/dispatchd/secrets…``         ``secrets`` (never a job token's)
``/actions/…``                                         ``actions``
``/dispatches…`` (repository_dispatch, events)         ``contents``
``/releases…``                                         ``contents``
``/pulls/{n}/merge`` (PUT)                             ``contents``
``/pulls…``                                            ``pull-requests``
``/issues…``                                           ``issues``
``/check-runs…``, ``/commits/{ref}/check-runs``        ``checks``
``/statuses…``, ``/commits/{ref}/status(es)``          ``statuses``
``/hooks…``                                            ``repository-hooks`` (never a job token's)
``/commits…``, ``/git…``, ``/branches…``, ``/tags…``,    ``contents``
``/compare…``, ``/contents…``
``/dispatchd/callbacks``, ``/dispatchd/runs/…``        none: the job's own runtime calls (GitHub's
                                                       runtime token is not limited by ``permissions``)
=====================================================  ===================
"""

from __future__ import annotations

import re

_REPO = re.compile(r"^/repos/[^/]+/[^/]+(/.*)?$")
_RULES: list[tuple[re.Pattern[str], str | None]] = [(re.compile(p), s) for p, s in (
    (r"^$", "metadata"),
    (r"^/(actions/secrets|dispatchd/secrets)(/|$)", "secrets"),
    (r"^/actions(/|$)", "actions"),
    (r"^/dispatches(/|$)", "contents"),
    (r"^/releases(/|$)", "contents"),
    (r"^/pulls(/|$)", "pull-requests"),
    (r"^/issues(/|$)", "issues"),
    (r"^/(check-runs(/|$)|commits/.+/check-runs$)", "checks"),
    (r"^/(statuses(/|$)|commits/.+/status(es)?$)", "statuses"),
    (r"^/hooks(/|$)", "repository-hooks"),
    (r"^/(commits|git|branches|tags|compare|contents)(/|$)", "contents"),
    (r"^/dispatchd/(callbacks|runs)(/|$)", None),
)]
_MERGE = re.compile(r"^/pulls/[^/]+/merge$")


class UnmappedPath(LookupError):
    """A repository route with no permission decided (a new route must be added to the table)."""


def permission_for(method: str, path: str) -> tuple[str, str] | None:
    """``(permission, "read" | "write")`` that ``method path`` needs from a job's token; None when
    the path is not a repository's or needs no permission.

    Raises:
        UnmappedPath: for a ``/repos/{owner}/{repo}/…`` path the table does not cover.
    """
    match = _REPO.match(path)
    if match is None:
        return None
    rest = match.group(1) or ""
    level = "read" if method in ("GET", "HEAD") else "write"
    if method == "PUT" and _MERGE.match(rest):
        return ("contents", "write")  # GitHub: merging a pull request writes the repository's contents
    for pattern, permission in _RULES:
        if pattern.search(rest):
            return (permission, level) if permission is not None else None
    raise UnmappedPath(path)
