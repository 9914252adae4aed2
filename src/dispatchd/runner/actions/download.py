"""The download cache: ``owner/repo@ref`` actions fetched from GitHub's tarball URLs.

When an action is in no offline folder and the machine may reach GitHub, the runner fetches
``{DISPATCHD_ACTIONS_DOWNLOAD_URL}/repos/{owner}/{repo}/tarball/{ref}`` (GitHub's REST
"download a repository archive (tar)"; the base is ``https://api.github.com`` for github.com)
and unpacks it into the cache folder (``DISPATCHD_ACTIONS_CACHE``, default
``~/.cache/dispatchd/actions``) as ``owner/repo@ref/``, where later jobs find it without a
download. Downloads are off unless the base URL is set: most dispatchd hosts are offline, and a
lookup that hangs would stall every ``uses:`` step. Actions that have a built-in (checkout,
github-script, …) are never downloaded: their built-in runs when no folder has them.

GitHub's tarballs hold one top folder (``owner-repo-<sha>/``); it is dropped when unpacking, and
members that would land outside the target (absolute paths, ``..``, links out) are refused.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping

from dispatchd.runner.actions import ActionRef

#: Seconds a download may take before the step fails.
DOWNLOAD_TIMEOUT = 120.0


class DownloadError(Exception):
    """The archive could not be fetched or unpacked; the message names the URL."""


def download_base(env: Mapping[str, str]) -> str | None:
    value = env.get("DISPATCHD_ACTIONS_DOWNLOAD_URL") or os.environ.get("DISPATCHD_ACTIONS_DOWNLOAD_URL")
    return value.rstrip("/") if value else None


def cache_root(env: Mapping[str, str]) -> str:
    first = (env.get("DISPATCHD_ACTIONS_CACHE") or os.environ.get("DISPATCHD_ACTIONS_CACHE") or "").split(os.pathsep)[0]
    return os.path.abspath(first or os.path.join(os.path.expanduser("~"), ".cache", "dispatchd", "actions"))


def tarball_url(base: str, ref: ActionRef) -> str:
    return f"{base}/repos/{ref.owner}/{ref.repo}/tarball/{ref.ref}"


async def fetch(ref: ActionRef, base: str, cache: str, token: str | None = None) -> str:
    """Download and unpack ``ref`` into ``cache``; returns ``cache/owner/repo@ref``.

    Raises DownloadError (HTTP error, not a tarball, unsafe member)."""
    # Imported here: httpx (with the rich and click it loads) adds ~60 ms to every start of
    # the runner, and only a download needs it.
    import httpx

    url = tarball_url(base, ref)
    target = os.path.join(cache, ref.owner, f"{ref.repo}@{ref.ref}")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    headers = {"Accept": "application/vnd.github+json", "User-Agent": "dispatchd"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with tempfile.TemporaryDirectory(dir=os.path.dirname(target)) as scratch:
        archive = os.path.join(scratch, "action.tar.gz")
        try:
            async with httpx.AsyncClient(follow_redirects=True, timeout=DOWNLOAD_TIMEOUT) as http:
                async with http.stream("GET", url, headers=headers) as response:
                    if response.status_code != 200:
                        raise DownloadError(f"GET {url}: {response.status_code}")
                    with open(archive, "wb") as out:
                        async for chunk in response.aiter_bytes():
                            out.write(chunk)
        except httpx.HTTPError as e:
            raise DownloadError(f"GET {url}: {e}") from None
        unpacked = os.path.join(scratch, "unpacked")
        _unpack(archive, unpacked, url)
        tops = os.listdir(unpacked)
        source = os.path.join(unpacked, tops[0]) if len(tops) == 1 and os.path.isdir(
            os.path.join(unpacked, tops[0])) else unpacked
        if os.path.isdir(target):  # another job fetched it meanwhile
            return target
        shutil.move(source, target)
    return target


def _unpack(archive: str, destination: str, url: str) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            # The "data" filter refuses absolute paths, ".." and links leaving the destination.
            tar.extractall(destination, filter="data")
    except (tarfile.TarError, OSError) as e:
        raise DownloadError(f"{url}: not a usable tar archive: {e}") from None
