"""``hashFiles(pattern, …)``: one SHA-256 over the files a set of glob patterns matches.

GitHub: ``actions/runner: src/Runner.Worker/Expressions/HashFilesFunction.cs`` (arguments,
options) and ``src/Misc/expressionFunc/hashFiles/src/hashFiles.ts`` (hashing), which globs with
``@actions/glob`` (``internal-globber.ts``, ``internal-pattern.ts``). Glob rules reproduced here:

* one pattern per argument (GitHub joins them with newlines; blank lines and ``#`` lines are
  skipped); leading ``!`` negates (each further ``!`` toggles); patterns are relative to the
  workspace; ``*``, ``?``, ``[...]`` inside a segment, ``**`` alone as a segment = any number of
  directories; dot files match; no braces or extglobs; case-sensitive (Linux);
* a pattern that matches a directory also matches everything below it (``implicitDescendants``);
* the verdict for a path is the last pattern that speaks about it (include, then exclude, …);
* traversal: each include pattern's literal prefix is a search root (in pattern order, nested
  roots dropped), walked depth first with directory entries in byte order (Node's ``readdir``
  sorts them, via libuv's ``scandir``), symbolic links not followed unless the first argument is
  ``--follow-symbolic-links``;
* only regular files inside the workspace are hashed: the outer SHA-256 is fed the raw 32-byte
  SHA-256 of each file in turn; the result is its lowercase hex, or ``''`` when nothing matched.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from typing import Any

from ..coercion import to_string
from . import CallContext, FunctionError, FunctionInfo

FOLLOW_SYMLINKS_OPTION = "--follow-symbolic-links"
_GLOB_CHARS = re.compile(r"[*?\[]")


class _InvalidPattern(ValueError):
    """A pattern or search path @actions/glob rejects: hashFiles then fails as a whole."""


class _Pattern:
    __slots__ = ("directory_only", "implicit", "matchers", "negate", "search_path", "segments")

    def __init__(self, text: str, workspace: str, negate: bool | None = None, extra: list[str] | None = None):
        self.directory_only = False
        # The `<pattern>/**` added for implicit descendants does not match <pattern> itself.
        self.implicit = extra is not None
        if negate is None:
            negate = False
            while text.startswith("!"):
                negate = not negate
                text = text[1:].lstrip()
        self.negate = negate
        if extra is None:
            # @actions/glob refuses '.' (except leading) and '..' segments, and reads a trailing
            # separator as "directories only".
            segments = text.split("/")
            if any((seg == "." and i > 0) or seg == ".." for i, seg in enumerate(segments)):
                raise _InvalidPattern(
                    f"Invalid pattern '{text}'. Relative pathing '.' and '..' is not allowed."
                )
            self.directory_only = text.endswith("/")
            if text == "~" or text.startswith("~/"):
                text = os.path.expanduser(text)
            path = os.path.normpath(os.path.join(workspace, text))
            self.segments = path.split(os.sep)
        else:
            self.segments = extra
        self.matchers = [
            None if s == "**" else (s if not _GLOB_CHARS.search(s) else re.compile(fnmatch.translate(s)))
            for s in self.segments
        ]
        literal: list[str] = []
        for s in self.segments:
            if _GLOB_CHARS.search(s):
                break
            literal.append(s)
        self.search_path = os.sep.join(literal) or os.sep

    def descendants(self) -> _Pattern:
        return _Pattern("", "", self.negate, self.segments + ["**"])

    def _segment(self, i: int, name: str) -> bool:
        m = self.matchers[i]
        return m == name if isinstance(m, str) else bool(m.match(name))  # type: ignore[union-attr]

    def match(self, parts: list[str], partial: bool = False) -> bool:
        """Whether path ``parts`` match; with ``partial``, whether a descendant could."""
        memo: dict[tuple[int, int], bool] = {}

        def go(i: int, j: int) -> bool:
            key = (i, j)
            if key in memo:
                return memo[key]
            if j == len(parts):
                # (the implicit trailing ** still needs a name, so it cannot end here)
                result = partial or (not self.implicit and all(m is None for m in self.matchers[i:]))
            elif i == len(self.matchers):
                result = False
            elif self.matchers[i] is None:
                if self.implicit and i == len(self.matchers) - 1:
                    result = True  # a trailing ** takes all that is left: here at least one name
                else:
                    result = go(i + 1, j) or go(i, j + 1)
            else:
                result = self._segment(i, parts[j]) and go(i + 1, j + 1)
            memo[key] = result
            return result

        return go(0, 0)


def _patterns(texts: list[str], workspace: str) -> list[_Pattern]:
    result: list[_Pattern] = []
    for raw in texts:
        for line in raw.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pattern = _Pattern(line, workspace)
            result.append(pattern)
            if pattern.directory_only or pattern.segments[-1] != "**":
                result.append(pattern.descendants())
    return result


def _matches(patterns: list[_Pattern], parts: list[str], is_file: bool = False) -> bool:
    matched = False
    for p in patterns:
        if is_file and p.directory_only:
            continue
        if p.negate:
            if matched and p.match(parts):
                matched = False
        elif not matched and p.match(parts):
            matched = True
    return matched


def _search_roots(patterns: list[_Pattern]) -> list[str]:
    roots: list[str] = []
    for p in patterns:
        if not p.negate and p.search_path not in roots:
            roots.append(p.search_path)
    return [r for r in roots if not any(o != r and (r.startswith(o.rstrip(os.sep) + os.sep)) for o in roots)]


def _walk(patterns: list[_Pattern], follow: bool) -> Iterator[str]:
    includes = [p for p in patterns if not p.negate]
    for root in _search_roots(patterns):
        try:
            os.lstat(root)
        except FileNotFoundError:
            continue
        except OSError as e:  # e.g. a file where the pattern needs a directory: glob throws
            raise _InvalidPattern(str(e)) from e
        stack = [root]
        while stack:
            path = stack.pop()
            parts = path.split(os.sep)
            if not _matches(patterns, parts) and not any(p.match(parts, partial=True) for p in includes):
                continue
            try:
                st = os.stat(path) if follow else os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                try:
                    names = sorted(os.listdir(path), key=os.fsencode)
                except OSError:
                    continue
                stack.extend(os.path.join(path, n) for n in reversed(names))
            elif _matches(patterns, parts, is_file=True):
                yield path


def matched_files(texts: list[str], workspace: str, follow_symlinks: bool = False) -> list[str]:
    """The files ``hashFiles`` would hash, in hashing order (absolute paths inside ``workspace``)."""
    workspace = os.path.normpath(workspace)
    files: list[str] = []
    for path in _walk(_patterns(texts, workspace), follow_symlinks):
        if path.startswith(workspace + os.sep) and not os.path.isdir(path):
            files.append(path)
    return files


def _failed(texts: list[str], workspace: str) -> FunctionError:
    # HashFilesFunction.cs: the patterns joined by ", " with quotes doubled (StringEscape).
    patterns = ", ".join(texts).replace("'", "''")
    return FunctionError(f"hashFiles('{patterns}') failed. Fail to hash files under directory '{workspace}'")


def hash_files(texts: list[str], workspace: str, follow_symlinks: bool = False) -> str:
    """The hex SHA-256 of the SHA-256 digests of the matched files, or ``''`` (see module doc).

    Raises ``FunctionError`` (GitHub's ``hashFiles('…') failed. Fail to hash files under
    directory '…'``) for a pattern with ``.``/``..`` segments or a file that cannot be read.
    """
    outer = hashlib.sha256()
    count = 0
    try:
        files = matched_files(texts, workspace, follow_symlinks)
    except _InvalidPattern as e:
        raise _failed(texts, workspace) from e
    for path in files:
        inner = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 16), b""):
                    inner.update(chunk)
        except OSError as e:
            raise _failed(texts, workspace) from e
        outer.update(inner.digest())
        count += 1
    return outer.hexdigest() if count else ""


def call(args: list[Any], context: CallContext) -> str:
    """Hash the files under ``context.workspace`` matched by the patterns.

    Raises ``Invalid glob option <opt>, avaliable option: '--follow-symbolic-links'.`` (GitHub's
    spelling) for any other first argument starting with ``--``.
    """
    texts = [to_string(a) for a in args]
    follow = False
    if texts and texts[0].startswith("--"):
        if texts[0] != FOLLOW_SYMLINKS_OPTION:
            raise FunctionError(
                f"Invalid glob option {texts[0]}, avaliable option: '{FOLLOW_SYMLINKS_OPTION}'."
            )
        follow = True
        texts = texts[1:]
    if context.workspace is None:
        return ""
    return hash_files(texts, context.workspace, follow)


INFO = FunctionInfo("hashFiles", 1, 255, call)
