"""Hostile input never answers 5xx.

The cases are generated, not listed, so that a new page or endpoint is covered the
day it is added:

- every form on every page of the authorization matrix (tests/test_authorization_
  matrix.py), fetched as every role that reaches the page, and every query
  parameter the page's view reads from `request.GET`;
- every operation of the OpenAPI schema the matrix lets a role through: each query
  parameter, path parameter and request-body property.

One field at a time gets a NUL byte, an impossible UTC offset, a number beyond the
columns (64 and 32 bits, smallint) or beyond a float, or an overlong string, chosen
by the field's kind; the other fields keep what the page rendered (a valid choice,
the initial value) or a sample of their type, so that the hostile value reaches the
code behind the form. Each form or operation is attacked as the first role (in the
order of ROLES) that reaches it, which keeps the run to a couple of minutes;
HOSTILE_ALL_ROLES=1 attacks it as every role (several times longer). A formset's
later forms repeat its first one and are left alone.

PostgreSQL refuses what SQLite quietly stores, hence the `postgres` marker (CI's
PostgreSQL pass). Every request is rolled back, so no case sees another's writes.
One test per app and interface (xdist spreads them); a failure lists every
(role, method, path, field, value) that answered 5xx.
"""

import logging
import os
import re
from copy import deepcopy
from dataclasses import dataclass
from functools import cache, partial
from html.parser import HTMLParser
from inspect import getmodule, getsource
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import build_hiring
from tests.test_authorization_matrix import API_MATRIX, ROLES, UI_MATRIX

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.long]

APPS = ["accounts", "hiring", "journeys", "recognition"]
# The apps with the most pages are attacked in parts (every n-th page), so that
# xdist spreads them over the workers instead of one test running for minutes.
PARTS = {"journeys": 4, "recognition": 2}
PAGE_TESTS = [
    pytest.param(app, part, id=f"{app}-{part + 1}" if PARTS.get(app, 1) > 1 else app)
    for app in APPS
    for part in range(PARTS.get(app, 1))
]
# Every role attacks every form and operation it reaches, not only the first one.
ALL_ROLES = os.environ.get("HOSTILE_ALL_ROLES") == "1"

NUL = "a\x00b"
OVERLONG = "x" * 5000
BAD_OFFSET = "2026-11-01T10:00:00+20:00"
# Beyond a bigint, beyond a float, beyond an integer, beyond a smallint.
NUMBERS = [10**20, -1e300, 2**31, 40000]
ALWAYS = [NUL, OVERLONG]

# The hostile values for each kind of field. A number beyond a smallint matters where
# a value is stored, not where it is compared (a filter): filters get the first two.
VALUES_BY_KIND = {
    "number": [*ALWAYS, *NUMBERS],
    "filter-number": [*ALWAYS, *NUMBERS[:2]],
    "datetime": [*ALWAYS, BAD_OFFSET],
    "text": [*ALWAYS, BAD_OFFSET, NUMBERS[0]],
    "choice": [*ALWAYS, NUMBERS[0]],
}
INPUT_KINDS = {
    "number": "number",
    "hidden": "number",
    "range": "number",
    "date": "datetime",
    "datetime-local": "datetime",
    "time": "datetime",
    "month": "datetime",
    "checkbox": "choice",
    "radio": "choice",
    "select": "choice",
}


def _as_text(value) -> str:
    return value if isinstance(value, str) else str(value)


# What an empty input of each type is filled with, so that the form gets past it.
SAMPLE_BY_INPUT_TYPE = {
    "date": "2026-03-02",
    "datetime-local": "2026-03-02T10:30",
    "time": "10:30",
    "month": "2026-03",
    "number": "1",
    "email": "hostile@example.com",
    "url": "https://example.com/",
    "password": "kata-demo-2026",
}
NOT_SENT = {"submit", "button", "reset", "image", "file"}

# The form number in a formset field's name: `steps-3-name`.
FORMSET_ROW = re.compile(r"-\d+-")
GET_PARAMETER = re.compile(
    r"""request\.GET(?:\.get|\.getlist|\.__getitem__)?[(\[]\s*["'](\w+)["']"""
)


# --- Reading the forms of a page ---------------------------------------------------


class _Form:
    def __init__(self, action: str, method: str):
        self.action = action
        self.method = method
        self.fields: dict[str, list[str]] = {}  # name → values sent as rendered
        self.kinds: dict[str, str] = {}  # name → kind, for the fields attacked

    def add(self, name: str, value: str | None, kind: str | None):
        values = self.fields.setdefault(name, [])
        if value is not None:
            values.append(value)
        if kind:
            self.kinds.setdefault(name, kind)

    def baseline(self) -> dict:
        return {
            name: values if len(values) > 1 else (values or [""])[0]
            for name, values in self.fields.items()
        }


class _FormParser(HTMLParser):
    """The forms of a page: fields with the values a browser would submit."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._option: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self._form = _Form(action, (attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        name = attrs.get("name")
        if self._form is None:
            return
        if tag == "input" and name:
            self._input(name, attrs)
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            self._form.fields.setdefault(name, [attrs.get("value") or ""])
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select:
            self._option = attrs.get("value")
            if self._option is None:
                self._option = ""
            self._select[1].append(self._option)
            if "selected" in attrs:
                self._select[2].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def _input(self, name, attrs):
        kind = attrs.get("type", "text").lower()
        value = attrs.get("value")
        if kind in NOT_SENT:
            return
        if kind in {"checkbox", "radio"}:
            checked = "checked" in attrs
            self._form.add(name, (value or "on") if checked else None, "choice")
            return
        if name == "csrfmiddlewaretoken":
            self._form.add(name, value, None)
            return
        if not value:
            value = SAMPLE_BY_INPUT_TYPE.get(kind, "hostile")
        self._form.add(name, value, INPUT_KINDS.get(kind, "text"))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select and self._form:
            name, options, selected = self._select
            chosen = selected or [value for value in options if value][:1]
            for value in chosen or [None]:
                self._form.add(name, value, "choice")
            self._select = None
        elif tag == "textarea" and self._textarea and self._form:
            name, text = self._textarea
            self._form.add(name, "".join(text).strip() or "hostile", "text")
            self._textarea = None


def _forms(page_url: str, html: str) -> list[_Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def _view_parameters(path: str) -> list[str]:
    """The query parameters the view behind `path` reads from request.GET."""
    try:
        match = resolve(path)
    except Resolver404:
        return []
    func = getattr(match.func, "view_class", match.func)
    module = getmodule(func)
    if module is None or module.__name__.split(".")[0] not in {*APPS, "config"}:
        return []
    return sorted(set(GET_PARAMETER.findall(getsource(module))))


# --- Sending -----------------------------------------------------------------------


class _Sender:
    """Sends requests as one role; each is rolled back and leaves the session as it
    was (a form may log out or switch language)."""

    def __init__(self, org, role: str):
        self.role = role
        self.client = APIClient(raise_request_exception=False)
        if role != "anonymous":
            self.client.force_login(org.by_role()[role])
        self.cookies = deepcopy(self.client.cookies)

    def send(self, method: str, url: str, data=None, **kwargs) -> int:
        django_cache.clear()  # no throttle answers 429 in place of the code under test
        with transaction.atomic():
            response = getattr(self.client, method)(url, data, **kwargs)
            transaction.set_rollback(True)
        self.client.cookies = deepcopy(self.cookies)
        return response.status_code


def _reached(status: str, method: str, role: str) -> bool:
    """Whether the matrix's status means the role gets to the code behind the URL."""
    code = int(status)
    if code in {401, 403, 404, 405}:
        return False
    if role == "anonymous" and method != "get":
        return False
    return code < 300 or method != "get"


@pytest.fixture
def world(org):
    org.hiring = build_hiring(org)
    return org


@pytest.fixture
def quiet_errors():
    """The 500s are collected in the failure message; their tracebacks would only
    flood the output."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# --- Pages and forms ---------------------------------------------------------------


def _app(url: str) -> str:
    """The app whose view answers `url`; the project's own pages count as accounts."""
    try:
        func = resolve(urlsplit(url).path).func
    except Resolver404:
        return APPS[0]
    view = getattr(func, "cls", None) or getattr(func, "view_class", None) or func
    app = view.__module__.split(".")[0]
    return app if app in APPS else APPS[0]


def _pages(org, app: str, part: int = 0):
    """(role, method, url, data) of every matrix row of the app (of its `part`-th
    share of them, see PARTS), for every role that gets through, in the order of
    ROLES."""
    parts = PARTS.get(app, 1)
    rows = (row for row in UI_MATRIX.values() if row is not None)
    pages = [(row, row[1](org)) for row in rows]
    pages = [page for page in pages if _app(page[1]) == app][part::parts]
    for (method, _url_for, data, statuses), url in pages:
        for role, status in zip(ROLES, statuses.split(), strict=True):
            if _reached(status, method, role):
                yield role, method, url, data or {}


def _form_requests(org, senders, app, part=0):
    """(role, method, url, field, value, data) of every hostile submission of the
    forms and page parameters of the app's pages (fetched to find them)."""
    seen = set()
    for role, method, url, data in list(_pages(org, app, part)):
        attack = partial(_attack, role, seen=seen)
        if method == "post":
            yield from attack("post", url, data, dict.fromkeys(data or ["x"], "text"))
            continue
        response = senders[role].client.get(url)  # its status is the matrix's
        path = urlsplit(url).path
        yield from attack(
            "get", path, {}, dict.fromkeys(_view_parameters(path), "text")
        )
        if "html" not in response.get("Content-Type", ""):
            continue
        for form in _forms(url, response.content.decode()):
            action = urlsplit(form.action)
            if action.netloc not in {"", "testserver"}:
                continue
            target = action.path + (f"?{action.query}" if action.query else "")
            yield from attack(form.method, target, form.baseline(), form.kinds)


def _attack(role, method, url, baseline, kinds, *, seen):
    """One hostile value in one field at a time, as the first role that reaches the
    form (as every role with HOSTILE_ALL_ROLES=1)."""
    key = (method, url, tuple(sorted(baseline)), tuple(sorted(kinds)))
    if key in seen or (role, *key) in seen:
        return
    seen.add((role, *key) if ALL_ROLES else key)
    for name, kind in kinds.items():
        first_row = FORMSET_ROW.sub("-0-", name, count=1)
        if first_row != name and first_row in kinds:
            continue  # a formset's later form: the same fields as its first
        for value in VALUES_BY_KIND[kind]:
            data = {**baseline, name: _as_text(value)}
            yield role, method, url, name, value, data


@pytest.mark.parametrize(("app", "part"), PAGE_TESTS)
def test_no_form_field_or_page_parameter_answers_5xx(world, quiet_errors, app, part):
    senders = {role: _Sender(world, role) for role in ROLES}
    failures = []
    requests = _form_requests(world, senders, app, part)
    for role, method, url, field, value, data in requests:
        if senders[role].send(method, url, data) >= 500:
            failures.append((role, method.upper(), url, field, value))

    assert not failures, _report(failures)


def _report(failures) -> str:
    lines = [f"{len(failures)} hostile value(s) answered 5xx:"]
    for role, method, path, field, value in failures:
        shown = value if len(str(value)) < 40 else f"{str(value)[:12]}…({len(value)})"
        lines.append(f"  {method} {path} [{field}={shown!r}] as {role}")
    return "\n".join(lines)


# --- The API -----------------------------------------------------------------------


@cache
def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, spec: dict) -> dict:
    while "$ref" in spec:
        spec = schema["components"]["schemas"][spec["$ref"].split("/")[-1]]
    if "allOf" in spec and len(spec["allOf"]) == 1:
        return _resolve(schema, spec["allOf"][0])
    return spec


def _sample(spec: dict):
    """A plausible value of a schema property, for the fields not under attack."""
    if "enum" in spec:
        return next((value for value in spec["enum"] if value not in ("", None)), "")
    kind = spec.get("type")
    if kind == "integer":
        return spec.get("minimum", 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return {
        "date-time": "2026-03-02T10:30:00+09:00",
        "date": "2026-03-02",
        "email": "hostile@example.com",
        "uri": "https://example.com/",
    }.get(spec.get("format"), "hostile")


def _kind(spec: dict, *, stored: bool) -> str:
    """The kind of hostile values a schema property or parameter gets."""
    if spec.get("type") in {"integer", "number"}:
        return "number" if stored else "filter-number"
    if spec.get("format") in {"date-time", "date"}:
        return "datetime"
    if "enum" in spec or spec.get("type") == "boolean":
        return "choice"
    return "text"


def _hostile(spec: dict):
    """The hostile values of a body property, where it holds them: a list's item,
    an object's value."""
    if spec.get("type") == "array":
        item = spec.get("items", {})
        return [[value] for value in VALUES_BY_KIND[_kind(item, stored=True)]]
    if spec.get("type") == "object":
        item = spec.get("additionalProperties")
        kind = _kind(item, stored=True) if isinstance(item, dict) else "number"
        return [{"1": value} for value in VALUES_BY_KIND[kind]]
    return VALUES_BY_KIND[_kind(spec, stored=True)]


def _operations(org):
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            row = API_MATRIX.get((path, method.upper()))
            if row is None:
                continue
            url, data, statuses = row
            roles = [
                role
                for role, status in zip(ROLES, statuses.split(), strict=True)
                if role != "anonymous" and _reached(status, "api", role)
            ]
            if roles:
                yield path, method, operation, url(org), data, roles


def _body(schema, operation) -> tuple[str | None, dict]:
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in ("application/json", "multipart/form-data"):
        if media_type in content:
            return media_type, _resolve(schema, content[media_type]["schema"])
    return None, {}


def _api_requests(org, app):
    """(role, method, path, url, body, options, field, value) of every hostile call
    to the app's operations, as the first role the matrix lets through (as every
    role with HOSTILE_ALL_ROLES=1)."""
    for path, method, operation, url, data, roles in list(_operations(org)):
        if _app(url) != app:
            continue
        for role in roles if ALL_ROLES else roles[:1]:
            yield from _operation_requests(role, path, method, operation, url, data)


def _operation_requests(role, path, method, operation, url, data):
    schema = _schema()
    media_type, body = _body(schema, operation)
    properties = {
        name: _resolve(schema, spec)
        for name, spec in body.get("properties", {}).items()
        if not spec.get("readOnly")
    }
    baseline = dict(data) if isinstance(data, dict) else {}
    for name in body.get("required", []):
        if name in properties and name not in baseline:
            baseline[name] = _sample(properties[name])
    call = partial(_Call, role, method, path)
    for parameter in operation.get("parameters", []):
        name, kind = parameter["name"], _kind(parameter["schema"], stored=False)
        for value in VALUES_BY_KIND[kind] if parameter["in"] == "query" else []:
            yield call(f"{url}?{name}={quote(_as_text(value))}", None, {}, name, value)
        for value in VALUES_BY_KIND[kind] if parameter["in"] == "path" else []:
            target = path.replace(f"{{{name}}}", quote(_as_text(value), ""))
            yield call(target, baseline or None, {}, name, value)
    multipart = media_type == "multipart/form-data"
    for name, spec in properties.items():
        if multipart:
            for value in VALUES_BY_KIND[_kind(spec, stored=True)]:
                body = {**baseline, name: _as_text(value)}
                yield call(url, body, {"format": "multipart"}, name, value)
        else:
            for value in _hostile(spec):
                yield call(
                    url, {**baseline, name: value}, {"format": "json"}, name, value
                )


@dataclass(frozen=True)
class _Call:
    role: str
    method: str
    path: str
    url: str
    body: dict | None
    options: dict
    field: str
    value: object


@pytest.mark.parametrize("app", APPS)
def test_no_api_parameter_or_body_field_answers_5xx(world, quiet_errors, app):
    senders = {role: _Sender(world, role) for role in ROLES}
    failures = []
    for call in _api_requests(world, app):
        sender = senders[call.role]
        if sender.send(call.method, call.url, call.body, **call.options) >= 500:
            failures.append(
                (call.role, call.method.upper(), call.path, call.field, call.value)
            )

    assert not failures, _report(failures)
