"""Issues and comments with GitHub's fields, filters, paging and refusals."""

from __future__ import annotations

CREATE_DOC = "https://docs.github.com/rest/issues/issues#create-an-issue"


async def test_create_get_update_and_comment(srv):
    r = await srv.http.post("/repos/acme/app/issues", json={
        "title": "CVE-2023-32681 in requests", "body": "Upgrade to 2.31.0", "labels": ["security", {"name": "cve"}],
        "assignees": ["octo"], "unknown": "ignored, as GitHub does"})
    assert r.status_code == 201, r.text
    issue = r.json()
    assert r.headers["location"] == issue["url"] == f"{srv.base_url}/repos/acme/app/issues/1"
    assert (issue["number"], issue["title"], issue["body"], issue["state"], issue["comments"]) == (
        1, "CVE-2023-32681 in requests", "Upgrade to 2.31.0", "open", 0)
    assert [label["name"] for label in issue["labels"]] == ["security", "cve"]
    assert issue["user"]["login"] == "dispatchd-admin" and issue["assignee"]["login"] == "octo"
    assert issue["html_url"] == f"{srv.base_url}/acme/app/issues/1" and issue["closed_at"] is None
    assert (await srv.http.get("/repos/acme/app/issues/1")).json() == issue

    r = await srv.http.post("/repos/acme/app/issues/1/comments", json={"body": "on it"})
    assert r.status_code == 201
    comment = r.json()
    assert comment["body"] == "on it" and comment["issue_url"] == issue["url"]
    assert r.headers["location"] == comment["url"]
    assert comment["html_url"] == f"{srv.base_url}/acme/app/issues/1#issuecomment-{comment['id']}"
    assert [c["body"] for c in (await srv.http.get("/repos/acme/app/issues/1/comments")).json()] == ["on it"]
    assert (await srv.http.get("/repos/acme/app/issues/1")).json()["comments"] == 1

    r = await srv.http.patch("/repos/acme/app/issues/1", json={"state": "closed", "title": "fixed", "labels": []})
    closed = r.json()
    assert (closed["state"], closed["state_reason"], closed["title"], closed["labels"]) == (
        "closed", "completed", "fixed", [])
    assert closed["closed_at"] is not None and closed["body"] == "Upgrade to 2.31.0"
    reopened = (await srv.http.patch("/repos/acme/app/issues/1", json={"state": "open"})).json()
    assert (reopened["state"], reopened["state_reason"], reopened["closed_at"]) == ("open", "reopened", None)
    # An integer title is GitHub's too.
    assert (await srv.http.post("/repos/acme/app/issues", json={"title": 42})).json()["title"] == "42"


async def test_list_filters_and_paging(srv):
    for i in range(1, 8):
        labels = ["cve"] + (["high"] if i % 2 else [])
        assert (await srv.http.post("/repos/acme/app/issues", json={"title": f"i{i}", "labels": labels})).status_code == 201
    await srv.http.patch("/repos/acme/app/issues/2", json={"state": "closed"})
    listed = (await srv.http.get("/repos/acme/app/issues")).json()
    assert [i["number"] for i in listed] == [7, 6, 5, 4, 3, 1]
    assert [i["number"] for i in (await srv.http.get("/repos/acme/app/issues", params={"state": "closed"})).json()] == [2]
    assert len((await srv.http.get("/repos/acme/app/issues", params={"state": "all"})).json()) == 7
    high = await srv.http.get("/repos/acme/app/issues", params={"labels": "cve,HIGH", "direction": "asc"})
    assert [i["number"] for i in high.json()] == [1, 3, 5, 7]
    page = await srv.http.get("/repos/acme/app/issues", params={"state": "all", "per_page": 3, "page": 2})
    assert [i["number"] for i in page.json()] == [4, 3, 2]
    link = page.headers["link"]
    assert 'rel="next"' in link and 'rel="prev"' in link and 'page=3' in link
    r = await srv.http.get("/repos/acme/app/issues", params={"state": "weird"})
    assert r.status_code == 422


async def test_refusals(srv):
    r = await srv.http.post("/repos/acme/app/issues", json={"body": "no title"})
    assert r.status_code == 422
    assert r.json() == {"message": "Validation Failed", "documentation_url": CREATE_DOC, "status": "422",
                        "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}]}
    for body in ({"title": ["x"]}, {"title": "t", "labels": "x"}, {"title": "t", "body": 5},
                 {"title": "x" * 300}, {"title": "a\u0000b"}):
        r = await srv.http.post("/repos/acme/app/issues", json=body)
        assert r.status_code == 422, body
    assert (await srv.http.post("/repos/acme/app/issues", content=b"{")).status_code == 400
    assert (await srv.http.get("/repos/acme/app/issues/99")).status_code == 404
    assert (await srv.http.post("/repos/acme/app/issues/99/comments", json={"body": "x"})).status_code == 404
    await srv.http.post("/repos/acme/app/issues", json={"title": "t"})
    r = await srv.http.post("/repos/acme/app/issues/1/comments", json={})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "missing_field"
    assert (await srv.http.patch("/repos/acme/app/issues/1", json={"state": "gone"})).status_code == 422
    # Issues belong to their repository.
    assert (await srv.http.get("/repos/acme/other/issues/1")).status_code == 404
