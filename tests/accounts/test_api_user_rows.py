"""The user list writes rows (config.rows), not users: each row is what
UserSerializer writes for that user (display name, roles in order, a user without a
name or without roles included), and the list runs the same queries at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.serializers import UserSerializer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _rows(api_client, viewer, query=None) -> list[dict]:
    api_client.force_authenticate(viewer)
    response = api_client.get("/api/v1/users/", {"page_size": 200, **(query or {})})
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("user", ["admin", "manager_a", "member_a"])
def test_each_user_row_is_what_the_serializer_writes(api_client, org, user):
    UserFactory(family_name="", given_name="", roles=[])
    UserFactory(roles=[Role.MEMBER, Role.MANAGER, Role.INTERVIEWER])
    rows = _rows(api_client, getattr(org, user))
    assert rows
    for row in rows:
        assert row == UserSerializer(User.objects.get(pk=row["id"])).data
    if user == "admin":
        assert any(row["roles"] == [] for row in rows)
        assert any(len(row["roles"]) == 3 for row in rows)
        assert _rows(api_client, org.admin, {"role": Role.MANAGER.value})


def test_the_list_runs_the_same_queries_at_two_sizes(api_client, org):
    def queries() -> int:
        api_client.get("/api/v1/users/")
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/v1/users/").status_code == 200
        return len(captured.captured_queries)

    api_client.force_authenticate(org.admin)
    few = queries()
    for _ in range(15):
        UserFactory(roles=[Role.MEMBER, Role.MANAGER])
    # The count, the page, the roles of the page's users.
    assert queries() == few <= 3
