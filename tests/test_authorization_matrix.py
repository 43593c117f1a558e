"""Who may call what: one table for every URL and every API operation.

Each row gives the status every role gets, in the order of ROLES. A URL pattern or an
API operation without a row fails the suite: new pages and endpoints must say who may
use them. Objects of another team answer 404, never 403.
"""

import copy

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import build_hiring, build_organisation
from tests.hiring import matrix as hiring_matrix
from tests.journeys import matrix as journeys_matrix
from tests.recognition import matrix as recognition_matrix

ROLES = ("anonymous", "admin", "manager", "member", "interviewer", "recruiter")


def _url(name, **kwargs):
    return lambda org: reverse(name, kwargs={k: v(org) for k, v in kwargs.items()})


def _team_a(org):
    return org.team_a.pk


def _member_a(org):
    return org.member_a.pk


def _member_a_notice(org) -> int:
    """A notice of member_a (made once per organisation)."""
    if not hasattr(org, "notice_pk"):
        from accounts.models import Notification

        org.notice_pk = Notification.objects.create(
            user=org.member_a, kind="x", link="/"
        ).pk
    return org.notice_pk


# URL name → (method, URL for the organisation fixture, data, statuses by ROLES).
# For the manager, team A and its member are their own; for the member, themselves.
UI_MATRIX = {
    "home": ("get", _url("home"), None, "302 200 200 200 200 200"),
    "accounts:audit_history": (
        "get",
        _url("accounts:audit_history"),
        None,
        "302 200 403 403 403 403",
    ),
    # Notices: each user's own; another user's notice answers 404.
    "accounts:notice_list": (
        "get",
        _url("accounts:notice_list"),
        None,
        "302 200 200 200 200 200",
    ),
    "accounts:notice_open": (
        "post",
        lambda org: reverse("accounts:notice_open", args=[_member_a_notice(org)]),
        {},
        "302 404 404 302 404 404",
    ),
    "accounts:notices_read_all": (
        "post",
        _url("accounts:notices_read_all"),
        {},
        "302 302 302 302 302 302",
    ),
    "login": ("get", _url("login"), None, "200 302 302 302 302 302"),
    "logout": ("post", _url("logout"), None, "302 302 302 302 302 302"),
    "password_change": (
        "get",
        _url("password_change"),
        None,
        "302 200 200 200 200 200",
    ),
    "password_reset": ("get", _url("password_reset"), None, "200 200 200 200 200 200"),
    "password_reset_done": (
        "get",
        _url("password_reset_done"),
        None,
        "200 200 200 200 200 200",
    ),
    "password_reset_confirm": (
        "get",
        lambda org: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        None,
        "200 200 200 200 200 200",
    ),
    "password_reset_complete": (
        "get",
        _url("password_reset_complete"),
        None,
        "200 200 200 200 200 200",
    ),
    "accounts:profile": (
        "get",
        _url("accounts:profile"),
        None,
        "302 200 200 200 200 200",
    ),
    "accounts:team_list": (
        "get",
        _url("accounts:team_list"),
        None,
        "302 200 200 200 200 200",
    ),
    "accounts:team_detail": (
        "get",
        _url("accounts:team_detail", pk=_team_a),
        None,
        "302 200 200 200 404 404",
    ),
    "accounts:user_detail": (
        "get",
        _url("accounts:user_detail", pk=_member_a),
        None,
        "302 200 200 200 404 404",
    ),
    "accounts:user_leader_since": (
        "post",
        _url("accounts:user_leader_since", pk=_member_a),
        {"leader_since": "2020-01-01"},
        "302 302 403 403 404 404",
    ),
    "set_language": (
        "post",
        _url("set_language"),
        {"language": "ja"},
        "302 302 302 302 302 302",
    ),
    "healthz": ("get", _url("healthz"), None, "200 200 200 200 200 200"),
    "favicon": ("get", _url("favicon"), None, "302 302 302 302 302 302"),
    "api-schema": ("get", _url("api-schema"), None, "401 200 200 200 200 200"),
    # The docs are a page: an anonymous visitor logs in first.
    "api-docs": ("get", _url("api-docs"), None, "302 200 200 200 200 200"),
    "api-root": ("get", _url("api-root"), None, "401 200 200 200 200 200"),
    # The API's own URL names: their operations are checked in API_MATRIX.
    "api-token": None,
    "api-me": None,
    "user-list": None,
    "user-detail": None,
    "team-list": None,
    "team-detail": None,
}

# Django's admin site: only staff (the demo admin is a superuser).
ADMIN_STATUSES = "302 200 302 302 302 302"

# (path, method) from the OpenAPI schema → (URL, data, statuses by ROLES).
API_MATRIX = {
    ("/api/v1/auth/token/", "POST"): (
        lambda org: "/api/v1/auth/token/",
        {},
        "400 400 400 400 400 400",
    ),
    ("/api/v1/me/", "GET"): (
        lambda org: "/api/v1/me/",
        None,
        "401 200 200 200 200 200",
    ),
    ("/api/v1/me/", "PATCH"): (
        lambda org: "/api/v1/me/",
        {},
        "401 200 200 200 200 200",
    ),
    ("/api/v1/users/", "GET"): (
        lambda org: "/api/v1/users/",
        None,
        "401 200 200 200 200 200",
    ),
    ("/api/v1/users/{id}/", "GET"): (
        lambda org: f"/api/v1/users/{org.member_a.pk}/",
        None,
        "401 200 200 200 404 404",
    ),
    ("/api/v1/teams/", "GET"): (
        lambda org: "/api/v1/teams/",
        None,
        "401 200 200 200 200 200",
    ),
    ("/api/v1/teams/{id}/", "GET"): (
        lambda org: f"/api/v1/teams/{org.team_a.pk}/",
        None,
        "401 200 200 200 404 404",
    ),
}


UI_MATRIX |= (
    hiring_matrix.UI_ROWS | journeys_matrix.UI_ROWS | recognition_matrix.UI_ROWS
)
API_MATRIX |= (
    hiring_matrix.API_ROWS | journeys_matrix.API_ROWS | recognition_matrix.API_ROWS
)


# The objects rows build for themselves, memoised on the organisation: built once for
# the module, with the organisation (see `world`).
WORLDS = hiring_matrix.WORLDS + journeys_matrix.WORLDS + recognition_matrix.WORLDS


@pytest.fixture(scope="module")
def _module_world(module_data):
    def build():
        org = build_organisation()
        org.hiring = build_hiring(org)
        for build_world in WORLDS:
            build_world(org)
        return org

    return module_data(build)


@pytest.fixture
def world(_module_world, db):
    """The organisation with its hiring objects (see tests/hiring/matrix.py) and the
    objects of every row, built once for the module; what a test changes is rolled
    back after it (see module_data in tests/conftest.py)."""
    return copy.deepcopy(_module_world)


def _url_names(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield (
                f"{namespace}{pattern.name}"
                if pattern.name
                else f"{namespace}unnamed {pattern}"
            )


def _api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _client(org, role):
    client = APIClient()
    if role != "anonymous":
        client.force_login(org.by_role()[role])
    return client


def _cases(matrix):
    for key, row in matrix.items():
        if row is None:
            continue
        for role, status in zip(ROLES, row[-1].split(), strict=True):
            yield pytest.param(key, role, int(status), id=f"{key}-{role}")


def test_every_url_pattern_has_a_row():
    names = {
        name for name in _url_names(get_resolver()) if not name.startswith("admin:")
    }
    assert names - UI_MATRIX.keys() == set(), "add these URLs to UI_MATRIX"
    assert UI_MATRIX.keys() - names == set(), "these rows name no URL"


def test_every_api_operation_has_a_row():
    operations = _api_operations()
    assert operations - API_MATRIX.keys() == set(), "add these operations to API_MATRIX"
    assert API_MATRIX.keys() - operations == set(), "these rows name no operation"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "status"), list(_cases(UI_MATRIX)))
def test_ui_url(world, name, role, status):
    method, url, data, _statuses = UI_MATRIX[name]
    response = getattr(_client(world, role), method)(url(world), data)
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "role", "status"), list(_cases(API_MATRIX)))
def test_api_operation(world, operation, role, status):
    url, data, _statuses = API_MATRIX[operation]
    method = operation[1].lower()
    response = getattr(_client(world, role), method)(url(world), data, format="json")
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), list(zip(ROLES, map(int, ADMIN_STATUSES.split()), strict=True))
)
def test_admin_site(world, role, status):
    assert _client(world, role).get(reverse("admin:index")).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda model: model._meta.label
)
def test_every_admin_page_opens_for_the_admin(world, model):
    org = world
    client = _client(org, "admin")
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(_request_for(org.admin)):
        assert client.get(reverse(f"{prefix}_add")).status_code == 200


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
