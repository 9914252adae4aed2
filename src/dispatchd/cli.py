"""The ``dispatchd`` command."""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .client import ApiError, Client
from .fields import FieldError, parse_fields
from .repos import RepositoryError, name_from_remote, open_repository, valid_name

app = typer.Typer(help="Run GitHub Actions workflows on repository_dispatch events, anywhere.",
                  no_args_is_help=True, add_completion=False)
#: Text is not wrapped at the terminal width (80 columns in a pipe): a log line, file path or URL
#: stays on one line.
# Output shows user text (event types, paths, log lines): no :emoji: codes turned into emoji.
console = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _wide(out: Console) -> Console:
    """``out`` on a terminal; otherwise (a pipe, a file) a console that never narrows a table to
    80 columns, so ``dispatchd runs | grep …`` sees whole cells."""
    return out if out.is_terminal else Console(width=100_000, file=out.file, color_system=None)


@contextmanager
def api_client() -> Iterator[Client]:
    """A client of the server (DISPATCHD_SERVER, DISPATCHD_TOKEN); an API error ends the command
    with its message on one line, never a traceback."""
    with Client() as client:
        try:
            yield client
        except ApiError as e:
            raise _fail(e.message) from None


def _use_actions_dir(path: Path | None) -> None:
    """The embedded runners read DISPATCHD_ACTIONS_DIR (searched before DISPATCHD_ACTIONS_CACHE
    and the download cache); a flag given here goes first."""
    if path is None:
        return
    if not path.is_dir():
        raise _fail(f"--actions-dir {path}: no such directory")
    current = os.environ.get("DISPATCHD_ACTIONS_DIR")
    os.environ["DISPATCHD_ACTIONS_DIR"] = os.pathsep.join(p for p in (str(path.resolve()), current) if p)


@app.command()
def serve(
    repos: Annotated[list[str], typer.Argument(help="PATH or OWNER/NAME=PATH of local git repositories")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    db: Annotated[str | None, typer.Option(help="database URL (sqlite:///file.db, postgresql://…)")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="state directory (default ./.dispatchd)")] = None,
    runners: Annotated[int, typer.Option(help="embedded runners (jobs run at once)")] = 4,
    public_url: Annotated[str | None, typer.Option(help="URL jobs and links use to reach this server")] = None,
    lease_seconds: Annotated[float, typer.Option(help="a runner that stops heartbeating loses its job after this")] = 30.0,
    actions_dir: Annotated[Path | None, typer.Option(help="offline actions folder (owner/repo@ref/)")] = None,
) -> None:
    """Serve repositories: GitHub's REST API, and their workflows run on dispatches."""
    _use_actions_dir(actions_dir)
    try:
        repositories = [open_repository(spec) for spec in repos]
    except RepositoryError as e:
        raise _fail(str(e)) from None
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from .server import Server, ServerConfig

    config = ServerConfig(repos=repositories, host=host, port=port, db_url=db, runners=runners, public_url=public_url,
                          lease_seconds=lease_seconds)
    if data_dir is not None:
        config.data_dir = data_dir
    try:
        server = Server(config)
    except (ArgumentError, ImportError) as e:  # a URL SQLAlchemy cannot use, or its driver is missing
        raise _fail(f"--db {db}: {e}") from None
    try:
        server.engine.db.ping()
    except DBAPIError as e:  # checked here: inside uvicorn's start-up it would be a traceback
        shown = make_url(db).render_as_string(hide_password=True) if db else db
        reason = " ".join(line.strip() for line in str(e.orig if e.orig is not None else e).splitlines())
        raise _fail(f"--db {shown}: cannot connect: {reason}") from None
    if server.token_generated:
        console.print(f"admin token (shown once; stored in {config.data_dir}/admin-token):", highlight=False,
                      markup=False)
        console.print(server.admin_token, highlight=False, markup=False)
    for repo in repositories:
        console.print(f"serving {repo.full_name} from {repo.path}", highlight=False, markup=False)
    console.print(f"listening on {config.base_url}", highlight=False, markup=False)
    try:
        asyncio.run(server.serve())
    except KeyboardInterrupt:
        pass


@app.command()
def send(
    repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
    event_type: Annotated[str, typer.Argument(help="the event_type")],
    raw_field: Annotated[list[str] | None, typer.Option(
        "-f", "--raw-field", help="client_payload KEY=VALUE, the value a string (as gh api -f)")] = None,
    field: Annotated[list[str] | None, typer.Option(
        "-F", "--field", help="client_payload KEY=VALUE, typed as gh api -F: true/false/null/integers, @FILE; "
                              "KEY[SUB]= and KEY[]= nest")] = None,
    payload: Annotated[str | None, typer.Option(help="client_payload as a JSON object (or @file)")] = None,
    idempotency_key: Annotated[str | None, typer.Option(help="retries with the same key start nothing new")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="follow the runs, stream their logs; exit 0 only if all succeed")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would run, start nothing")] = False,
) -> None:
    """Send a repository_dispatch event (POST /repos/OWNER/NAME/dispatches) and show its receipt."""
    body: dict[str, Any] = {}
    if payload:
        try:
            text = Path(payload[1:]).read_text() if payload.startswith("@") else payload
        except OSError as e:
            raise _fail(f"--payload {payload}: {e.strerror or e}") from None
        try:
            body = json.loads(text)
        except ValueError as e:
            raise _fail(f"--payload is not JSON: {e}") from None
        if not isinstance(body, dict):
            raise _fail("--payload: client_payload must be a JSON object")
    try:
        body.update(parse_fields(raw_field or [], field or []))
    except FieldError as e:
        raise _fail(str(e)) from None
    with api_client() as client:
        receipt = client.dispatch(repo, event_type, body, idempotency_key=idempotency_key,
                                  return_run_details=not dry_run, dry_run=dry_run).json()
        if dry_run:
            for w in receipt["would_run"]:
                console.print(f"would run {w['path']}", highlight=False, markup=False)
        else:
            console.print(f"sent {event_type} to {repo} (event {receipt['event_id']})", highlight=False, markup=False)
            for r in receipt["workflow_runs"]:
                console.print(f"started run {r['id']}: {r['path']} #{r['run_number']}", highlight=False, markup=False)
            for job_id in receipt.get("resumed_jobs") or []:
                console.print(f"resumed waiting job {job_id}", highlight=False, markup=False)
            if receipt.get("replayed_receipt"):
                console.print("(an earlier request with this Idempotency-Key: nothing new was started)",
                              highlight=False, markup=False)
        for d in receipt["not_matched"]:
            console.print(f"not run: {d['path']}: {d['reason']}", highlight=False, markup=False)
        if wait and not dry_run:
            raise typer.Exit(follow_runs(client, repo, [r["id"] for r in receipt["workflow_runs"]]))


def follow_runs(client: Client, repo: str, run_ids: list[int], poll: float = 0.5) -> int:
    """Stream the runs' job logs until every run completed; 0 only if all concluded success.

    The first unfinished run is read with dispatchd's ``wait``: the server answers as soon as it
    completes (else after ``poll`` seconds), so the end is seen at once, not at the next poll."""
    printed: dict[int, int] = {}
    done: dict[int, str] = {}
    while len(done) < len(run_ids):
        started = time.monotonic()
        waited = False
        for run_id in run_ids:
            if run_id in done:
                continue
            run = client.run(repo, run_id, wait=None if waited else poll)
            waited = True
            for job in client.jobs(repo, run_id):
                text = client.job_log(repo, job["id"])
                new = text[printed.get(job["id"], 0):]
                if new:
                    for line in new.splitlines():
                        print(f"{run['name']} / {job['name']} | {line.split(' ', 1)[-1]}")
                    printed[job["id"]] = len(text)
            if run["status"] == "completed":
                done[run_id] = run["conclusion"] or ""
                print(f"{run['name']} #{run['run_number']}: {done[run_id]}")
        if len(done) < len(run_ids):
            # A server that ignores ``wait`` (GitHub) answered at once: poll at the same pace.
            time.sleep(max(0.0, poll - (time.monotonic() - started)))
    return 0 if all(c == "success" for c in done.values()) else 1


@app.command()
def events(
    repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
    limit: Annotated[int, typer.Option(help="how many events")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON")] = False,
) -> None:
    """List events, newest first, with what each started and why the other workflows did not run."""
    with api_client() as client:
        data = client.events(repo, per_page=min(limit, 100))
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table("id", "event_type", "created", "workflow", "decision")
    for e in data:
        decisions = e["decisions"] or [{"path": "", "matched": False, "reason": "no workflow files"}]
        for i, d in enumerate(decisions):
            decision = f"run {d['run_id']}" if d.get("run_id") else ("matched" if d.get("matched") else d.get("reason", ""))
            first = (str(e["id"]), e["event_type"] or e["event"], e["created_at"]) if i == 0 else ("", "", "")
            table.add_row(*(Text(str(c)) for c in (*first, d.get("path") or "", decision)))
    _wide(console).print(table)


@app.command()
def replay(event_id: Annotated[int, typer.Argument(help="the event id")]) -> None:
    """Deliver a stored event again to today's workflows (recorded as a new event naming its origin)."""
    with Client() as client:
        try:
            repo = client.find_event(event_id)["repository"]["full_name"]
            receipt = client.replay(repo, event_id)
        except ApiError as e:
            raise _fail(f"event {event_id}: {e.message}" if e.status == 404 else e.message) from None
    console.print(f"replayed event {event_id} as event {receipt['event_id']}", highlight=False, markup=False)
    for r in receipt["workflow_runs"]:
        console.print(f"started run {r['id']}: {r['path']} #{r['run_number']}", highlight=False, markup=False)
    for d in receipt["not_matched"]:
        console.print(f"not run: {d['path']}: {d['reason']}", highlight=False, markup=False)


@app.command()
def runs(
    repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
    status: Annotated[str | None, typer.Option(help="queued, in_progress, completed, success, failure, …")] = None,
    event: Annotated[str | None, typer.Option(help="repository_dispatch, workflow_dispatch, …")] = None,
    limit: Annotated[int, typer.Option(help="how many runs")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="print GitHub's JSON")] = False,
) -> None:
    """List workflow runs, newest first."""
    with api_client() as client:
        data = client.runs(repo, status=status, event=event, per_page=min(limit, 100))
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table("id", "workflow", "#", "event", "status", "conclusion", "created")
    for r in data["workflow_runs"]:
        table.add_row(*(Text(str(cell)) for cell in (r["id"], r["name"], r["run_number"], r["event"], r["status"],
                                                      r["conclusion"] or "", r["created_at"])))
    _wide(console).print(table)


@app.command()
def logs(run_id: Annotated[int, typer.Argument(help="the run id")]) -> None:
    """Print a run's job logs, as GitHub prints them."""
    with Client() as client:
        try:
            repo, run = client.find_run(run_id)
            if run.get("error"):
                print(f"{run['path']}: {run['error']}")
            for job in client.jobs(repo, run_id):
                print(f"=== {job['name']} ({job['conclusion'] or job['status']})")
                sys.stdout.write(client.job_log(repo, job["id"]))
        except ApiError as e:
            raise _fail(f"run {run_id}: {e.message}" if e.status == 404 else e.message) from None


@app.command("run")
def run_cmd(
    event_name: Annotated[str, typer.Argument(help="repository_dispatch, workflow_dispatch, push, …")],
    event: Annotated[Path | None, typer.Option("--event", "-e", help="JSON file: github.event")] = None,
    repo: Annotated[Path, typer.Option(help="the repository (working tree)")] = Path("."),
    workflow: Annotated[str | None, typer.Option("-W", "--workflow", help="only this workflow file")] = None,
    secret: Annotated[list[str] | None, typer.Option("--secret", "-s", help="NAME=VALUE")] = None,
    secrets_file: Annotated[Path | None, typer.Option(help="secrets from a dotenv file (NAME=VALUE lines)")] = None,
    env: Annotated[list[str] | None, typer.Option("--env", help="NAME=VALUE given to every job")] = None,
    actions_dir: Annotated[Path | None, typer.Option(help="offline actions folder (owner/repo@ref/)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Run the workflows an event triggers, once, without a server. Exit 0 only if at least one
    ran and all succeeded."""
    _use_actions_dir(actions_dir)
    payload: dict[str, Any] = {}
    if event is not None:
        try:
            payload = json.loads(event.read_text())
        except (OSError, ValueError) as e:
            raise _fail(f"--event {event}: {e}") from None
        if not isinstance(payload, dict):
            raise _fail(f"--event {event}: expected a JSON object")
    secrets: dict[str, str] = {}
    if secrets_file is not None:
        if not secrets_file.is_file():
            raise _fail(f"--secrets-file {secrets_file}: no such file")
        from dotenv import dotenv_values

        # python-dotenv reads what act and docker read: quotes, \n escapes in double quotes, comments.
        secrets.update({k: v or "" for k, v in dotenv_values(secrets_file).items()})
    for item in secret or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise _fail(f"--secret {item!r}: expected NAME=VALUE")
        secrets[key] = value
    extra_env: dict[str, str] = {}
    for item in env or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(f"--env {item!r}: expected NAME=VALUE")
        extra_env[key] = value
    if not repo.is_dir():
        raise _fail(f"--repo {repo}: no such directory")
    if workflow is not None:
        # -W takes a path in the repository, or a file name in its .github/workflows.
        found = next((c for c in (Path(workflow), repo / workflow, repo / ".github" / "workflows" / workflow)
                      if c.exists()), None)
        if found is None:
            raise _fail(f"-W {workflow}: no such workflow file or folder in {repo}")
        workflow = str(found.resolve())
    from .oneshot import run_once

    result = asyncio.run(run_once(event_name, payload, repo, workflow_file=workflow, secrets=secrets,
                                  owner_name=_one_shot_name(payload, repo), env=extra_env))
    if as_json:
        print(json.dumps({"runs": result.runs, "decisions": result.decisions}, indent=2))
    else:
        if not result.runs:
            err.print(f"no workflow is triggered by {event_name}" + (":" if result.decisions else " (no workflow files)"))
        for d in result.decisions:
            if not d.get("matched"):
                err.print(f"  {d.get('path')}: {d.get('reason')}", highlight=False, markup=False)
        for r in result.runs:
            console.print(f"[bold]{escape(r['name'])}[/bold] ({escape(r['workflow'])}): {r['conclusion']}",
                          highlight=False)
            if r.get("error"):
                print(f"  {r['error']}")
            for j in r["jobs"]:
                print(f"  job {j['name']}: {j['conclusion']}")
                # Log lines verbatim (tabs, colons and brackets as the step printed them), in one
                # write: the same text as a print per line, ~4x faster.
                if j["log"]:
                    print("\n".join(f"    {line}" for line in j["log"].splitlines()), flush=True)
    # When the process exits, freezing the collector's objects first spares the interpreter's
    # exit its collections over every object the engine's libraries made (~150 ms, a third of
    # act's whole run of a 50-step job). At exit only: an in-process caller keeps its collector.
    atexit.register(gc.freeze)
    # Nothing ran is not a success: a CI step calling `dispatchd run` must notice.
    raise typer.Exit(0 if result.ok and result.runs else 1)


def _one_shot_name(event: dict[str, Any], repo: Path) -> tuple[str, str] | None:
    """``github.repository`` for ``dispatchd run``: the event's ``repository.full_name`` (on GitHub
    the two are always the same), else the ``origin`` remote as for ``serve``, else None
    (``local/<directory>``)."""
    repository = event.get("repository")
    full_name = repository.get("full_name") if isinstance(repository, dict) else None
    if isinstance(full_name, str):
        owner, _, name = full_name.partition("/")
        if valid_name(owner) and valid_name(name):
            return owner, name
    return name_from_remote(repo.resolve()) if (repo / ".git").exists() else None


@app.command()
def lint(paths: Annotated[list[Path] | None, typer.Argument(help="workflow files or folders "
                                                                 "(default .github/workflows)")] = None) -> None:
    """Check workflow files as GitHub would: errors (exit 1) and warnings such as script injection."""
    from .workflow import lint as lint_file

    files: list[Path] = []
    for path in paths or [Path(".github/workflows")]:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise _fail(f"{path}: no such file or directory")
    errors = warnings = 0
    for file in files:
        try:
            text = file.read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise _fail(f"{file}: {e}") from None
        for d in lint_file(str(file), text):
            if d.severity == "error":
                errors += 1
            else:
                warnings += 1
            print(f"{d.severity}: {d}")
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    print(f"{plural(len(files), 'file')}: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    raise typer.Exit(1 if errors else 0)


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="keep the temporary directory")] = False,
    port: Annotated[int, typer.Option(help="port for the demo server (0: any free port)")] = 0,
) -> None:
    """The scenario end to end: a server, the example repository, a scanner's callbacks."""
    from .demo import run_demo

    raise typer.Exit(asyncio.run(run_demo(console, keep=keep, port=port)))

token_app = typer.Typer(help="Repository tokens (needs the admin token in DISPATCHD_TOKEN).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    repo: Annotated[str, typer.Argument(help="OWNER/NAME the token is for")],
    scope: Annotated[str, typer.Option(help="read, dispatch (read + dispatch) or write (also cancel, re-run, issues)")],
    login: Annotated[str | None, typer.Option(help="who the token acts as (GET /user, run actor)")] = None,
    note: Annotated[str | None, typer.Option(help="a note to remember it by")] = None,
) -> None:
    """Make a token for one repository; prints the token alone (it is shown only this once)."""
    if scope not in ("read", "dispatch", "write"):
        raise _fail(f"--scope {scope}: expected read, dispatch or write")
    with api_client() as client:
        created = client.create_token(repo, scope, login=login, note=note)
    print(created["token"])


@token_app.command("revoke")
def token_revoke(token: Annotated[str, typer.Argument(help="the token, or its id")]) -> None:
    """Revoke a token at once."""
    with Client() as client:
        try:
            client.revoke_token(token)
        except ApiError as e:
            raise _fail("no such live token" if e.status == 404 else e.message) from None
    err.print("revoked", highlight=False)


@token_app.command("list")
def token_list() -> None:
    """The tokens made through the API (never the tokens themselves)."""
    with api_client() as client:
        rows = client.tokens()
    table = Table("id", "repository", "scope", "login", "created", "revoked", "note")
    for t in rows:
        table.add_row(*(Text(str(c or "")) for c in (t["id"], t["repository"], t["scope"], t["login"],
                                                      t["created_at"], t["revoked_at"], t["note"])))
    _wide(console).print(table)


webhook_app = typer.Typer(help="Repository webhooks: workflow_run and workflow_job deliveries.", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")


@webhook_app.command("add")
def webhook_add(
    repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
    url: Annotated[str, typer.Argument(help="where to POST the events")],
    secret: Annotated[str | None, typer.Option(help="signs each delivery (X-Hub-Signature-256)")] = None,
    event: Annotated[list[str] | None, typer.Option("--event", help="workflow_run, workflow_job or * (default both)")] = None,
) -> None:
    """Add a webhook; prints its id."""
    with api_client() as client:
        hook = client.create_hook(repo, url, secret=secret, events=event or None)
    print(hook["id"])


@webhook_app.command("list")
def webhook_list(repo: Annotated[str, typer.Argument(help="OWNER/NAME")]) -> None:
    """The repository's webhooks."""
    with api_client() as client:
        hooks = client.hooks(repo)
    table = Table("id", "url", "events", "active")
    for h in hooks:
        table.add_row(*(Text(str(c)) for c in (h["id"], h["config"]["url"], ",".join(h["events"]), h["active"])))
    _wide(console).print(table)


@webhook_app.command("remove")
def webhook_remove(repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
                   hook_id: Annotated[int, typer.Argument(help="the webhook's id")]) -> None:
    """Delete a webhook and its deliveries."""
    with api_client() as client:
        client.delete_hook(repo, hook_id)


@webhook_app.command("deliveries")
def webhook_deliveries(repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
                       hook_id: Annotated[int, typer.Argument(help="the webhook's id")],
                       limit: Annotated[int, typer.Option(help="how many, newest first")] = 30) -> None:
    """Recent deliveries: id, event, action, state, attempts, HTTP status."""
    with api_client() as client:
        rows = client.deliveries(repo, hook_id, per_page=min(limit, 100))
    table = Table("id", "guid", "event", "action", "state", "attempts", "status")
    for d in rows:
        table.add_row(*(Text(str(c)) for c in (d["id"], d["guid"], d["event"], d["action"] or "", d.get("state", ""),
                                                d.get("attempts", ""), d["status"])))
    _wide(console).print(table)


@webhook_app.command("redeliver")
def webhook_redeliver(repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
                      hook_id: Annotated[int, typer.Argument(help="the webhook's id")],
                      delivery_id: Annotated[int, typer.Argument(help="the delivery's id")]) -> None:
    """Send a delivery again (same GUID, marked as a redelivery)."""
    with api_client() as client:
        client.redeliver(repo, hook_id, delivery_id)


secret_app = typer.Typer(help="Repository secrets (needs the admin token in DISPATCHD_TOKEN).", no_args_is_help=True)
app.add_typer(secret_app, name="secret")


@secret_app.command("set")
def secret_set(repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
               name: Annotated[str, typer.Argument(help="the secret's name")]) -> None:
    """Set a secret; the value is read from standard input (a final newline is dropped)."""
    value = sys.stdin.read()
    if value.endswith("\n"):
        value = value[:-1]
    with api_client() as client:
        created = client.set_secret(repo, name, value)
    console.print(f"{'created' if created else 'updated'} secret {name.upper()} of {repo}", highlight=False,
                  markup=False)


@secret_app.command("list")
def secret_list(repo: Annotated[str, typer.Argument(help="OWNER/NAME")]) -> None:
    """The repository's secret names (values are never shown)."""
    with api_client() as client:
        rows = client.secrets(repo)
    for row in rows:
        print(f"{row['name']}\t{row['updated_at']}")


@secret_app.command("delete")
def secret_delete(repo: Annotated[str, typer.Argument(help="OWNER/NAME")],
                  name: Annotated[str, typer.Argument(help="the secret's name")]) -> None:
    """Delete a secret."""
    with api_client() as client:
        client.delete_secret(repo, name)


def main() -> None:  # pragma: no cover
    app()
