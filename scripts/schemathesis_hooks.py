"""Schemathesis hooks for scripts/test.sh's schema-driven API tests (docs/API.md).

Every operation is sent with a logged-in bearer token: one token, made once, for all of
them, except `DELETE /api/v1/sessions/current`, which ends the token it is sent with and
so gets a fresh one each time (otherwise the rest of the run would only see 401s).

QUILL_ST_BASE, QUILL_ST_USERNAME and QUILL_ST_PASSWORD name the Quill under test and an
account on it, which is made here when it does not exist yet.
"""

import json
import os
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["QUILL_ST_BASE"]
CREDENTIALS = {
    "username": os.environ["QUILL_ST_USERNAME"],
    "password": os.environ["QUILL_ST_PASSWORD"],
}


def post(path):
    request = urllib.request.Request(
        f"{BASE}{path}",
        data=json.dumps(CREDENTIALS).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def make_account():
    try:
        post("/api/v1/users")
    except urllib.error.HTTPError as e:
        if e.code != 422:  # 422: the username is taken, by an earlier run
            raise


def log_in():
    return post("/api/v1/sessions")["token"]


make_account()


class Bearer:
    def get(self, case, ctx):
        return log_in()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.auth(refresh_interval=None).apply_to(
    method="DELETE", path="/api/v1/sessions/current"
)
class FreshToken(Bearer):
    """A token of its own for each request that ends the token it is sent with."""


@schemathesis.auth(refresh_interval=3600).skip_for(
    method="DELETE", path="/api/v1/sessions/current"
)
class SharedToken(Bearer):
    """One token for every other operation."""
