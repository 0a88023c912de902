"""Shortcuts for tests that are not about logging in themselves."""

import re

from saas.core.database import commit
from saas.core.extensions import db
from saas.identity import authentication


def login(client, person, mfa_verified: bool = True) -> str:
    """Open a server-side login session for ``person`` and put its key in the client's cookie."""
    key = authentication.open_session(person, mfa_verified=mfa_verified, ip="127.0.0.1", user_agent="pytest")
    commit(db.session)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = key
        cookie_session["_fresh"] = True
    return key


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    page = client.get(url)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def bearer(person, name: str = "tests") -> dict:
    """Authorization header of a fresh personal access token for ``person``."""
    _, value = authentication.create_token(person, name)
    commit(db.session)
    return {"Authorization": f"Bearer {value}"}


def post_login(client, email: str, password: str, **extra):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login"), **extra}
    return client.post("/login", data=data)
