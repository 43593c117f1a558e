"""Career ladders per track: a team's or a journey's own criteria between the shared
levels; each member is judged on their track's (team, else the journey of most of
their accounts, else the default track); readiness says when a criterion rests on
provisional figures; admins pick the track on the ladder pages; another team's
track answers 404; team readiness downloads as CSV."""

import pytest
from django.urls import reverse

from recognition.models import CareerLevel, CareerTrack, PromotionStep
from recognition.selectors.promotion import member_tracks, readiness_of
from tests.exports import rows
from tests.factories import TeamFactory, TeamMembershipFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    PoolMembershipFactory,
    TrainingModuleFactory,
    journey_with_steps,
)
from tests.recognition.development_factories import (
    at_level,
    complete_months,
    conversions,
    ladder,
    step_up,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracks(org):
    """Levels CSM → Senior. The default track asks for 60 % step-1 conversion over
    3 months; team B's track for the "SMB basics" module only; the SMB journey's
    track for 40 % conversion."""
    smb, steps = journey_with_steps(3)
    csm, senior = ladder("CSM", "Senior CSM")
    key = f"step_conversion:{steps[0].pk}"
    default = step_up(csm, senior, metric_criteria=[(key, "gte", 0.6, 3)])
    team_b = CareerTrack.objects.create(name="Team B ladder", team=org.team_b)
    module = TrainingModuleFactory(from_step=steps[0], title="SMB basics")
    team_step = PromotionStep.objects.create(
        track=team_b, from_level=csm, to_level=senior
    )
    team_step.required_modules.set([module])
    journey_track = CareerTrack.objects.create(name="SMB ladder", journey=smb)
    step = PromotionStep.objects.create(
        track=journey_track, from_level=csm, to_level=senior
    )
    step.metric_criteria.create(metric=key, comparison="gte", value=0.4, months=3)
    return {
        "default": default.track,
        "team_b": team_b,
        "smb": journey_track,
        "journey": smb,
        "steps": steps,
        "csm": csm,
        "key": key,
    }


def _pooled_member(tracks, *, accounts=3):
    """A member of a team without a track, working a pool of SMB accounts."""
    team = TeamFactory(name="Pooled team")
    member = TeamMembershipFactory(team=team).user
    pool = PoolFactory(team=team)
    PoolMembershipFactory(pool=pool, user=member)
    for _n in range(accounts):
        CustomerAccountFactory(journey=tracks["journey"], pool=pool)
    return member


def test_existing_criteria_live_on_the_default_track(org, tracks):
    assert tracks["default"].is_default
    # A step written without a track (the API, the admin) goes to the default one.
    assert PromotionStep.objects.filter(track=tracks["default"]).count() == 1


def test_each_member_is_judged_on_their_tracks_ladder(org, tracks):
    pooled = _pooled_member(tracks)
    found = member_tracks([org.member_a.pk, org.member_b.pk, pooled.pk])
    assert found == {
        org.member_a.pk: tracks["default"],  # team A has no track
        org.member_b.pk: tracks["team_b"],
        pooled.pk: tracks["smb"],  # most of their accounts are SMB's
    }
    for member in (org.member_a, org.member_b, pooled):
        at_level(member, tracks["csm"])
    # The same 2/4 (50 %) is short of the default 60 % but meets SMB's 40 %.
    month = complete_months(1)[0]
    for member in (org.member_a, pooled):
        conversions(member, tracks["steps"][0], month, converted=2, cohort=4)
    a = readiness_of(org.member_a)
    assert (a.track, a.ready, a.criteria[0].actual) == (
        tracks["default"],
        False,
        "50.0 % (2/4)",
    )
    smb = readiness_of(pooled)
    assert (smb.track, smb.ready) == (tracks["smb"], True)
    assert smb.criteria[0].requirement == "≥ 40.0 % over the last 3 months"
    b = readiness_of(org.member_b)
    assert b.track == tracks["team_b"]
    assert [(c.kind, c.label, c.met) for c in b.criteria] == [
        ("training", "SMB basics", False)
    ]


def test_a_sub_team_climbs_its_parent_teams_track(org, tracks):
    sub = TeamFactory(name="Team B-1", parent=org.team_b)
    member = TeamMembershipFactory(team=sub).user
    assert member_tracks([member.pk])[member.pk] == tracks["team_b"]


def test_readiness_says_when_a_criterion_rests_on_provisional_figures(
    client, org, tracks
):
    at_level(org.member_a, tracks["csm"])
    month = complete_months(1)[0]
    conversions(
        org.member_a, tracks["steps"][0], month, converted=2, cohort=4, provisional=True
    )
    report = readiness_of(org.member_a)
    (criterion,) = report.criteria
    assert criterion.provisional and report.provisional
    assert report.snapshot()["criteria"][0]["provisional"] is True
    client.force_login(org.manager_a)
    page = client.get(
        reverse("recognition:readiness_detail", args=[org.member_a.pk])
    ).text
    assert 'data-testid="readiness-provisional"' in page
    assert 'data-testid="criterion-provisional"' in page
    assert "Judged on the ladder of the track" in page


def test_the_ladder_page_shows_the_chosen_track_and_admins_pick_any(
    client, org, tracks
):
    client.force_login(org.admin)
    url = reverse("recognition:ladder")
    page = client.get(url, {"track": tracks["smb"].pk})
    assert page.status_code == 200 and page.context["track"] == tracks["smb"]
    assert "≥ 40.0 % over the last 3 months" in page.text
    assert "≥ 60.0 %" not in page.text
    names = [t.name for t, _kind in page.context["tracks"]]
    assert names == ["標準", "SMB ladder", "Team B ladder"]
    # An admin writes criteria on a track: the new step form starts on it.
    form = client.get(
        reverse("recognition:ladder_step_create"), {"track": tracks["team_b"].pk}
    )
    assert form.context["form"]["track"].value() == tracks["team_b"].pk


def test_a_member_opens_their_own_track_and_another_teams_track_is_404(
    client, org, tracks
):
    client.force_login(org.member_b)
    mine = client.get(reverse("recognition:ladder"))
    assert mine.context["track"] == tracks["team_b"]
    assert "SMB basics" in mine.text
    client.force_login(org.member_a)
    url = reverse("recognition:ladder")
    assert client.get(url, {"track": tracks["team_b"].pk}).status_code == 404
    assert client.get(url, {"track": "x"}).status_code == 404
    offered = [t.name for t, _kind in client.get(url).context["tracks"]]
    assert "Team B ladder" not in offered
    # Another team's member's readiness answers 404 as before.
    response = client.get(
        reverse("recognition:readiness_detail", args=[org.member_b.pk])
    )
    assert response.status_code == 404


def test_an_admin_adds_a_track_for_a_team(client, org, tracks):
    client.force_login(org.admin)
    response = client.post(
        reverse("recognition:ladder_track_create"),
        {"name": "Team A ladder", "team": org.team_a.pk, "journey": ""},
    )
    assert response.status_code == 302
    track = CareerTrack.objects.get(name="Team A ladder")
    assert member_tracks([org.member_a.pk])[org.member_a.pk] == track
    both = client.post(
        reverse("recognition:ladder_track_create"),
        {"name": "Both", "team": org.team_a.pk, "journey": tracks["journey"].pk},
    )
    assert both.status_code == 200 and both.context["form"].errors
    client.force_login(org.manager_a)
    denied = client.post(
        reverse("recognition:ladder_track_create"), {"name": "Mine", "team": ""}
    )
    assert denied.status_code == 403


def test_one_step_up_per_level_and_track(client, org, tracks):
    client.force_login(org.admin)
    senior = PromotionStep.objects.get(track=tracks["default"]).to_level
    response = client.post(
        reverse("recognition:ladder_step_create"),
        {
            "track": tracks["team_b"].pk,
            "from_level": tracks["csm"].pk,
            "to_level": senior.pk,
            "metric-TOTAL_FORMS": "0",
            "metric-INITIAL_FORMS": "0",
            "competency-TOTAL_FORMS": "0",
            "competency-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert PromotionStep.objects.filter(track=tracks["team_b"]).count() == 1


def test_team_readiness_downloads_as_csv(client, org, tracks):
    at_level(org.member_a, tracks["csm"])
    month = complete_months(1)[0]
    conversions(org.member_a, tracks["steps"][0], month, converted=3, cohort=4)
    client.force_login(org.manager_a)
    response = client.get(reverse("recognition:readiness_csv"))
    assert response.status_code == 200
    table = rows(response)
    assert table[0] == [
        "Member",
        "Track",
        "Current level",
        "Next level",
        "Ready",
        "Criteria met",
        "Criteria",
        "Provisional",
        "Not met",
    ]
    by_member = {row[0]: row for row in table[1:]}
    # 3/4 = 75 % ≥ 60 %: ready, on the default track.
    assert by_member[org.member_a.display_name] == [
        org.member_a.display_name,
        "標準",
        "CSM",
        "Senior CSM",
        "1",
        "1",
        "1",
        "0",
        "",
    ]
    assert org.member_b.display_name not in by_member  # another team's member


def test_the_api_gives_each_step_its_track_and_hides_another_teams(
    api_client, org, tracks
):
    criteria = "/api/v1/promotion-criteria/"
    api_client.force_authenticate(org.admin)
    listed = api_client.get(criteria).json()["results"]
    assert sorted(row["track_name"] for row in listed) == [
        "SMB ladder",
        "Team B ladder",
        "標準",
    ]
    team_b_step = PromotionStep.objects.get(track=tracks["team_b"])
    api_client.force_authenticate(org.member_a)
    names = [row["track_name"] for row in api_client.get(criteria).json()["results"]]
    assert "Team B ladder" not in names and "標準" in names
    assert api_client.get(f"{criteria}{team_b_step.pk}/").status_code == 404
    # An admin writes a step on a track; without one it goes to the default.
    api_client.force_authenticate(org.admin)
    lead = CareerLevel.objects.create(name="Lead", name_en="Lead", position=3)
    senior = team_b_step.to_level
    created = api_client.post(
        criteria,
        {
            "track": tracks["team_b"].pk,
            "from_level": senior.pk,
            "to_level": lead.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["track_name"] == "Team B ladder"
