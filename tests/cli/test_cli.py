"""The ``dispatchd`` command as a user runs it: real processes, a real server on 127.0.0.1,
real git repositories."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fixtures_server import free_port

SHOW = """\
name: show payload
on:
  repository_dispatch:
    types: [evt]
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - name: cve
        run: echo "cve is ${{ github.event.client_payload.cve }}"
      - name: payload as stored
        run: |
          python3 - <<'EOF'
          import json, os
          event = json.load(open(os.environ["GITHUB_EVENT_PATH"]))
          print("payload", json.dumps(event["client_payload"], sort_keys=True))
          EOF
"""

FAIL = """\
name: always fails [ci]
on:
  repository_dispatch:
    types: [evt]
jobs:
  fail:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
"""

# invalid: a job without runs-on (the run fails with the file's error; the others still run)
BROKEN = """\
name: broken
on:
  repository_dispatch:
    types: [evt]
jobs:
  j:
    steps:
      - run: echo never
"""

UNRELATED = """\
name: unrelated
on:
  repository_dispatch:
    types: [other]
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would steer dispatchd or rich."""
    drop = ("DISPATCHD_TOKEN", "DISPATCHD_SERVER", "DISPATCHD_DATA_DIR", "GITHUB_TOKEN", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


def dispatchd(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dispatchd", *args], check=False, capture_output=True, text=True,
                          env=env if env is not None else clean_env(), cwd=cwd, timeout=timeout)


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    base_url: str
    #: stdout and stderr go to a file, so a chatty server never blocks on a full pipe
    log_path: Path

    def get(self, path: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.base_url + path, headers=headers, timeout=10)

    def stop(self) -> str:
        """Interrupt the server as Ctrl-C does; its whole output."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.log_path.read_text()


@pytest.fixture
def serve(tmp_path: Path):
    """``serve(args, env=…)`` starts ``dispatchd serve ARGS --port P`` and returns once it answers."""
    started: list[Served] = []

    def start(args: list[str], env: dict[str, str] | None = None) -> Served:
        port = free_port()
        log_path = tmp_path / f"serve-{len(started)}.out"
        with log_path.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "dispatchd", "serve", *args, "--port", str(port)],
                                    stdout=out, stderr=subprocess.STDOUT,
                                    env=env if env is not None else clean_env(), cwd=tmp_path)
        served = Served(proc, f"http://127.0.0.1:{port}", log_path)
        started.append(served)
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"dispatchd serve exited {proc.returncode}:\n{served.stop()}")
            try:
                served.get("/", None)
                return served
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"dispatchd serve did not answer:\n{served.stop()}") from None
                time.sleep(0.05)

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def app_repo(make_git_repo, tmp_path: Path) -> Path:
    return make_git_repo({".github/workflows/show.yml": SHOW, ".github/workflows/fail.yml": FAIL,
                          ".github/workflows/broken.yml": BROKEN, ".github/workflows/unrelated.yml": UNRELATED},
                         path=tmp_path / "app")


def wait_completed(served: Served, token: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 30
    while True:
        runs = served.get("/repos/acme/app/actions/runs", token).json()["workflow_runs"]
        if len(runs) >= count and all(r["status"] == "completed" for r in runs):
            return runs
        assert time.monotonic() < deadline, runs
        time.sleep(0.05)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of a rich table, as lists of cell texts."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in text.splitlines() if line.startswith("│")]


# --- serve: the admin token -------------------------------------------------------------------


def test_serve_without_token_prints_one_once_and_reuses_it(serve, app_repo, tmp_path):
    data = tmp_path / "state"
    first = serve([f"acme/app={app_repo}", "--data-dir", str(data)])
    token = (data / "admin-token").read_text().strip()
    assert len(token) >= 20
    assert stat.S_IMODE((data / "admin-token").stat().st_mode) == 0o600
    assert first.get("/repos/acme/app", token).json()["full_name"] == "acme/app"
    assert first.get("/repos/acme/app", "wrong").status_code == 401
    assert first.get("/repos/acme/app", None).status_code == 401
    out = first.stop()
    assert first.proc.returncode == 0 and "Traceback" not in out, out  # Ctrl-C stops it cleanly
    assert out.count(token) == 1, out
    assert f"{data}/admin-token" in out
    assert "listening on " + first.base_url in out

    second = serve([f"acme/app={app_repo}", "--data-dir", str(data)])
    assert second.get("/repos/acme/app", token).status_code == 200
    out = second.stop()
    assert token not in out and "admin token" not in out, out
    assert (data / "admin-token").read_text().strip() == token


# --- serve ./repo: names; DISPATCHD_TOKEN ----------------------------------------------------


def test_serve_path_takes_its_name_from_origin_else_the_directory(serve, make_git_repo, tmp_path):
    names = [("octo/scanner", "with-ssh", "git@github.com:octo/scanner.git"),
             ("acme/tool", "with-https", "https://github.com/acme/tool.git"),
             ("local/my-repo", "my-repo", None)]
    for _, folder, remote in names:
        repo = make_git_repo({".github/workflows/show.yml": SHOW}, path=tmp_path / folder)
        if remote:
            subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", remote], check=True)
    # DISPATCHD_TOKEN in the environment is the admin token: nothing printed, nothing stored;
    # the state goes to ./.dispatchd by default
    served = serve(["./with-ssh", "./with-https", "./my-repo"], env=clean_env(DISPATCHD_TOKEN="s3cret-token"))
    for full_name, _, _ in names:
        r = served.get(f"/repos/{full_name}", "s3cret-token")
        assert r.status_code == 200, (full_name, r.text)
        assert r.json()["full_name"] == full_name
    assert served.get("/repos/local/with-ssh", "s3cret-token").status_code == 404
    assert served.get("/repos/octo/scanner", "other").status_code == 401
    out = served.stop()
    for full_name, folder, _ in names:
        assert f"serving {full_name} from {(tmp_path / folder).resolve()}" in out, out
    assert "s3cret-token" not in out and "admin token" not in out
    assert (tmp_path / ".dispatchd").is_dir()
    assert not (tmp_path / ".dispatchd" / "admin-token").exists()


# --- send, runs, logs against a running server ------------------------------------------------


def test_send_runs_and_logs(serve, app_repo, tmp_path):
    served = serve([f"acme/app={app_repo}", "--data-dir", str(tmp_path / "state")],
                   env=clean_env(DISPATCHD_TOKEN="tok"))
    client = clean_env(DISPATCHD_TOKEN="tok", DISPATCHD_SERVER=served.base_url)

    # --payload gives the base object, fields are added over it: -f strings, -F typed as gh api -F
    (tmp_path / "payload.json").write_text(json.dumps({"cve": "CVE-0", "from_file": [True, None]}))
    (tmp_path / "notes.txt").write_text("line 1\nline 2\n")
    sent = dispatchd("send", "acme/app", "evt", "--payload", "@payload.json", "-f", "cve=CVE-1", "-F", "n=3",
                     "-F", "flag=true", "-f", "words=two words", "-F", "obj[a][]=1", "-F", "nan=NaN",
                     "-f", "raw=3", "-F", "notes=@notes.txt", "-F", "none[]", env=client, cwd=tmp_path)
    assert (sent.returncode, sent.stderr) == (0, "")
    runs = wait_completed(served, "tok", 3)
    by_path = {r["path"]: r for r in runs}
    # The receipt: the event, the runs it started, and why the other workflow did not run.
    assert sorted(sent.stdout.strip().splitlines()) == sorted([
        "sent evt to acme/app (event 1)",
        *(f"started run {r['id']}: {r['path']} #1" for r in runs),
        "not run: .github/workflows/unrelated.yml: event type 'evt' is not in types [other]",
    ])
    assert sorted(by_path) == [".github/workflows/broken.yml", ".github/workflows/fail.yml",
                               ".github/workflows/show.yml"]
    ok, failed, broken = (by_path[f".github/workflows/{f}.yml"] for f in ("show", "fail", "broken"))
    assert (ok["conclusion"], failed["conclusion"], broken["conclusion"]) == ("success", "failure", "failure")
    assert (ok["name"], failed["name"]) == ("show payload", "always fails [ci]")

    # `runs` reads GITHUB_TOKEN too; the table has id, workflow, event, status and conclusion, whole
    # cells although stdout is a pipe (where a terminal width would be 80 columns)
    listed = dispatchd("runs", "acme/app", env=clean_env(GITHUB_TOKEN="tok", DISPATCHD_SERVER=served.base_url))
    assert listed.returncode == 0, listed.stderr
    header = next(line for line in listed.stdout.splitlines() if "workflow" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][:6] == ["id", "workflow", "#", "event", "status",
                                                                    "conclusion"]
    rows = {row[0]: row for row in table_rows(listed.stdout)}
    assert rows[str(ok["id"])][:6] == [str(ok["id"]), "show payload", "1", "repository_dispatch", "completed",
                                       "success"]
    assert rows[str(failed["id"])][:6] == [str(failed["id"]), "always fails [ci]", "1", "repository_dispatch",
                                           "completed", "failure"]
    assert rows[str(broken["id"])][3:6] == ["repository_dispatch", "completed", "failure"]
    assert len(rows) == 3

    # --status takes a conclusion too, as GitHub's filter does
    failures = dispatchd("runs", "acme/app", "--status", "failure", env=client)
    assert sorted(row[0] for row in table_rows(failures.stdout)) == sorted([str(failed["id"]), str(broken["id"])])

    as_json = dispatchd("runs", "acme/app", "--json", env=client)
    assert sorted(r["id"] for r in json.loads(as_json.stdout)["workflow_runs"]) == sorted(
        [ok["id"], failed["id"], broken["id"]])

    # `logs`: the payload arrived with its types (n a number, flag a boolean, obj an object, raw a
    # string; NaN is no integer, so a string)
    log = dispatchd("logs", str(ok["id"]), env=client)
    assert log.returncode == 0, log.stderr
    assert "=== show (success)" in log.stdout
    assert "cve is CVE-1" in log.stdout
    assert ('payload {"cve": "CVE-1", "flag": true, "from_file": [true, null], "n": 3, "nan": "NaN", '
            '"none": [], "notes": "line 1\\nline 2\\n", "obj": {"a": [1]}, "raw": "3", "words": "two words"}'
            ) in log.stdout
    log = dispatchd("logs", str(failed["id"]), env=client)
    assert log.returncode == 0, log.stderr
    assert "=== fail (failure)" in log.stdout
    assert "##[error]Process completed with exit code 3." in log.stdout
    log = dispatchd("logs", str(broken["id"]), env=client)
    assert log.returncode == 0, log.stderr
    assert ".github/workflows/broken.yml (Line: 7, Col: 5): Required property is missing: runs-on" in log.stdout

    # errors from the server are one line, no traceback, exit 1
    for args, env, message in [
        (("logs", "999999"), client, "error: run 999999: Not Found"),
        (("send", "acme/nope", "evt"), client, "error: Not Found"),
        (("send", "acme/app", "evt"), clean_env(DISPATCHD_TOKEN="bad", DISPATCHD_SERVER=served.base_url),
         "error: Bad credentials"),
        (("send", "acme/app", "evt"), clean_env(DISPATCHD_SERVER=served.base_url), "error: Requires authentication"),
    ]:
        proc = dispatchd(*args, env=env)
        no_traceback(proc)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert proc.stderr.startswith(message), (args, proc.stderr)
        assert proc.stderr.count("\n") == 1, proc.stderr
    # GitHub's 422 message spans lines ("Invalid request.\n\n<reason>"); it is shown whole
    proc = dispatchd("send", "acme/app", "x" * 101, env=client)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: Invalid request.")
    assert "event_type is too long" in proc.stderr
    # none of them started anything
    assert len(served.get("/repos/acme/app/actions/runs", "tok").json()["workflow_runs"]) == 3


# --- dispatchd run ----------------------------------------------------------------------------

OK_RUN = """\
name: builds
on:
  repository_dispatch:
    types: [go, only-ok]
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - name: version
        id: v
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
      - name: say
        run: echo "hello ${{ github.event.client_payload.who }} from ${{ github.event.action }} in ${{ github.repository }}"
"""

FAIL_RUN = """\
name: fails [ci]
on:
  repository_dispatch:
    types: [go]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - name: soft
        continue-on-error: true
        run: |
          printf 'tab\\tthen :thumbs_up: [b]x[/b]\\n' && exit 2
      - name: boom
        run: echo "failing in ${{ github.repository }}" && exit 1
      - name: after
        run: echo never
"""


@pytest.fixture
def run_repo(make_git_repo, tmp_path: Path) -> Path:
    return make_git_repo({".github/workflows/ok.yml": OK_RUN, ".github/workflows/fail.yml": FAIL_RUN},
                         path=tmp_path / "work")


def event_file(tmp_path: Path, action: str, **extra: object) -> Path:
    path = tmp_path / f"{action}.json"
    path.write_text(json.dumps({"action": action, "client_payload": {"who": "octo"}, **extra}))
    return path


def test_run_json_shape_and_exit_code(run_repo, tmp_path):
    proc = dispatchd("run", "repository_dispatch", "--event", str(event_file(tmp_path, "go")),
                     "--repo", str(run_repo), "--json")
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr  # one of the two runs failed
    runs = sorted(json.loads(proc.stdout)["runs"], key=lambda r: r["workflow"])
    shape = [{"workflow": r["workflow"], "name": r["name"], "conclusion": r["conclusion"],
              "jobs": [{"name": j["name"], "conclusion": j["conclusion"], "outputs": j["outputs"],
                        "steps": [{k: s[k] for k in ("name", "conclusion", "outcome", "outputs")} for s in j["steps"]]}
                       for j in r["jobs"]]} for r in runs]
    assert shape == [
        {"workflow": ".github/workflows/fail.yml", "name": "fails [ci]", "conclusion": "failure",
         "jobs": [{"name": "test", "conclusion": "failure", "outputs": {}, "steps": [
             {"name": "soft", "conclusion": "success", "outcome": "failure", "outputs": {}},
             {"name": "boom", "conclusion": "failure", "outcome": "failure", "outputs": {}},
             {"name": "after", "conclusion": "skipped", "outcome": "skipped", "outputs": {}}]}]},
        {"workflow": ".github/workflows/ok.yml", "name": "builds", "conclusion": "success",
         "jobs": [{"name": "build", "conclusion": "success", "outputs": {"version": "1.2.3"}, "steps": [
             {"name": "version", "conclusion": "success", "outcome": "success", "outputs": {"version": "1.2.3"}},
             {"name": "say", "conclusion": "success", "outcome": "success", "outputs": {}}]}]},
    ]
    # no origin remote and no repository in the event: github.repository is local/<directory>
    ok_log = runs[1]["jobs"][0]["log"]
    assert isinstance(ok_log, str) and "hello octo from go in local/work" in ok_log
    assert "failing in local/work" in runs[0]["jobs"][0]["log"]
    assert "##[error]Process completed with exit code 1." in runs[0]["jobs"][0]["log"]


def test_run_exits_0_only_when_every_run_succeeds(run_repo, tmp_path):
    subprocess.run(["git", "-C", str(run_repo), "remote", "add", "origin", "https://github.com/octo/work.git"],
                   check=True)
    # the event names its repository (as a webhook does): that is github.repository, as on GitHub
    event = event_file(tmp_path, "only-ok", repository={"full_name": "octo-org/demo", "name": "demo"})
    only_ok = dispatchd("run", "repository_dispatch", "--event", str(event), "--repo", str(run_repo), "--json")
    assert only_ok.returncode == 0, only_ok.stderr
    runs = json.loads(only_ok.stdout)["runs"]
    assert [(r["name"], r["conclusion"]) for r in runs] == [("builds", "success")]
    assert "hello octo from only-ok in octo-org/demo" in runs[0]["jobs"][0]["log"]

    # without --json: a readable report, same exit code; -W narrows "go" to the failing workflow
    text = dispatchd("run", "repository_dispatch", "-e", str(event_file(tmp_path, "go")), "--repo", ".",
                     "-W", ".github/workflows/fail.yml", cwd=run_repo)
    no_traceback(text)
    assert text.returncode == 1
    assert "fails [ci] (.github/workflows/fail.yml): failure" in text.stdout
    assert "builds" not in text.stdout
    assert "  job test: failure" in text.stdout
    assert "##[error]Process completed with exit code 1." in text.stdout
    assert "failing in octo/work" in text.stdout  # else from the origin remote, as `serve` names it
    assert "tab\tthen :thumbs_up: [b]x[/b]" in text.stdout  # a log line as the step printed it


# --- bad input --------------------------------------------------------------------------------


@pytest.fixture
def bad_inputs(tmp_path: Path, run_repo: Path) -> Path:
    (tmp_path / "plain").mkdir()
    (tmp_path / "not-json.json").write_text("{nope")
    (tmp_path / "list.json").write_text("[1, 2]")
    return tmp_path


BAD_INPUT = [
    (["serve", "plain"], "error: plain: not a git repository"),
    (["serve", "missing"], "error: missing: no such directory"),
    (["serve", "acme=work"], "error: acme: expected OWNER/NAME"),
    (["serve", "acme/a b=work"], "error: acme/a b: owner and name may use"),
    (["serve", "work", "--db", "nonsense://x"], "error: --db nonsense://x: Can't load plugin"),
    # the password is not echoed
    (["serve", "work", "--db", "postgresql://u:p@127.0.0.1:1/x"],
     "error: --db postgresql://u:***@127.0.0.1:1/x: cannot connect: "),
    (["send", "acme/app", "evt", "-f", "novalue"], "error: -f 'novalue': expected KEY=VALUE"),
    (["send", "acme/app", "evt", "-F", "a=1", "-F", "a[b]=2"], "error: -F 'a[b]=2': 'a' is not an object"),
    (["send", "acme/app", "evt", "-F", "f=@missing.txt"], "error: @missing.txt: No such file"),
    (["send", "acme/app", "evt", "-f", "=v"], "error: -f '=v': expected KEY=VALUE"),
    # a message quoting the user's input shows it as typed (no console markup)
    (["send", "acme/app", "evt", "-f", "[bold]x"], "error: -f '[bold]x': expected KEY=VALUE"),
    (["send", "acme/app", "evt", "--payload", "@missing.json"], "error: --payload @missing.json: No such file"),
    (["send", "acme/app", "evt", "--payload", "{nope"], "error: --payload is not JSON"),
    (["send", "acme/app", "evt", "--payload", "[1]"], "error: --payload: client_payload must be a JSON object"),
    (["send", "acme/app", "evt"], "error: cannot reach http://127.0.0.1:9"),
    (["run", "repository_dispatch", "--event", "missing.json", "--repo", "work"],
     "error: --event missing.json: [Errno 2] No such file or directory"),
    (["run", "repository_dispatch", "--event", "not-json.json", "--repo", "work"], "error: --event not-json.json: "),
    (["run", "repository_dispatch", "--event", "list.json", "--repo", "work"],
     "error: --event list.json: expected a JSON object"),
    (["run", "repository_dispatch", "--repo", "missing"], "error: --repo missing: no such directory"),
    (["run", "repository_dispatch", "--repo", "not-json.json"], "error: --repo not-json.json: no such directory"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT,
                         ids=[" ".join(p.values[0] if hasattr(p, "values") else p[0])[:40] for p in BAD_INPUT])
def test_bad_input_is_one_clear_line(bad_inputs, args, message):
    # port 9 (discard) on loopback: nothing listens there
    proc = dispatchd(*args, env=clean_env(DISPATCHD_SERVER="http://127.0.0.1:9", DISPATCHD_TOKEN="t"),
                     cwd=bad_inputs)
    no_traceback(proc)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith(message), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stdout == ""


# --- send --wait, events, replay ---------------------------------------------------------------


def test_send_wait_streams_logs_and_exits_with_the_runs_result(serve, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/show.yml": SHOW}, path=tmp_path / "app")
    served = serve([f"acme/app={repo}", "--data-dir", str(tmp_path / "state")], env=clean_env(DISPATCHD_TOKEN="tok"))
    client = clean_env(DISPATCHD_TOKEN="tok", DISPATCHD_SERVER=served.base_url)
    ok = dispatchd("send", "acme/app", "evt", "-f", "cve=CVE-2023-32681", "--wait", env=client)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "show payload / show | cve is CVE-2023-32681" in ok.stdout
    assert ok.stdout.strip().endswith("show payload #1: success")
    make_git_repo({".github/workflows/fail.yml": FAIL}, path=repo)
    bad = dispatchd("send", "acme/app", "evt", "--wait", env=client)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "always fails [ci] #1: failure" in bad.stdout
    # Nothing matches: the receipt says why, and --wait has nothing to wait for.
    none = dispatchd("send", "acme/app", "nothing-listens", "--wait", env=client)
    assert none.returncode == 0
    assert "not run: .github/workflows/show.yml: event type 'nothing-listens' is not in types [evt]" in none.stdout

    listed = dispatchd("events", "acme/app", "--json", env=client)
    events = json.loads(listed.stdout)
    assert [e["event_type"] for e in events] == ["nothing-listens", "evt", "evt"]
    assert events[0]["decisions"][0]["matched"] is False

    replayed = dispatchd("replay", str(events[-1]["id"]), env=client)
    assert replayed.returncode == 0, replayed.stderr
    lines = replayed.stdout.strip().splitlines()
    assert lines[0] == f"replayed event {events[-1]['id']} as event {events[0]['id'] + 1}"
    # Today's workflows: the first event now starts both show.yml and fail.yml.
    assert sorted(line.split(": ", 1)[1] for line in lines[1:]) == [
        ".github/workflows/fail.yml #2", ".github/workflows/show.yml #3"]
    missing = dispatchd("replay", "999", env=client)
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: event 999: Not Found")
