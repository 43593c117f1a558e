import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import (
    TEST_PASSWORD,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_token_from_username_and_password_authenticates_the_api(api_client):
    user = UserFactory(username="hanako", roles=[Role.MEMBER])
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "hanako", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["id"] == user.pk
    assert me["roles"] == ["Member"]


def test_token_with_email_works_too(api_client):
    UserFactory(username="hanako", email="hanako@example.com")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "hanako@example.com", "password": TEST_PASSWORD},
    )
    assert response.status_code == 200


def test_wrong_password_gets_no_token_and_a_translated_error(api_client):
    UserFactory(username="hanako")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "hanako", "password": "wrong"},
        headers={"accept-language": "ja"},
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert (
        response.json()["non_field_errors"][0]
        == "入力された認証情報ではログインできません。"
    )


def test_an_overlong_username_is_a_field_error_not_a_500(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "x" * 5000, "password": "wrong"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["username"]


def test_token_endpoint_is_rate_limited(api_client, settings):
    UserFactory(username="hanako")
    statuses = [
        api_client.post(
            "/api/v1/auth/token/", {"username": "hanako", "password": "wrong"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429
    assert statuses[0] != 429


def test_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_anonymous_gets_401_with_the_token_scheme(api_client):
    response = api_client.get("/api/v1/users/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_me_patch_validates_on_the_field(api_client):
    UserFactory(email="taken@example.com")
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.patch(
        "/api/v1/me/", {"email": "Taken@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()
    response = api_client.patch(
        "/api/v1/me/",
        {"family_name": "佐藤", "preferred_language": "en"},
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.family_name, user.preferred_language) == ("佐藤", "en")


def test_me_cannot_change_own_roles_or_username(api_client):
    user = UserFactory(username="hanako", roles=[Role.MEMBER])
    api_client.force_authenticate(user)
    api_client.patch(
        "/api/v1/me/", {"username": "boss", "roles": ["Admin"]}, format="json"
    )
    user.refresh_from_db()
    assert user.username == "hanako"
    assert list(user.groups.values_list("name", flat=True)) == ["Member"]


def test_user_list_is_scoped_for_a_manager(api_client, org):
    api_client.force_authenticate(org.manager_a)
    names = {
        row["username"] for row in api_client.get("/api/v1/users/").json()["results"]
    }
    assert names == {"manager_a", "member_a", "sub_leader", "sub_member"}


def test_user_list_filters_by_team_and_role(api_client, org):
    api_client.force_authenticate(org.admin)
    rows = api_client.get(f"/api/v1/users/?team={org.team_b.pk}").json()["results"]
    assert [row["username"] for row in rows] == ["member_b"]
    rows = api_client.get("/api/v1/users/?role=Recruiter").json()["results"]
    assert [row["username"] for row in rows] == ["recruiter"]


def test_team_detail_lists_current_members(api_client, org):
    api_client.force_authenticate(org.manager_a)
    body = api_client.get(f"/api/v1/teams/{org.team_a.pk}/").json()
    assert body["leader_id"] == org.manager_a.pk
    assert body["member_count"] == 1
    assert [m["user_id"] for m in body["members"]] == [org.member_a.pk]


def test_team_list_is_scoped(api_client, org):
    api_client.force_authenticate(org.member_b)
    rows = api_client.get("/api/v1/teams/").json()["results"]
    assert [(row["name"], row["member_count"]) for row in rows] == [("Team B", 1)]


@pytest.mark.parametrize(
    ("path", "make_rows"),
    [
        ("/api/v1/users/", lambda n: UserFactory.create_batch(n)),
        ("/api/v1/teams/", lambda n: TeamFactory.create_batch(n)),
    ],
)
def test_a_request_for_a_million_rows_gets_the_maximum_page(
    api_client, path, make_rows
):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    make_rows(210)
    body = api_client.get(f"{path}?page_size=1000000").json()
    assert body["count"] >= 210
    assert len(body["results"]) == 200
    assert body["next"] is not None


@pytest.mark.parametrize("path", ["/api/v1/users/", "/api/v1/teams/"])
def test_api_lists_have_a_constant_query_count(
    api_client, path, django_assert_max_num_queries
):
    admin = UserFactory(is_superuser=True)
    api_client.force_authenticate(admin)

    def grow(n):
        for _ in range(n):
            team = TeamFactory(leader=UserFactory(roles=[Role.MANAGER]))
            TeamMembershipFactory(team=team)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(path).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(few)):
        assert api_client.get(path).status_code == 200


def test_outsider_gets_404_and_nothing_is_written(api_client, org):
    api_client.force_authenticate(org.member_b)
    before = org.member_a.family_name
    assert api_client.get(f"/api/v1/users/{org.member_a.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/teams/{org.team_a.pk}/").status_code == 404
    # PATCH /me/ changes the caller only, whatever id the body names.
    api_client.patch("/api/v1/me/", {"id": org.member_a.pk, "family_name": "x"})
    org.member_a.refresh_from_db()
    assert org.member_a.family_name == before
    org.member_b.refresh_from_db()
    assert org.member_b.family_name == "x"
