"""A small client for dispatchd's GitHub-shaped REST API (it works against api.github.com too).

Reads ``DISPATCHD_SERVER`` (default ``http://127.0.0.1:8080``) and ``DISPATCHD_TOKEN`` (or
``GITHUB_TOKEN``) when not given explicitly.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

DEFAULT_SERVER = "http://127.0.0.1:8080"


class ApiError(Exception):
    """A non-2xx answer: ``status`` and GitHub's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class Client:
    def __init__(self, server: str | None = None, token: str | None = None, timeout: float = 30.0) -> None:
        self.server = (server or os.environ.get("DISPATCHD_SERVER") or DEFAULT_SERVER).rstrip("/")
        self.token = token or os.environ.get("DISPATCHD_TOKEN") or os.environ.get("GITHUB_TOKEN")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": "dispatchd-client"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # Imported here: httpx (with the rich and click it loads) adds ~60 ms to the start of
        # every CLI command, and `dispatchd run` and `serve` make no client.
        import httpx

        self._http = httpx.Client(base_url=self.server, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as e:
            raise ApiError(0, f"cannot reach {self.server}: {e}") from None
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise ApiError(response.status_code, message)
        return response

    def dispatch(self, repo: str, event_type: str, client_payload: dict[str, Any] | None = None,
                 *, idempotency_key: str | None = None, return_run_details: bool = False,
                 dry_run: bool = False) -> httpx.Response:
        """``POST /repos/{repo}/dispatches``; GitHub answers 204. With ``return_run_details``
        (dispatchd) the answer is 200 with the receipt; ``dry_run`` decides without storing."""
        body: dict[str, Any] = {"event_type": event_type}
        if client_payload is not None:
            body["client_payload"] = client_payload
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        params = {k: "true" for k, on in (("return_run_details", return_run_details), ("dry_run", dry_run)) if on}
        return self.request("POST", f"/repos/{repo}/dispatches", json=body, headers=headers, params=params)

    def events(self, repo: str, per_page: int = 30) -> list[dict[str, Any]]:
        """dispatchd's own: the latest events with their decision traces, newest first."""
        return self.request("GET", f"/repos/{repo}/dispatches", params={"per_page": per_page}).json()["events"]

    def find_event(self, event_id: int) -> dict[str, Any]:
        """dispatchd's own: an event by id alone, with its repository, runs and decisions."""
        return self.request("GET", f"/dispatchd/events/{event_id}").json()

    def replay(self, repo: str, event_id: int) -> dict[str, Any]:
        """dispatchd's own: deliver an event again to today's workflows; returns the new receipt."""
        return self.request("POST", f"/repos/{repo}/dispatches/{event_id}/replay").json()

    def runs(self, repo: str, **params: Any) -> dict[str, Any]:
        return self.request("GET", f"/repos/{repo}/actions/runs",
                            params={k: v for k, v in params.items() if v is not None}).json()

    def run(self, repo: str, run_id: int, *, wait: float | None = None) -> dict[str, Any]:
        """``GET /repos/{repo}/actions/runs/{run_id}``. ``wait`` (dispatchd's own, seconds, at
        most 60): the server answers once the run is completed or after that long; GitHub
        ignores it and answers at once."""
        if not wait:
            return self.request("GET", f"/repos/{repo}/actions/runs/{run_id}").json()
        return self.request("GET", f"/repos/{repo}/actions/runs/{run_id}", params={"wait": wait},
                            timeout=self._http.timeout.read + wait if self._http.timeout.read else None).json()

    def jobs(self, repo: str, run_id: int) -> list[dict[str, Any]]:
        return self.request("GET", f"/repos/{repo}/actions/runs/{run_id}/jobs",
                            params={"per_page": 100}).json()["jobs"]

    def job_log(self, repo: str, job_id: int) -> str:
        return self.request("GET", f"/repos/{repo}/actions/jobs/{job_id}/logs", follow_redirects=True).text

    def find_run(self, run_id: int) -> tuple[str, dict[str, Any]]:
        """A run by id alone: asks ``GET /dispatchd/runs/{id}`` for its repository."""
        data = self.request("GET", f"/dispatchd/runs/{run_id}").json()
        return data["repository"]["full_name"], data

    # -- administration (the admin token) ----------------------------------------------------

    def create_token(self, repo: str, scope: str, *, login: str | None = None, note: str | None = None) -> dict[str, Any]:
        """``POST /dispatchd/tokens``: the new token is in ``["token"]``, shown this once."""
        body: dict[str, Any] = {"repository": repo, "scope": scope}
        if login:
            body["login"] = login
        if note:
            body["note"] = note
        return self.request("POST", "/dispatchd/tokens", json=body).json()

    def revoke_token(self, token_or_id: str) -> None:
        """Revoke a token given itself or its numeric id (``POST /dispatchd/tokens/revoke``)."""
        body: dict[str, Any] = {"id": int(token_or_id)} if token_or_id.isdigit() else {"token": token_or_id}
        self.request("POST", "/dispatchd/tokens/revoke", json=body)

    def tokens(self) -> list[dict[str, Any]]:
        return self.request("GET", "/dispatchd/tokens").json()

    def create_hook(self, repo: str, url: str, *, secret: str | None = None, events: list[str] | None = None,
                    content_type: str = "json") -> dict[str, Any]:
        """``POST /repos/{repo}/hooks`` (GitHub's repository webhook API)."""
        config: dict[str, Any] = {"url": url, "content_type": content_type}
        if secret:
            config["secret"] = secret
        body: dict[str, Any] = {"name": "web", "config": config, "active": True}
        if events:
            body["events"] = events
        return self.request("POST", f"/repos/{repo}/hooks", json=body).json()

    def hooks(self, repo: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/repos/{repo}/hooks").json()

    def delete_hook(self, repo: str, hook_id: int) -> None:
        self.request("DELETE", f"/repos/{repo}/hooks/{hook_id}")

    def deliveries(self, repo: str, hook_id: int, per_page: int = 30) -> list[dict[str, Any]]:
        return self.request("GET", f"/repos/{repo}/hooks/{hook_id}/deliveries", params={"per_page": per_page}).json()

    def redeliver(self, repo: str, hook_id: int, delivery_id: int) -> None:
        self.request("POST", f"/repos/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts")

    def set_secret(self, repo: str, name: str, value: str) -> bool:
        """dispatchd's own (admin): set a repository secret; True when it was created."""
        return self.request("PUT", f"/repos/{repo}/dispatchd/secrets/{name}", json={"value": value}).status_code == 201

    def secrets(self, repo: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/repos/{repo}/actions/secrets").json()["secrets"]

    def delete_secret(self, repo: str, name: str) -> None:
        self.request("DELETE", f"/repos/{repo}/actions/secrets/{name}")
