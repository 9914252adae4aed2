"""GET and PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} (create-or-update-comment uses both)."""

from __future__ import annotations


async def test_get_and_update_a_comment(srv):
    issue = (await srv.http.post("/repos/acme/app/issues", json={"title": "CVE-2023-32681 in requests"})).json()
    made = await srv.http.post(f"/repos/acme/app/issues/{issue['number']}/comments", json={"body": "first"})
    comment = made.json()
    got = await srv.http.get(f"/repos/acme/app/issues/comments/{comment['id']}")
    assert got.status_code == 200 and got.json()["body"] == "first"
    assert got.json()["issue_url"].endswith(f"/repos/acme/app/issues/{issue['number']}")
    patched = await srv.http.patch(f"/repos/acme/app/issues/comments/{comment['id']}", json={"body": "second"})
    assert patched.status_code == 200 and patched.json()["body"] == "second"
    listed = (await srv.http.get(f"/repos/acme/app/issues/{issue['number']}/comments")).json()
    assert [c["body"] for c in listed] == ["second"]
    missing = await srv.http.get("/repos/acme/app/issues/comments/999999")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    no_body = await srv.http.patch(f"/repos/acme/app/issues/comments/{comment['id']}", json={})
    assert no_body.status_code == 422
    assert no_body.json()["errors"] == [{"resource": "IssueComment", "field": "body", "code": "missing_field"}]
