"""A person's page names the teams they lead (a leader has no team membership of
their own, and the leader start date beside it should not look unexplained)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_leader_s_page_names_the_teams_they_lead(client, org):
    client.force_login(org.admin)
    page = client.get(reverse("accounts:user_detail", args=[org.manager_a.pk])).text
    led = page.split('data-testid="teams-led">')[1].split("</dd>")[0]
    assert org.team_a.name in led
    member = client.get(reverse("accounts:user_detail", args=[org.member_a.pk])).text
    assert 'data-testid="teams-led"' not in member
