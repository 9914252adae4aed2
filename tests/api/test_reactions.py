"""Reactions to issues and issue comments: create (201, then 200 for the same one), list with the
content filter, the rollup on the issue and comment, delete; GitHub's 4xx for bad input."""

from __future__ import annotations

ALL = ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"]


async def test_comment_reactions_roll_up_and_delete(srv, make_token):
    issue = (await srv.http.post("/repos/acme/app/issues", json={"title": "CVE-2024-3651 in idna"})).json()
    comment = (await srv.http.post(f"/repos/acme/app/issues/{issue['number']}/comments",
                                   json={"body": "/scan"})).json()
    url = f"/repos/acme/app/issues/comments/{comment['id']}/reactions"
    first = await srv.http.post(url, json={"content": "hooray"})
    assert first.status_code == 201, first.text
    reaction = first.json()
    assert reaction["content"] == "hooray" and reaction["user"]["login"] == comment["user"]["login"]
    again = await srv.http.post(url, json={"content": "hooray"})
    assert again.status_code == 200 and again.json()["id"] == reaction["id"]
    # Another user's reaction of the same content is a second one.
    other = await make_token("acme/app", "write", login="octo-bot")
    by_bot = await srv.http.post(url, json={"content": "hooray"}, headers={"Authorization": f"Bearer {other}"})
    assert by_bot.status_code == 201 and by_bot.json()["user"]["login"] == "octo-bot"
    assert (await srv.http.post(url, json={"content": "eyes"})).status_code == 201

    listed = (await srv.http.get(url)).json()
    assert [(r["content"], r["user"]["login"]) for r in listed] == [
        ("hooray", reaction["user"]["login"]), ("hooray", "octo-bot"), ("eyes", reaction["user"]["login"])]
    assert [r["content"] for r in (await srv.http.get(url, params={"content": "eyes"})).json()] == ["eyes"]

    rollup = (await srv.http.get(f"/repos/acme/app/issues/comments/{comment['id']}")).json()["reactions"]
    assert rollup == {"url": f"{srv.base_url}{url}", "total_count": 3,
                      **{c: {"hooray": 2, "eyes": 1}.get(c, 0) for c in ALL}}
    in_list = (await srv.http.get(f"/repos/acme/app/issues/{issue['number']}/comments")).json()
    assert in_list[0]["reactions"]["total_count"] == 3

    assert (await srv.http.delete(f"{url}/{reaction['id']}")).status_code == 204
    assert (await srv.http.delete(f"{url}/{reaction['id']}")).status_code == 404
    assert [r["user"]["login"] for r in (await srv.http.get(url, params={"content": "hooray"})).json()] == ["octo-bot"]


async def test_issue_reactions(srv):
    issue = (await srv.http.post("/repos/acme/app/issues", json={"title": "ship it"})).json()
    url = f"/repos/acme/app/issues/{issue['number']}/reactions"
    for content in ("+1", "rocket"):
        assert (await srv.http.post(url, json={"content": content})).status_code == 201
    got = (await srv.http.get(f"/repos/acme/app/issues/{issue['number']}")).json()
    assert got["reactions"]["total_count"] == 2 and got["reactions"]["+1"] == 1 and got["reactions"]["rocket"] == 1
    listed = (await srv.http.get("/repos/acme/app/issues")).json()
    assert [i["reactions"]["total_count"] for i in listed if i["number"] == issue["number"]] == [2]


async def test_bad_reactions_get_github_errors(srv, make_token):
    issue = (await srv.http.post("/repos/acme/app/issues", json={"title": "t"})).json()
    comment = (await srv.http.post(f"/repos/acme/app/issues/{issue['number']}/comments", json={"body": "b"})).json()
    url = f"/repos/acme/app/issues/comments/{comment['id']}/reactions"
    bad = await srv.http.post(url, json={"content": "tada"})
    assert bad.status_code == 422 and "'properties/content', \"tada\" is not a member of" in bad.json()["message"]
    missing = await srv.http.post(url, json={})
    assert missing.status_code == 422 and missing.json()["message"] == "Invalid request.\n\n\"content\" wasn't supplied."
    assert (await srv.http.post(url, content=b"{nope")).status_code == 400
    assert (await srv.http.get(url, params={"content": "tada"})).status_code == 422
    assert (await srv.http.post("/repos/acme/app/issues/comments/999999/reactions",
                                json={"content": "eyes"})).status_code == 404
    assert (await srv.http.post("/repos/acme/app/issues/999/reactions", json={"content": "eyes"})).status_code == 404
    # A comment of another repository is not this repository's.
    assert (await srv.http.post(f"/repos/acme/other/issues/comments/{comment['id']}/reactions",
                                json={"content": "eyes"})).status_code == 404
    reader = await make_token("acme/app", "read")
    denied = await srv.http.post(url, json={"content": "eyes"}, headers={"Authorization": f"Bearer {reader}"})
    assert denied.status_code == 403
    assert (await srv.http.get(url, headers={"Authorization": f"Bearer {reader}"})).status_code == 200
