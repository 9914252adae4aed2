"""Built-in ``JasonEtco/create-an-issue``: an issue from a Markdown template with YAML front
matter (``title``, ``labels``, ``assignees``, ``milestone``), rendered with the event's context.

GitHub source: ``JasonEtco/create-an-issue: src/action.ts``. The token is the ``GITHUB_TOKEN``
environment variable (the action's toolkit requires it). Title and body are rendered as Nunjucks
templates over ``{...context, repo, env, date}``: ``payload``, ``eventName``, ``sha``, ``ref``,
``workflow``, ``action``, ``actor``, ``job``, ``runNumber``, ``runId``, ``repo.owner``/``repo.repo``,
``env.<NAME>`` (the step's environment) and ``date`` (milliseconds). dispatchd renders
``{{ dotted.path }}`` substitutions (a missing value renders as nothing, as in Nunjucks); filters
other than ``default`` and block tags are not supported. ``update_existing`` looks for an issue
with exactly the same title (state per ``search_existing``): ``true`` updates it, ``false`` leaves
it. Outputs ``number`` and ``url``; log ``Created issue <title>#<number>: <url>``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any, ClassVar

import yaml  # type: ignore[import-untyped]

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, info
from dispatchd.runner.jobstate import JobState, StepRun

_TAG = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_FRONT = re.compile(r"\A(?:\ufeff)?---\s*\r?\n(.*?)\r?\n---\s*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(attributes, body) as the ``front-matter`` package splits them."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    attributes = yaml.safe_load(match.group(1)) or {}
    return (attributes if isinstance(attributes, dict) else {}), text[match.end() :]


def _lookup(variables: dict[str, Any], path: str) -> Any:
    value: Any = variables
    for part in re.findall(r"[^.\[\]'\"]+", path):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def render(template: str, variables: dict[str, Any]) -> str:
    """``{{ a.b }}`` and ``{{ a.b | default("x") }}`` substituted from ``variables``."""

    def one(match: re.Match[str]) -> str:
        expr, *filters = [p.strip() for p in match.group(1).split("|")]
        value = _lookup(variables, expr)
        for f in filters:
            m = re.fullmatch(r"default\((['\"])(.*)\1\)", f)
            if m and value is None:
                value = m.group(2)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return "[object Object]" if isinstance(value, dict) else ",".join(map(str, value))
        return str(value)

    return _TAG.sub(one, template)


def list_to_array(value: Any) -> list[str]:
    """The action's ``listToArray``: a list as is, a string split on ``, ``."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value).split(", ") if v]


class CreateAnIssue(Builtin):
    action = "JasonEtco/create-an-issue"
    # action.yml of JasonEtco/create-an-issue v2.
    inputs: ClassVar[dict[str, str | None]] = {
        "assignees": None,
        "milestone": None,
        "filename": ".github/ISSUE_TEMPLATE.md",
        "update_existing": None,
        "search_existing": "open",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        env = step.env
        token = env.get("GITHUB_TOKEN") or ""
        if not token:
            raise StepFailed("The following secrets are required for this GitHub Action to run: GITHUB_TOKEN")
        filename = inputs.get("filename") or ".github/ISSUE_TEMPLATE.md"
        path = os.path.join(job.workspace, filename)
        if not os.path.isfile(path):
            raise StepFailed(
                f"An error occurred while loading the template {filename}: "
                f"ENOENT: no such file or directory, open '{path}'"
            )
        attributes, body = split_front_matter(Path(path).read_text(encoding="utf-8"))
        github = job.contexts["github"]
        owner, _, repo = str(github.get("repository") or "").partition("/")
        variables = {
            "payload": github.get("event") or {},
            "eventName": github.get("event_name"),
            "sha": github.get("sha"),
            "ref": github.get("ref"),
            "workflow": github.get("workflow"),
            "action": step.id,
            "actor": github.get("actor"),
            "job": github.get("job"),
            "runNumber": _int(github.get("run_number")),
            "runId": _int(github.get("run_id")),
            "repo": {"owner": owner, "repo": repo},
            "env": step.process_env(job),
            "date": int(time.time() * 1000),
        }
        title = render(str(attributes.get("title") or ""), variables)
        rendered = render(body, variables)
        assignees = list_to_array(inputs.get("assignees")) or list_to_array(attributes.get("assignees"))
        issue: dict[str, Any] = {
            "title": title,
            "body": rendered,
            "assignees": assignees,
            "labels": list_to_array(attributes.get("labels")),
        }
        milestone = _int(inputs.get("milestone") or attributes.get("milestone"))
        if milestone:
            issue["milestone"] = milestone
        api = Api(job, token)
        update = inputs.get("update_existing") or ""
        if update:
            existing = await self.existing(
                api, f"{owner}/{repo}", title, inputs.get("search_existing") or "open"
            )
            if existing is not None:
                if update != "true":
                    info(
                        job,
                        f"Existing issue {existing['title']}#{existing['number']}: {existing['html_url']} found "
                        "but not updated",
                    )
                    self.outputs(step, existing)
                    return "success"
                updated = (
                    await api.call(
                        "PATCH",
                        f"/repos/{owner}/{repo}/issues/{existing['number']}",
                        {"title": title, "body": rendered},
                    )
                ).json()
                self.outputs(step, updated)
                info(job, f"Updated issue {updated['title']}#{updated['number']}: {updated['html_url']}")
                return "success"
        info(job, f"Creating new issue {title}")
        try:
            created = (await api.call("POST", f"/repos/{owner}/{repo}/issues", issue)).json()
        except StepFailed as error:
            raise StepFailed(
                "An error occurred while creating the issue. This might be caused by a malformed issue title, "
                f"or a typo in the labels or assignees. Check {filename}!\n\n{error}"
            ) from None
        self.outputs(step, created)
        info(job, f"Created issue {created['title']}#{created['number']}: {created['html_url']}")
        return "success"

    @staticmethod
    def outputs(step: StepRun, issue: dict[str, Any]) -> None:
        step.outputs["number"] = str(issue["number"])
        step.outputs["url"] = str(issue["html_url"])

    @staticmethod
    async def existing(api: Api, repository: str, title: str, state: str) -> dict[str, Any] | None:
        response = await api.call("GET", f"/repos/{repository}/issues?state={state}&per_page=100")
        for issue in response.json():
            if issue.get("title") == title and "pull_request" not in issue:
                return dict(issue)
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
