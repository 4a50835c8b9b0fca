"""Schemathesis hooks for the bounded API run in `.ci/run`.

- Generated bodies that carry credentials get a real account's (taken from
  AGENTDESK_USER_ID / AGENTDESK_TOKEN), so the generated input reaches the
  endpoints' own validation instead of stopping at `1014 Invalid token`.
  Bodies without any credential field stay as generated (they test `1020`).
- The `envelope` check: every answer of a `POST /api/v2/...` endpoint is a
  JSON object with `status` "success" or "error", and an error carries an
  integer `code` and a string `message` (the DeepCall envelope), whatever
  the HTTP status; and it is not `1032 Internal server error`, which is how
  a panic is answered (HTTP 200, so "no 5xx" alone would not see it).
"""

import json
import os

import schemathesis

USER_ID = os.environ["AGENTDESK_USER_ID"]
TOKEN = os.environ["AGENTDESK_TOKEN"]


# `before_call` rather than `map_body`: it sees the cases of every phase
# (examples and coverage included), not only the generated ones.
@schemathesis.hook
def before_call(ctx, case, **kwargs):
    body = case.body
    if isinstance(body, dict) and any(k in body for k in ("userId", "token", "ssid")):
        body.pop("ssid", None)
        body["userId"] = USER_ID
        body["token"] = TOKEN


@schemathesis.check
def envelope(ctx, response, case):
    if case.method.upper() != "POST" or not case.path.startswith("/api/v2/"):
        return None
    try:
        reply = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"not JSON: {response.content[:200]!r}")
    if not isinstance(reply, dict):
        raise AssertionError(f"not a JSON object: {response.content[:200]!r}")
    status = reply.get("status")
    if status == "error":
        if not isinstance(reply.get("code"), int) or not isinstance(reply.get("message"), str):
            raise AssertionError(f"error without code and message: {response.content[:200]!r}")
        if reply["code"] == 1032:
            raise AssertionError(f"internal server error (a panic): {response.content[:200]!r}")
    elif status != "success":
        raise AssertionError(f"no envelope status: {response.content[:200]!r}")
    return None
