// Octokit (@octokit/rest) against a dispatchd server: the calls users write, end to end.
// Usage: node test_octokit_calls.mjs BASE_URL TOKEN   (prints one JSON object of findings)
import { Octokit } from "@octokit/rest";

const [baseUrl, token] = process.argv.slice(2);
const octokit = new Octokit({ baseUrl, auth: token, userAgent: "dispatchd-tests" });
const owner = "acme";
const repo = "app";
const out = {};

async function waitRuns(count) {
  for (let i = 0; i < 400; i++) {
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, per_page: 100 });
    if (data.total_count >= count && data.workflow_runs.every((r) => r.status === "completed")) return data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("runs did not complete");
}

const { data: repository } = await octokit.rest.repos.get({ owner, repo });
out.full_name = repository.full_name;

const dispatched = await octokit.rest.repos.createDispatchEvent({
  owner, repo, event_type: "ping", client_payload: { n: "octokit" },
});
out.dispatch_status = dispatched.status;

const wf = await octokit.rest.actions.createWorkflowDispatch({
  owner, repo, workflow_id: "manual.yml", ref: "main", inputs: { cve: "CVE-2023-32681" },
});
out.workflow_dispatch_status = wf.status;

const runs = await waitRuns(2);
out.runs = runs.workflow_runs.map((r) => [r.event, r.conclusion]).sort();
const ping = runs.workflow_runs.find((r) => r.event === "repository_dispatch");
const { data: jobs } = await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: ping.id });
out.jobs = jobs.jobs.map((j) => [j.name, j.conclusion]);
const log = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner, repo, job_id: jobs.jobs[0].id });
out.log_has_pong = String(log.data).includes("pong octokit");

const { data: workflows } = await octokit.rest.actions.listRepoWorkflows({ owner, repo });
out.workflows = workflows.workflows.map((w) => w.path).sort();

const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: "from octokit", labels: ["bug"] });
out.issue_number = issue.number;
await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: "a comment" });
for (let i = 0; i < 4; i++) await octokit.rest.issues.create({ owner, repo, title: `more ${i}` });
// paginate follows the Link header.
const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, per_page: 2 });
out.paginated = all.map((i) => i.number);
await octokit.rest.issues.update({ owner, repo, issue_number: issue.number, state: "closed" });
const { data: closed } = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
out.closed = [closed.state, closed.comments];

try {
  await octokit.rest.repos.get({ owner, repo: "nothing" });
} catch (e) {
  out.missing = [e.status, e.response.data.message];
}
try {
  await octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: "" });
} catch (e) {
  out.invalid = [e.status, e.response.data.message];
}
console.log(JSON.stringify(out));
