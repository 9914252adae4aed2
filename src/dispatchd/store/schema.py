"""The database tables. The store is the one source of truth: what was acknowledged is here.

Portable SQLAlchemy Core only: the same tables serve SQLite (embedded default) and PostgreSQL.
JSON columns hold GitHub-shaped documents (payloads, contexts) that are read whole.
Times are UTC seconds since the epoch as floats (cheap to compare for leases; formatted as
GitHub's ``YYYY-MM-DDTHH:MM:SSZ`` by the API).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only gives AUTOINCREMENT-like rowids to INTEGER PRIMARY KEY; BigInteger elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")
# Tables whose rows can be deleted say ``sqlite_autoincrement=True``: GitHub never hands out an
# id twice, and SQLite would reuse the largest id after its row is deleted (a retried DELETE of a
# release, a run or a reaction could then remove the newer object that took its id).

repositories = Table(
    "repositories",
    metadata,
    Column("id", Id, primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("name", String(100), nullable=False),
    Column("path", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("owner", "name", name="uq_repositories_full_name"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("event_name", String(64), nullable=False),  # repository_dispatch, workflow_dispatch, ...
    Column("event_type", String(100)),  # the dispatch's event_type (github.event.action)
    Column("client_payload", JSON),
    # The whole github.event, when it was given verbatim (one-shot runs, other event kinds);
    # otherwise the engine builds it from the fields here.
    Column("payload", JSON),
    Column("sender", String(100), nullable=False),
    Column("ref", Text),  # workflow_dispatch: the ref asked for
    Column("inputs", JSON),  # workflow_dispatch: inputs as sent
    Column("workflow_path", Text),  # workflow_dispatch: the one workflow to run
    Column("idempotency_key", String(200)),
    Column("origin_event_id", Id),  # a replay names the event it replays
    Column("target_job_id", Id),  # a capability callback: the one job whose wait it resumes
    Column("processed", Boolean, nullable=False, default=False),
    Column("decisions", JSON),  # per workflow: matched, or why not (filled when processed)
    Column("head_sha", String(64)),
    Column("created_at", Float, nullable=False),
    Index("ix_events_unprocessed", "processed", "id"),
    Index("ix_events_repository", "repository_id", "id"),
)

workflows = Table(
    "workflows",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("name", Text),
    Column("last_run_number", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "path", name="uq_workflows_path"),
)

workflow_runs = Table(
    "workflow_runs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("workflow_id", Id, ForeignKey("workflows.id"), nullable=False),
    Column("event_id", Id, ForeignKey("events.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("display_title", Text, nullable=False),
    Column("event", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20)),
    Column("run_number", Integer, nullable=False),
    Column("run_attempt", Integer, nullable=False, default=1),
    Column("head_sha", String(64), nullable=False),
    Column("head_branch", Text),
    Column("actor", String(100), nullable=False),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    # concurrency: the evaluated group (repository-wide) and whether a newer run cancels this one.
    Column("concurrency_group", Text),
    Column("concurrency_cancel", Boolean, nullable=False, default=False),
    # The workflow as it was loaded for this run (plain data): re-runs and late evaluation use it.
    Column("workflow", JSON, nullable=False),
    Column("contexts", JSON, nullable=False),  # github, env, vars, inputs: what every job starts from
    Column("error", Text),  # an invalid workflow file: file:line and reason
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("run_started_at", Float),
    Index("ix_runs_repository", "repository_id", "id"),
    Index("ix_runs_status", "status"),
    Index("ix_runs_concurrency", "repository_id", "concurrency_group", "status"),
    sqlite_autoincrement=True,
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("run_id", Id, ForeignKey("workflow_runs.id"), nullable=False),
    Column("run_attempt", Integer, nullable=False, default=1),
    Column("job_key", Text, nullable=False),  # jobs.<job_key>
    Column("name", Text, nullable=False),
    # pending: waiting for needs; queued: ready for a runner; in_progress; completed.
    Column("state", String(20), nullable=False),
    Column("conclusion", String(20)),
    Column("matrix", JSON),  # this leg's matrix values, or null
    Column("labels", JSON),  # evaluated runs-on labels
    Column("assignment", JSON),  # the JobAssignment, built when the job became queued
    Column("outputs", JSON),
    Column("steps", JSON),  # [{number, name, status, conclusion, started_at, completed_at}]
    Column("annotations", JSON),
    Column("continue_on_error", Boolean, nullable=False, default=False),
    # Reusable workflows: a caller job holds {"path", "text", "inputs", "secrets", "outputs"} of
    # the workflow it calls; each job of that workflow holds {"parent": caller job id}.
    Column("call", JSON),
    # Job-level concurrency group, and a cancel asked of this job alone (fail-fast, concurrency).
    Column("concurrency_group", Text),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("runner_name", Text),
    Column("lease_expires_at", Float),
    Column("error", Text),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("completed_at", Float),
    Index("ix_jobs_run", "run_id"),
    Index("ix_jobs_state", "state", "id"),
    sqlite_autoincrement=True,
)

job_logs = Table(
    "job_logs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("job_id", Id, ForeignKey("jobs.id"), nullable=False),
    Column("text", Text, nullable=False),  # one or more complete lines, each ending in \n
    Index("ix_job_logs_job", "job_id", "id"),
    sqlite_autoincrement=True,
)

# -- the REST API's own records (tokens, issues, webhooks, earlier run attempts) ---------------

tokens = Table(
    "tokens",
    metadata,
    Column("id", Id, primary_key=True),
    # sha256 of the token, hex: the token itself is shown once and never stored.
    Column("token_hash", String(64), nullable=False),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("scope", String(20), nullable=False),  # dispatch, read, write
    Column("login", String(100), nullable=False),  # who the token acts as (GET /user, sender, actor)
    Column("job_id", Id),  # a job's GITHUB_TOKEN: revoked when the job completes
    Column("note", Text),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),
    Column("revoked_at", Float),
    Column("permissions", JSON),  # a job token's GITHUB_TOKEN permissions: {"levels": {...}, "others"}
    UniqueConstraint("token_hash", name="uq_tokens_hash"),
    Index("ix_tokens_job", "job_id"),
)

run_attempts = Table(
    "run_attempts",
    metadata,
    # The run as it stood when a re-run replaced this attempt (the run row holds the latest).
    Column("id", Id, primary_key=True),
    Column("run_id", Id, ForeignKey("workflow_runs.id"), nullable=False),
    Column("run_attempt", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20)),
    Column("actor", String(100), nullable=False),
    Column("run_started_at", Float),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("run_id", "run_attempt", name="uq_run_attempts"),
    sqlite_autoincrement=True,
)

issues = Table(
    "issues",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("number", Integer, nullable=False),  # per repository, from 1
    Column("title", Text, nullable=False),
    Column("body", Text),
    Column("state", String(10), nullable=False),  # open, closed
    Column("state_reason", String(20)),
    Column("labels", JSON, nullable=False),  # [name, ...]
    Column("assignees", JSON, nullable=False),  # [login, ...]
    Column("author", String(100), nullable=False),
    Column("comments", Integer, nullable=False, default=0),
    Column("locked", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("closed_at", Float),
    UniqueConstraint("repository_id", "number", name="uq_issues_number"),
    Index("ix_issues_state", "repository_id", "state", "id"),
)

issue_comments = Table(
    "issue_comments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("issue_id", Id, ForeignKey("issues.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_issue_comments_issue", "issue_id", "id"),
)

# A reaction by one user to an issue or an issue comment; GitHub keeps one of each content per
# user and subject (a second identical POST answers 200 with the first).
reactions = Table(
    "reactions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("subject", String(20), nullable=False),  # issue, issue_comment
    Column("subject_id", Id, nullable=False),  # issues.id or issue_comments.id
    Column("login", String(100), nullable=False),
    Column("content", String(20), nullable=False),  # +1, -1, laugh, confused, heart, hooray, rocket, eyes
    Column("created_at", Float, nullable=False),
    UniqueConstraint("subject", "subject_id", "login", "content", name="uq_reactions_once"),
    sqlite_autoincrement=True,
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text),  # sealed with the secrets' key (older rows: as given); signing opens it
    Column("content_type", String(10), nullable=False, default="json"),
    Column("events", JSON, nullable=False),  # ["workflow_run", "workflow_job"] or ["*"]
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

webhook_emitted = Table(
    "webhook_emitted",
    metadata,
    # Which (object, action) pairs have become deliveries: each is emitted once per hook.
    Column("hook_id", Id, ForeignKey("webhooks.id"), primary_key=True),
    Column("kind", String(20), primary_key=True),  # workflow_run, workflow_job
    Column("object_id", Id, primary_key=True),
    Column("run_attempt", Integer, primary_key=True),
    Column("last_action", String(20), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("hook_id", Id, ForeignKey("webhooks.id"), nullable=False),
    Column("guid", String(36), nullable=False),  # X-GitHub-Delivery; a redelivery keeps it
    Column("event", String(40), nullable=False),
    Column("action", String(40)),
    Column("payload", Text, nullable=False),  # the exact body sent (the signature covers these bytes)
    Column("redelivery", Boolean, nullable=False, default=False),
    # pending (to send, at next_attempt_at), delivered, failed (gave up after retries)
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float),
    Column("claimed_until", Float),
    Column("status_code", Integer),
    Column("status", Text),  # GitHub's text: "OK", "Invalid HTTP Response: 500", ...
    Column("duration", Float),  # seconds of the last attempt
    Column("request_headers", JSON),
    Column("response_headers", JSON),
    Column("response_body", Text),
    Column("created_at", Float, nullable=False),
    Column("delivered_at", Float),
    Index("ix_webhook_deliveries_state", "state", "next_attempt_at"),
    Index("ix_webhook_deliveries_hook", "hook_id", "id"),
    sqlite_autoincrement=True,
)

# -- jobs waiting for a dispatch (dispatchd/wait-for-dispatch) ---------------------------------

waits = Table(
    "waits",
    metadata,
    Column("id", Id, primary_key=True),
    Column("job_id", Id, ForeignKey("jobs.id"), nullable=False),
    Column("run_id", Id, ForeignKey("workflow_runs.id"), nullable=False),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("event_type", String(100)),  # null: any event type
    Column("match", Text),  # an expression without ${{ }}; empty: any event of the type
    # Fast path for `github.event.<path> == <value known when the wait began>`: the path
    # ("client_payload.scan_id") and the value lower-cased, so a dispatch finds its wait by index.
    Column("match_path", Text),
    Column("match_key", Text),
    Column("contexts", JSON, nullable=False),  # the job's contexts when the wait began
    Column("step_number", Integer, nullable=False),
    # waiting, resumed, timed_out, cancelled
    Column("status", String(20), nullable=False),
    Column("event_id", Id),  # the dispatch that resumed it
    Column("deadline", Float, nullable=False),
    Column("since", Float, nullable=False),  # events from this time on may resume it
    Column("created_at", Float, nullable=False),
    Column("resolved_at", Float),
    Index("ix_waits_open", "repository_id", "status", "event_type", "match_path", "match_key"),
    Index("ix_waits_deadline", "status", "deadline"),
)

# -- repository secrets (encrypted at rest) -----------------------------------------------------

secrets = Table(
    "secrets",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("ciphertext", Text, nullable=False),  # Fernet token of the value
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repository_id", "name", name="uq_secrets_name"),
)

# -- pull requests, check runs, commit statuses --------------------------------------------------

pulls = Table(
    "pulls",
    metadata,
    # A pull request is an issue too (GitHub): its number, title, body, state and comments live in
    # its ``issues`` row; this row holds what only pull requests have.
    Column("id", Id, primary_key=True),
    Column("issue_id", Id, ForeignKey("issues.id"), nullable=False),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("head_ref", Text, nullable=False),  # branch names, without refs/heads/
    Column("base_ref", Text, nullable=False),
    # The tips when last recorded (at creation, close or merge): an open pull request shows the
    # branches' current tips, a closed one these.
    Column("head_sha", String(64), nullable=False),
    Column("base_sha", String(64), nullable=False),
    Column("draft", Boolean, nullable=False, default=False),
    Column("maintainer_can_modify", Boolean, nullable=False, default=False),
    Column("merged_at", Float),
    Column("merged_by", String(100)),
    Column("merge_commit_sha", String(64)),
    UniqueConstraint("issue_id", name="uq_pulls_issue"),
    Index("ix_pulls_head", "repository_id", "head_ref", "base_ref"),
)

check_runs = Table(
    "check_runs",
    metadata,
    # A job is its check run (GitHub: same id). A row here is what "Update a check run" changed of
    # it; the job's own completion after that update wins again, as the runner's does on GitHub.
    Column("job_id", Id, ForeignKey("jobs.id"), primary_key=True),
    Column("name", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("conclusion", String(20)),
    Column("started_at", Float),
    Column("completed_at", Float),
    Column("details_url", Text),
    Column("external_id", Text),
    Column("output", JSON),  # {title, summary, text}
    Column("updated_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

statuses = Table(
    "statuses",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    Column("sha", String(64), nullable=False),
    Column("state", String(10), nullable=False),  # error, failure, pending, success
    Column("target_url", Text),
    Column("description", Text),
    Column("context", String(255), nullable=False),
    Column("creator", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_statuses_sha", "repository_id", "sha", "id"),
)

# -- releases and their assets (REST "Releases", "Release assets") ------------------------------

releases = Table(
    "releases",
    metadata,
    Column("id", Id, primary_key=True),
    Column("repository_id", Id, ForeignKey("repositories.id"), nullable=False),
    # Not unique: drafts may share a tag; one published release per tag is checked on write.
    Column("tag_name", Text, nullable=False),
    Column("target_commitish", Text, nullable=False),  # as given: a branch name or a commit sha
    Column("name", Text),
    Column("body", Text),
    Column("draft", Boolean, nullable=False, default=False),
    Column("prerelease", Boolean, nullable=False, default=False),
    # make_latest as last given (true, false, legacy); "false" keeps the release from being latest.
    Column("make_latest", String(10), nullable=False, default="true"),
    # The release made latest explicitly (at most one per repository); without one, the newest
    # published full release is the latest.
    Column("latest", Boolean, nullable=False, default=False),
    Column("author", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("published_at", Float),
    Index("ix_releases_repository", "repository_id", "id"),
    Index("ix_releases_tag", "repository_id", "tag_name"),
    sqlite_autoincrement=True,
)

release_assets = Table(
    "release_assets",
    metadata,
    Column("id", Id, primary_key=True),
    Column("release_id", Id, ForeignKey("releases.id"), nullable=False),
    Column("name", Text, nullable=False),  # unique in its release
    Column("label", Text),
    Column("content_type", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),  # bytes
    Column("digest", String(80), nullable=False),  # sha256:<hex>
    # The bytes themselves: an upload is one request body (at most the request limit), and the
    # database is what several servers share.
    Column("content", LargeBinary, nullable=False),
    Column("download_count", Integer, nullable=False, default=0),
    Column("uploader", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_release_assets_release", "release_id", "id"),
    sqlite_autoincrement=True,
)
