"""Every page sends a strict Content-Security-Policy, and holds nothing it would
block: no inline <script> or <style>, no style="…" attribute, no onclick=… handler.

The pages are those of the authorization matrix (tests/test_authorization_matrix.py),
fetched as each role that may see them. Pages of third-party code (the browsable API,
Swagger UI, the admin's history) get their allowances per response, never inline
scripts.
"""

import re

import pytest
from django.urls import reverse

from tests.test_authorization_matrix import (  # noqa: F401 (fixtures)
    ROLES,
    UI_MATRIX,
    _client,
    _module_world,
    world,
)

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_STYLE = re.compile(r"<style\b")
TAG = re.compile(r"<[a-zA-Z][^>]*>")
INLINE_ATTRIBUTE = re.compile(r"""\s(style|on[a-z]+)\s*=\s*["']?""", re.IGNORECASE)


def _pages():
    for name, row in UI_MATRIX.items():
        # Swagger UI has its own allowances (the third-party test below).
        if row is None or row[0] != "get" or name == "api-docs":
            continue
        statuses = row[-1]
        for role, status in zip(ROLES, statuses.split(), strict=True):
            if status == "200":
                yield pytest.param(name, role, id=f"{name}-{role}")


def inline_code(html: str) -> list[str]:
    """What a strict policy would block in this page."""
    found = INLINE_SCRIPT.findall(html) + INLINE_STYLE.findall(html)
    found += [tag for tag in TAG.findall(html) if INLINE_ATTRIBUTE.search(tag)]
    return found


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.strip().partition(" ") for part in header.split(";")]
    return {name: value for name, _space, value in directives}


def test_the_checks_find_inline_code():
    assert inline_code('<script>alert(1)</script><p style="x">') == [
        "<script>",
        '<p style="x">',
    ]
    assert inline_code('<button onclick="go()">') == ['<button onclick="go()">']
    assert inline_code('<script src="/static/a.js" defer></script>') == []
    assert inline_code('<script type="application/json" id="d">') == []


@pytest.mark.django_db
# The module's world is built first, once, outside each test's rolled-back transaction.
@pytest.mark.usefixtures("_module_world")
@pytest.mark.parametrize(("name", "role"), list(_pages()))
def test_every_page_has_a_strict_policy_and_no_inline_code(request, name, role):
    organisation = request.getfixturevalue("world")
    _method, url, data, _statuses = UI_MATRIX[name]
    response = _client(organisation, role).get(url(organisation), data)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    if "html" in response.headers["Content-Type"]:
        assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("_module_world")
def test_third_party_pages_get_inline_styles_but_never_inline_scripts(request, client):
    client.force_login(request.getfixturevalue("world").admin)
    browsable = client.get("/api/v1/me/", headers={"accept": "text/html"})
    docs = client.get(reverse("api-docs"))
    docs_script = client.get(reverse("api-docs") + "?script=")
    for response in (browsable, docs):
        assert response.status_code == 200
        policy = _policy(response)
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self' 'unsafe-inline'"
    # Swagger UI starts from a script file, not an inline script.
    assert INLINE_SCRIPT.findall(docs.content.decode()) == []
    assert docs_script.headers["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
@pytest.mark.usefixtures("_module_world")
def test_admin_pages_hold_no_inline_code(request, client):
    from recognition.models import CareerLevel

    level = CareerLevel.objects.create(name="Audit CSM", position=99)
    client.force_login(request.getfixturevalue("world").admin)
    for url in [
        reverse("admin:index"),
        reverse("admin:recognition_careerlevel_changelist"),
        reverse("admin:recognition_memberlevel_changelist"),  # no actions
        reverse("admin:recognition_careerlevel_change", args=[level.pk]),
        reverse("admin:recognition_careerlevel_history", args=[level.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == "'self'"
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == INLINE_STYLE.findall(html) == [], url
