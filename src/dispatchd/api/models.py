"""The shapes of requests and responses, for the OpenAPI document (``/openapi.json``).

Routes build GitHub's JSON themselves (``serialize.py``) and read raw bodies (to answer malformed
ones with GitHub's errors); these models describe those shapes so that the served document is
accurate: clients and schemathesis check responses against it. Objects allow further properties,
as GitHub's own schemas grow over time.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(_Open):
    """GitHub's basic-error / validation-error body."""

    message: str
    documentation_url: str
    status: str | None = None
    errors: list[dict[str, Any]] | None = None


class Empty(_Open):
    """``{}``."""


class SimpleUser(_Open):
    login: str
    id: int
    node_id: str
    avatar_url: str
    url: str
    html_url: str
    type: str
    site_admin: bool


class Repository(_Open):
    id: int
    node_id: str
    name: str
    full_name: str
    private: bool
    owner: SimpleUser
    html_url: str
    url: str
    default_branch: str


class WorkflowRunUsage(_Open):
    """A run's usage: billable time per runner OS (empty on dispatchd) and its duration."""

    billable: dict[str, Any]
    run_duration_ms: int


class WorkflowRun(_Open):
    id: int
    name: str | None
    node_id: str
    head_branch: str | None
    head_sha: str
    path: str
    display_title: str
    run_number: int
    run_attempt: int
    event: str
    status: str | None
    conclusion: str | None
    workflow_id: int
    url: str
    html_url: str
    created_at: str
    updated_at: str
    run_started_at: str | None
    actor: SimpleUser
    triggering_actor: SimpleUser
    jobs_url: str
    logs_url: str
    cancel_url: str
    rerun_url: str
    previous_attempt_url: str | None
    workflow_url: str
    pull_requests: list[Any]
    repository: Repository
    error: str | None = Field(None, description="dispatchd: why the run failed before any job started")


class WorkflowRunList(_Open):
    total_count: int
    workflow_runs: list[WorkflowRun]


class Step(_Open):
    name: str | None
    status: str | None
    conclusion: str | None
    number: int | None
    started_at: str | None
    completed_at: str | None


class Job(_Open):
    id: int
    run_id: int
    run_url: str
    run_attempt: int
    node_id: str
    head_sha: str
    head_branch: str | None
    url: str
    html_url: str
    status: str
    conclusion: str | None
    created_at: str | None
    started_at: str | None
    completed_at: str | None
    name: str
    steps: list[Step]
    labels: list[str]
    runner_id: int | None
    runner_name: str | None
    runner_group_id: int | None
    runner_group_name: str | None
    workflow_name: str | None


class JobList(_Open):
    total_count: int
    jobs: list[Job]


class Workflow(_Open):
    id: int
    node_id: str
    name: str
    path: str
    state: str
    created_at: str
    updated_at: str
    url: str
    html_url: str
    badge_url: str


class WorkflowList(_Open):
    total_count: int
    workflows: list[Workflow]


class WorkflowDispatchRequest(BaseModel):
    ref: str = Field(description="branch or tag to run the workflow at")
    inputs: dict[str, Any] | None = Field(None, description="declared on.workflow_dispatch.inputs, at most 25")
    return_run_details: bool | None = Field(None, description="answer 200 with the run instead of 204")


class WorkflowDispatchDetails(_Open):
    """GitHub (changelog 2026-02-19): the run a workflow dispatch started."""

    workflow_run_id: int
    run_url: str
    html_url: str


class RepositoryDispatchRequest(BaseModel):
    event_type: str = Field(min_length=1, max_length=100)
    client_payload: dict[str, Any] | None = Field(None, description="at most 10 top-level properties")


class RerunRequest(BaseModel):
    enable_debug_logging: bool | None = None


class Label(_Open):
    id: int
    node_id: str
    url: str
    name: str
    description: str | None
    color: str
    default: bool


class Issue(_Open):
    id: int
    node_id: str
    number: int
    title: str
    body: str | None
    state: Literal["open", "closed"]
    state_reason: str | None
    user: SimpleUser
    labels: list[Label]
    assignee: SimpleUser | None
    assignees: list[SimpleUser]
    milestone: None
    locked: bool
    comments: int
    created_at: str
    updated_at: str
    closed_at: str | None
    author_association: str
    url: str
    html_url: str
    repository_url: str
    labels_url: str
    comments_url: str
    events_url: str
    pull_request: dict[str, Any] | None = Field(None, description="present when the issue is a pull request")


class IssueList(RootModel[list[Issue]]):
    """A page of issues."""


class IssueCreateRequest(BaseModel):
    title: str | int
    body: str | None = None
    labels: list[str | dict[str, Any]] | None = None
    assignees: list[str] | None = None
    assignee: str | None = None
    milestone: str | int | None = None


class IssueUpdateRequest(BaseModel):
    title: str | int | None = None
    body: str | None = None
    state: Literal["open", "closed"] | None = None
    state_reason: Literal["completed", "not_planned", "reopened"] | None = None
    labels: list[str | dict[str, Any]] | None = None
    assignees: list[str] | None = None


class IssueComment(_Open):
    id: int
    node_id: str
    url: str
    html_url: str
    issue_url: str
    body: str
    user: SimpleUser
    created_at: str
    updated_at: str
    author_association: str


class IssueCommentList(RootModel[list[IssueComment]]):
    """A page of comments."""


class CommentCreateRequest(BaseModel):
    body: str


ReactionContent = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]


class Reaction(_Open):
    id: int
    node_id: str
    user: SimpleUser | None
    content: ReactionContent
    created_at: str


class ReactionList(RootModel[list[Reaction]]):
    """A page of reactions."""


class ReactionCreateRequest(BaseModel):
    content: ReactionContent


class ReleaseAsset(_Open):
    url: str
    browser_download_url: str
    id: int
    node_id: str
    name: str
    label: str | None
    state: Literal["uploaded", "open"]
    content_type: str
    size: int
    digest: str | None
    download_count: int
    created_at: str
    updated_at: str
    uploader: SimpleUser | None


class ReleaseAssetList(RootModel[list[ReleaseAsset]]):
    """A page of a release's assets."""


class Release(_Open):
    url: str
    html_url: str
    assets_url: str
    upload_url: str
    tarball_url: str | None
    zipball_url: str | None
    id: int
    node_id: str
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    immutable: bool
    created_at: str
    updated_at: str | None
    published_at: str | None
    author: SimpleUser
    assets: list[ReleaseAsset]


class ReleaseList(RootModel[list[Release]]):
    """A page of releases, newest first."""


class ReleaseCreateRequest(BaseModel):
    tag_name: str
    target_commitish: str | None = Field(None, description="a branch or a full commit sha (default: the "
                                                           "default branch); where a missing tag is created")
    name: str | None = None
    body: str | None = None
    draft: bool | None = None
    prerelease: bool | None = None
    discussion_category_name: str | None = None
    generate_release_notes: bool | None = None
    make_latest: Literal["true", "false", "legacy"] | None = None


class ReleaseUpdateRequest(BaseModel):
    tag_name: str | None = None
    target_commitish: str | None = None
    name: str | None = None
    body: str | None = None
    draft: bool | None = None
    prerelease: bool | None = None
    discussion_category_name: str | None = None
    make_latest: Literal["true", "false", "legacy"] | None = None


class ReleaseNotesRequest(BaseModel):
    tag_name: str
    target_commitish: str | None = None
    previous_tag_name: str | None = None
    configuration_file_path: str | None = None


class ReleaseNotes(_Open):
    """Generated release notes."""

    name: str
    body: str


class ReleaseAssetUpdateRequest(BaseModel):
    name: str | None = None
    label: str | None = None
    state: str | None = None


class PullRequestRef(_Open):
    label: str
    ref: str
    sha: str
    user: SimpleUser
    repo: Repository | None


class PullRequestSimple(_Open):
    """A pull request as lists show it."""

    id: int
    node_id: str
    number: int
    state: Literal["open", "closed"]
    locked: bool
    title: str
    body: str | None
    user: SimpleUser
    labels: list[Label]
    assignees: list[SimpleUser]
    created_at: str
    updated_at: str
    closed_at: str | None
    merged_at: str | None
    merge_commit_sha: str | None
    head: PullRequestRef
    base: PullRequestRef
    draft: bool
    author_association: str
    url: str
    html_url: str
    issue_url: str
    statuses_url: str


class PullRequest(PullRequestSimple):
    """A pull request."""

    merged: bool
    mergeable: bool | None
    mergeable_state: str
    merged_by: SimpleUser | None
    comments: int
    maintainer_can_modify: bool
    commits: int
    additions: int
    deletions: int
    changed_files: int


class PullRequestList(RootModel[list[PullRequestSimple]]):
    """A page of pull requests."""


class PullRequestCreateRequest(BaseModel):
    title: str | None = None
    head: str = Field(description="branch, or owner:branch")
    base: str
    body: str | None = None
    draft: bool | None = None
    maintainer_can_modify: bool | None = None


class PullRequestUpdateRequest(BaseModel):
    title: str | None = None
    body: str | None = None
    state: Literal["open", "closed"] | None = None
    base: str | None = None
    maintainer_can_modify: bool | None = None


class PullRequestMergeRequest(BaseModel):
    commit_title: str | None = None
    commit_message: str | None = None
    sha: str | None = Field(None, description="the head sha the merge is for (409 when the head moved)")
    merge_method: Literal["merge", "squash", "rebase"] | None = None


class PullRequestMergeResult(_Open):
    """The merge commit."""

    sha: str
    merged: bool
    message: str


class CheckRunOutput(_Open):
    title: str | None
    summary: str | None
    text: str | None
    annotations_count: int
    annotations_url: str


class CheckRun(_Open):
    """A check run: a job, for its run's head commit."""

    id: int
    head_sha: str
    node_id: str
    external_id: str | None
    url: str
    html_url: str | None
    details_url: str | None
    status: str
    conclusion: str | None
    started_at: str | None
    completed_at: str | None
    output: CheckRunOutput
    name: str
    check_suite: dict[str, Any] | None
    app: dict[str, Any] | None
    pull_requests: list[Any]


class CheckRunList(_Open):
    """Check runs of a commit."""

    total_count: int
    check_runs: list[CheckRun]


class CheckRunUpdateRequest(BaseModel):
    name: str | None = None
    details_url: str | None = None
    external_id: str | None = None
    started_at: str | None = None
    status: Literal["queued", "in_progress", "completed"] | None = None
    conclusion: Literal["action_required", "cancelled", "failure", "neutral", "success", "skipped",
                        "timed_out"] | None = None
    completed_at: str | None = None
    output: dict[str, Any] | None = None


class GitActor(_Open):
    """A commit's author or committer as git records them (``date`` in UTC)."""

    name: str
    email: str
    date: str


class CommitFile(_Open):
    """One file a commit changed, against its first parent."""

    sha: str | None
    filename: str
    status: Literal["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]
    additions: int
    deletions: int
    changes: int
    previous_filename: str | None = None


class Commit(_Open):
    """A commit ("Get a commit")."""

    url: str
    sha: str
    node_id: str
    html_url: str
    comments_url: str
    commit: dict[str, Any]
    author: SimpleUser | None
    committer: SimpleUser | None
    parents: list[dict[str, Any]]
    stats: dict[str, int]
    files: list[CommitFile]


class Status(_Open):
    """A commit status."""

    id: int
    node_id: str
    url: str
    avatar_url: str | None
    state: Literal["error", "failure", "pending", "success"]
    description: str | None
    target_url: str | None
    context: str
    created_at: str
    updated_at: str
    creator: SimpleUser | None


class StatusList(RootModel[list[Status]]):
    """Statuses, newest first."""


class CombinedStatus(_Open):
    """The latest status of each context, and their combined state."""

    state: str
    statuses: list[Status]
    sha: str
    total_count: int
    repository: Repository
    commit_url: str
    url: str


class StatusCreateRequest(BaseModel):
    state: Literal["error", "failure", "pending", "success"]
    target_url: str | None = None
    description: str | None = Field(None, max_length=140)
    context: str | None = Field(None, description="default: default")


class TokenCreateRequest(BaseModel):
    repository: str = Field(description="OWNER/NAME")
    scope: Literal["read", "dispatch", "write"]
    login: str | None = Field(None, description="who the token acts as (default: the admin's login)")
    note: str | None = None


class Token(_Open):
    id: int
    repository: str
    scope: str
    login: str
    note: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class TokenCreated(Token):
    token: str = Field(description="shown once; only its sha256 is stored")


class TokenRevokeRequest(BaseModel):
    token: str | None = None
    id: int | None = None


class HookConfig(BaseModel):
    url: str
    content_type: Literal["json", "form"] | None = None
    secret: str | None = None
    insecure_ssl: str | int | None = None


class HookCreateRequest(BaseModel):
    name: str | None = None
    config: HookConfig
    events: list[str] | None = None
    active: bool | None = None


class Hook(_Open):
    type: str
    id: int
    name: str
    active: bool
    events: list[str]
    config: dict[str, Any]
    updated_at: str
    created_at: str
    url: str
    test_url: str
    ping_url: str
    deliveries_url: str


class HookDelivery(_Open):
    id: int
    guid: str
    delivered_at: str | None
    redelivery: bool
    duration: float
    status: str
    status_code: int
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None


class HookList(RootModel[list[Hook]]):
    """The repository's webhooks."""


class HookDeliveryList(RootModel[list[HookDelivery]]):
    """Deliveries, newest first."""


class TokenList(RootModel[list[Token]]):
    """Tokens made through the API (never the tokens themselves)."""


class HookDeliveryDetail(HookDelivery):
    url: str
    request: dict[str, Any]
    response: dict[str, Any]


_QUERY: dict[str, dict[str, Any]] = {
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30},
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "event": {"type": "string"},
    "status": {"type": "string"},
    "branch": {"type": "string"},
    "actor": {"type": "string"},
    "created": {"type": "string", "description": "GitHub's date range: >=2024-01-01, 2024-01-01..2024-02-01"},
    "filter": {"type": "string", "enum": ["latest", "all"]},
    "state": {"type": "string", "enum": ["open", "closed", "all"]},
    "labels": {"type": "string", "description": "comma-separated label names, all must match"},
    "sort": {"type": "string", "enum": ["created", "updated", "comments"]},
    "direction": {"type": "string", "enum": ["asc", "desc"]},
    "since": {"type": "string", "format": "date-time"},
    # NAME:variant documents the query parameter NAME where its schema differs between routes.
    "head": {"type": "string", "description": "owner:branch (a bare branch name is ignored, as on GitHub)"},
    "base": {"type": "string"},
    "sort:pulls": {"type": "string", "enum": ["created", "updated", "popularity", "long-running"]},
    "check_name": {"type": "string"},
    "status:checks": {"type": "string", "enum": ["queued", "in_progress", "completed", "waiting", "requested",
                                                 "pending"]},
    "filter:checks": {"type": "string", "enum": ["latest", "all"], "default": "latest"},
    "content": {"type": "string", "enum": ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]},
    "name": {"type": "string"},
    "label": {"type": "string"},
    "wait": {"type": "number", "minimum": 0, "maximum": 60, "default": 0,
             "description": "dispatchd's own: answer once the run is completed, or after this many seconds"},
}


def query(*names: str) -> dict[str, Any]:
    """``openapi_extra`` that documents query parameters the route reads from the request."""
    return {"parameters": [{"name": n.split(":", 1)[0], "in": "query", "required": False, "schema": _QUERY[n]}
                           for n in names]}


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref[len("#/$defs/"):]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` that documents a JSON body the route reads raw (to answer malformed
    bodies with GitHub's errors rather than FastAPI's). Nested models are inlined."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": required,
                            "content": {"application/json": {"schema": _inline(schema, schema.get("$defs", {}))}}}}


def ok(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route answering ``model`` with ``status``."""
    return {status: {"model": model, "description": model.__doc__.strip().split("\n")[0] if model.__doc__
                     else "Response"}}

