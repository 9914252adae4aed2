"""GitHub's pagination: ``per_page`` (default 30, at most 100) and ``page`` (from 1), and a
``Link`` header with ``prev``/``next``/``last``/``first`` URLs (REST "Using pagination")."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import Request

from .errors import GitHubError


def int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter clamped to ``[lo, hi]``; 422 when it is not an integer."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise GitHubError(422, f"Invalid request.\n\nFor '{name}', {raw!r} is not an integer.") from None
    return max(lo, min(hi, value))


@dataclass(frozen=True)
class Page:
    per_page: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def slice(self, items: list) -> list:  # type: ignore[type-arg]
        return items[self.offset: self.offset + self.per_page]


def page_params(request: Request) -> Page:
    return Page(int_param(request, "per_page", 30, 1, 100), int_param(request, "page", 1, 1, 10**6))


def link_header(request: Request, page: int, per_page: int, total: int) -> str | None:
    """The ``Link`` value for ``total`` items, or None when everything fits on page 1."""
    last = max(1, -(-total // per_page))
    parts = []
    # The path as the client sent it (percent-encoded): the decoded one may hold characters a
    # header cannot (a tag named "é" in /commits/é/statuses).
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(request.url.path)
    base = f"{request.url.scheme}://{request.url.netloc}{path}"
    params = dict(request.query_params)

    def url(p: int) -> str:
        return f"{base}?{urlencode({**params, 'per_page': per_page, 'page': p})}"

    if page > 1:
        parts.append(f'<{url(page - 1)}>; rel="prev"')
    if page < last:
        parts.append(f'<{url(page + 1)}>; rel="next"')
        parts.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        parts.append(f'<{url(1)}>; rel="first"')
    return ", ".join(parts) or None


def link_headers(request: Request, page: Page, total: int) -> dict[str, str] | None:
    link = link_header(request, page.page, page.per_page, total)
    return {"Link": link} if link else None
