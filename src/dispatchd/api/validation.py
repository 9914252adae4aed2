"""Request-body checks the API resources share, each failing with GitHub's 422 (or 404) body.

GitHub answers a body that breaks its JSON schema with ``422 "Invalid request."`` and one line per
problem (``For 'properties/title', 5 is not a string.``, ``"head" wasn't supplied.``), and a body
that breaks a model rule with ``422 "Validation Failed"`` and ``errors: [{resource, field, code,
message?}]`` (``missing_field``, ``invalid``, ``custom``, ``already_exists``). Values are shown as
JSON, non-ASCII kept, cut to 100 characters.

The NUL character is refused in every stored string: PostgreSQL text cannot hold it, and both
stores must answer alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from .errors import GitHubError, not_found

T = TypeVar("T")

#: Resources whose errors GitHub lists with ``code`` before ``field``, as clients print them:
#: ``{"resource":"Release","code":"already_exists","field":"tag_name"}``; pull requests and issues
#: answer ``{"resource":"PullRequest","field":"head","code":"invalid"}``.
CODE_FIRST = frozenset({"Release", "ReleaseAsset"})


def shown(value: Any) -> str:
    """``value`` as GitHub quotes it in an ``Invalid request.`` line: JSON, at most 100 characters."""
    return json.dumps(value, ensure_ascii=False)[:100]


def type_problem(field: str, value: Any, what: str, *, query: bool = False) -> str:
    """One ``Invalid request.`` line: ``For 'properties/{field}', {value} is not {what}.``
    (``For '{field}', ...`` for a ``query`` parameter). ``what`` is e.g. ``a string``, ``an
    object``, ``one of a, b`` or ``a member of ["a", "b"]``."""
    where = field if query else f"properties/{field}"
    return f"For '{where}', {shown(value)} is not {what}."


def missing_problem(field: str) -> str:
    """One ``Invalid request.`` line for a required key the body lacks: ``"{field}" wasn't supplied.``"""
    return f'"{field}" wasn\'t supplied.'


def not_permitted_problem(keys: list[str]) -> str:
    """One ``Invalid request.`` line for keys the schema does not allow: ``"a" is not a permitted
    key.`` or ``"a", "b" are not permitted keys.``"""
    names = ", ".join(json.dumps(k, ensure_ascii=False) for k in keys)
    return f"{names} {'is not a permitted key' if len(keys) == 1 else 'are not permitted keys'}."


def invalid_request(problems: Iterable[str], doc: str) -> GitHubError:
    """422 ``Invalid request.\\n\\n`` followed by one line per problem."""
    return GitHubError(422, "Invalid request.\n\n" + "\n".join(problems), doc)


def invalid_type(field: str, value: Any, what: str, doc: str, *, query: bool = False) -> GitHubError:
    """422 ``Invalid request.\\n\\nFor 'properties/{field}', {value} is not {what}.`` (see
    :func:`type_problem`)."""
    return invalid_request([type_problem(field, value, what, query=query)], doc)


def not_supplied(field: str, doc: str) -> GitHubError:
    """422 ``Invalid request.\\n\\n"{field}" wasn't supplied.`` (a required key is absent)."""
    return invalid_request([missing_problem(field)], doc)


def validation_failed(resource: str, field: str, code: str, doc: str,
                      message: str | None = None) -> GitHubError:
    """422 ``Validation Failed`` with ``errors: [{resource, field, code[, message]}]`` (``code``
    before ``field`` for the resources in :data:`CODE_FIRST`)."""
    error: dict[str, Any] = {"resource": resource}
    if resource in CODE_FIRST:
        error.update(code=code, field=field)
    else:
        error.update(field=field, code=code)
    if message:
        error["message"] = message
    return GitHubError(422, "Validation Failed", doc, errors=[error])


def custom(resource: str, message: str, doc: str) -> GitHubError:
    """422 ``Validation Failed`` with ``errors: [{resource, "code": "custom", message}]``, a rule
    about no one field (GitHub: ``No commits between main and feature``)."""
    return GitHubError(422, "Validation Failed", doc, errors=[{"resource": resource, "code": "custom",
                                                               "message": message}])


def invalid_query(resource: str, fields: str, doc: str) -> GitHubError:
    """422 ``Validation Failed`` with ``errors: [{resource, "code": "invalid", "field": fields}]``
    for a listing's query parameters (``fields`` names them, e.g. ``state/sort/direction``)."""
    return GitHubError(422, "Validation Failed", doc, errors=[{"resource": resource, "code": "invalid",
                                                               "field": fields}])


def too_long(resource: str, field: str, limit: int, doc: str) -> GitHubError:
    """422 ``Validation Failed``, code ``custom``: GitHub's ``{field} is too long (maximum is
    {limit} characters)``."""
    message = f"{field} is too long (maximum is {limit} characters)"
    return validation_failed(resource, field, "custom", doc, message)


def string_field(body: dict[str, Any], field: str, doc: str, *, resource: str, limit: int | None,
                 allow_int: bool = False) -> str | None:
    """``body[field]`` as a string, None when absent or ``null``.

    Errors: another type (a boolean always; an integer unless ``allow_int``, GitHub's rule for an
    issue title, which it keeps as text) is ``Invalid request.`` ``is not a string`` (``a string
    or integer``); a NUL is ``Validation Failed`` ``invalid`` ``{field} contains a NUL
    character``; more than ``limit`` characters (None: no limit) is :func:`too_long`.
    """
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not (isinstance(value, str) or (allow_int and isinstance(value, int))):
        raise invalid_type(field, value, "a string or integer" if allow_int else "a string", doc)
    text = str(value)
    if "\x00" in text:
        raise validation_failed(resource, field, "invalid", doc, f"{field} contains a NUL character")
    if limit is not None and len(text) > limit:
        raise too_long(resource, field, limit, doc)
    return text


def boolean_field(body: dict[str, Any], field: str, doc: str) -> bool | None:
    """``body[field]`` as a boolean, None when absent or ``null``; another type is ``Invalid
    request.`` ``is not a boolean`` (GitHub takes no ``"true"`` or ``1``)."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid_type(field, value, "a boolean", doc)
    return value


def found(row: T | None, doc: str) -> T:
    """``row``, or GitHub's 404 ``Not Found`` (with ``doc``) when it is None."""
    if row is None:
        raise not_found(doc)
    return row
