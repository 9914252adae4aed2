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
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only gives AUTOINCREMENT-like rowids to INTEGER PRIMARY KEY; BigInteger elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")

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
    # The workflow as it was loaded for this run (plain data): re-runs and late evaluation use it.
    Column("workflow", JSON, nullable=False),
    Column("contexts", JSON, nullable=False),  # github, env, vars, inputs: what every job starts from
    Column("error", Text),  # an invalid workflow file: file:line and reason
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("run_started_at", Float),
    Index("ix_runs_repository", "repository_id", "id"),
    Index("ix_runs_status", "status"),
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
    Column("runner_name", Text),
    Column("lease_expires_at", Float),
    Column("error", Text),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("completed_at", Float),
    Index("ix_jobs_run", "run_id"),
    Index("ix_jobs_state", "state", "id"),
)

job_logs = Table(
    "job_logs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("job_id", Id, ForeignKey("jobs.id"), nullable=False),
    Column("text", Text, nullable=False),  # one or more complete lines, each ending in \n
    Index("ix_job_logs_job", "job_id", "id"),
)
