"""The member and team figure lists write rows (config.rows), not figures: each row is
what the list's serializer writes for that figure, in every field, a metric no
longer in the catalogue included."""

import pytest

from recognition import metrics
from recognition.api.metrics import MemberFigureSerializer, TeamFigureSerializer
from recognition.models import MemberFigure, TeamFigure
from tests.recognition.dashboard_factories import build_dashboard_world

pytestmark = pytest.mark.django_db

VIEWERS = ["admin", "manager_a", "member_a"]


@pytest.fixture
def world(org):
    world = build_dashboard_world(org)
    figure = MemberFigure.objects.filter(member=org.member_a).first()
    MemberFigure.objects.filter(pk=figure.pk).update(metric="step_conversion:999999")
    return world


def _catalogue():
    return {metric.key: metric for metric in metrics.catalogue(active_only=False)}


@pytest.mark.parametrize("user", VIEWERS)
@pytest.mark.parametrize(
    ("path", "model", "serializer_class"),
    [
        ("member-metrics", MemberFigure, MemberFigureSerializer),
        ("team-metrics", TeamFigure, TeamFigureSerializer),
    ],
)
def test_each_figure_row_is_what_the_serializer_writes(
    api_client, org, world, user, path, model, serializer_class
):
    api_client.force_authenticate(getattr(org, user))
    response = api_client.get(f"/api/v1/{path}/", {"page_size": 200})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    context = {"catalogue": _catalogue()}
    for row in rows:
        figure = model.objects.get(pk=row["id"])
        assert row == serializer_class(figure, context=context).data
    if path == "member-metrics" and user != "manager_a":
        assert any(row["unit"] is None for row in rows)
