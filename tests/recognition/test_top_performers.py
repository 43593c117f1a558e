"""Proposed weights from top performers (METRICS.md): the top quarter with ties at
the boundary, d_c from the latest assessments, the weight mapping by hand, saving
into a new or an existing success profile, admins only, query counts."""

from datetime import timedelta
from fractions import Fraction

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from hiring.models import ProfileWeight, SuccessProfile
from recognition import metrics
from recognition.metrics import Metric
from recognition.selectors import quality
from recognition.selectors.quality import (
    best_quarter,
    round_half_up,
    weights_from_differences,
)
from tests.factories import CompetencyFactory, SuccessProfileFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.quality_factories import (
    assess,
    cohort,
    member_in_team_a,
    months_ago,
)

pytestmark = pytest.mark.django_db

URL = reverse("recognition:top_performers")

HIGHER = Metric(
    key="step_conversion:1",
    family="step_conversion",
    label="Conversion",
    unit="percent",
    direction="higher",
    denominator="cohort",
)
LOWER = Metric(
    key="days_to_convert:1",
    family="days_to_convert",
    label="Days",
    unit="days",
    direction="lower",
    denominator=None,
)


# --- The top quarter ----------------------------------------------------------------


def _values(*numbers):
    return {member_id: Fraction(number) for member_id, number in enumerate(numbers, 1)}


def test_the_top_quarter_includes_ties_at_the_boundary():
    # Eight ranked: ⌈8 / 4⌉ = 2, the second best value is 8 → ranks 1, 2, 2.
    assert best_quarter(_values(9, 8, 8, 7, 6, 5, 4, 3), metric=HIGHER) == {1, 2, 3}
    # Four ranked: ⌈4 / 4⌉ = 1 → the best only; five: ⌈5 / 4⌉ = 2.
    assert best_quarter(_values(4, 3, 2, 1), metric=HIGHER) == {1}
    assert best_quarter(_values(5, 4, 3, 2, 1), metric=HIGHER) == {1, 2}
    # Everyone tied is everyone's rank 1.
    assert best_quarter(_values(7, 7, 7, 7), metric=HIGHER) == {1, 2, 3, 4}
    assert best_quarter(_values(2), metric=HIGHER) == {1}
    assert best_quarter({}, metric=HIGHER) == set()


def test_the_top_quarter_follows_the_metric_direction():
    # Fewer days is better: 10 and 12 (tied with 12) are the best quarter of 5.
    assert best_quarter(_values(30, 12, 10, 12, 40), metric=LOWER) == {2, 3, 4}


def test_the_top_quarter_ranks_members_by_their_last_six_months(org):
    journey, steps = journey_with_steps(3)
    metric = metrics.metric_by_key(f"step_conversion:{steps[0].pk}")
    converted = [9, 8, 8, 7, 6, 5, 4, 3]
    people = [member_in_team_a(org) for _ in converted]
    for person, count in zip(people, converted, strict=True):
        cohort(person, steps[0], month=months_ago(2), size=10, converted=count)
    # Outside the last six months, and a running month: not counted.
    cohort(people[7], steps[0], month=months_ago(7), size=10, converted=10)
    cohort(people[6], steps[0], month=months_ago(0), size=10, converted=10)

    quarter = quality.top_quarter(metric=metric)

    assert quarter.top_ids == {people[0].pk, people[1].pk, people[2].pk}
    ranks = {row.member: row.rank for row in quarter.ranked}
    assert [ranks[person] for person in people] == [1, 2, 2, 4, 5, 6, 7, 8]
    assert quarter.ranked[0].member == people[0]
    assert quarter.ranked[0].value_display == "90.0 %"
    # member_a, member_b and sub_member have no figure: not ranked.
    assert quarter.unranked == 3


# --- Weights ----------------------------------------------------------------------


def test_round_half_up():
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(7, 2)) == 4
    assert round_half_up(Fraction(249, 100)) == 2


def test_weights_by_hand():
    # max d = 0.8: 5·0.8/0.8 = 5; 5·0.4/0.8 = 2.5 → 3; 5·0.2/0.8 = 1.25 → 1 → at
    # least 2; 5·0.1/0.8 = 0.625 → 1 → 2; 5·0.7/0.8 = 4.375 → 4; d ≤ 0 → 1.
    differences = {
        "a": Fraction(8, 10),
        "b": Fraction(4, 10),
        "c": Fraction(2, 10),
        "d": Fraction(1, 10),
        "e": Fraction(7, 10),
        "f": Fraction(0),
        "g": Fraction(-3, 10),
        "h": None,
    }
    assert weights_from_differences(differences) == {
        "a": 5,
        "b": 3,
        "c": 2,
        "d": 2,
        "e": 4,
        "f": 1,
        "g": 1,
        "h": None,
    }


def test_exact_halves_round_up():
    # 5 · 0.7 / 1 = 3.5 → 4; 5 · 0.3 / 1 = 1.5 → 2.
    weights = weights_from_differences(
        {"a": Fraction(1), "b": Fraction(7, 10), "c": Fraction(3, 10)}
    )
    assert weights == {"a": 5, "b": 4, "c": 2}


def test_when_no_one_does_better_every_weight_is_one():
    assert weights_from_differences({"a": Fraction(0), "b": Fraction(-1)}) == {
        "a": 1,
        "b": 1,
    }


class Team:
    """Two top performers and two others with assessments, one member without."""

    def __init__(self, org):
        self.org = org
        self.empathy = CompetencyFactory(name_en="Empathy")
        self.speed = CompetencyFactory(name_en="Speed")
        self.detail = CompetencyFactory(name_en="Detail")
        self.logic = CompetencyFactory(name_en="Logic")
        self.grit = CompetencyFactory(name_en="Grit")
        CompetencyFactory(name_en="Retired", is_active=False)
        self.top = [member_in_team_a(org), member_in_team_a(org)]
        self.others = [member_in_team_a(org), member_in_team_a(org)]
        self.unassessed = member_in_team_a(org)
        earlier = timezone.now() - timedelta(days=90)
        by = org.manager_a
        # An older assessment does not count: only the latest one.
        assess(self.top[0], by, {self.empathy: 1, self.logic: 1}, when=earlier)
        assess(
            self.top[0],
            by,
            {self.empathy: 4, self.speed: 4, self.detail: 3, self.logic: 3},
        )
        assess(
            self.top[1],
            by,
            {self.empathy: 4, self.speed: 3, self.detail: 3, self.logic: 2},
        )
        assess(
            self.others[0],
            by,
            {
                self.empathy: 2,
                self.speed: 3,
                self.detail: 2,
                self.logic: 3,
                self.grit: 3,
            },
        )
        assess(
            self.others[1],
            by,
            {
                self.empathy: 3,
                self.speed: 2,
                self.detail: 3,
                self.logic: 2,
                self.grit: 2,
            },
        )
        # Not a member: a manager's assessment is nobody's "everyone else".
        assess(org.manager_b, org.admin, {self.empathy: 1, self.logic: 4})

    @property
    def top_ids(self):
        return {member.pk for member in self.top}


def test_differences_come_from_the_latest_assessments(org):
    team = Team(org)
    proposal = quality.proposed_weights(top_ids=team.top_ids)
    rows = {row.competency.name_en: row for row in proposal.rows}
    # Empathy: 4 − 2.5 = 1.5 (the largest) → 5.
    assert rows["Empathy"].difference == Fraction(3, 2)
    assert rows["Empathy"].weight == 5
    # Speed: 3.5 − 2.5 = 1 → 5 · 1 / 1.5 = 3.33 → 3.
    assert rows["Speed"].difference == 1
    assert rows["Speed"].weight == 3
    # Detail: 3 − 2.5 = 0.5 → 1.67 → 2.
    assert rows["Detail"].weight == 2
    # Logic: 2.5 − 2.5 = 0 → 1.
    assert rows["Logic"].difference == 0
    assert rows["Logic"].weight == 1
    # Grit: no top performer rated → no proposal.
    assert rows["Grit"].difference is None
    assert rows["Grit"].weight is None
    assert "Retired" not in rows
    assert (proposal.top_assessed, proposal.others_assessed) == (2, 2)
    assert proposal.weights == {
        team.empathy.pk: 5,
        team.speed.pk: 3,
        team.detail.pk: 2,
        team.logic.pk: 1,
    }


# --- The page -----------------------------------------------------------------------


def _hand(team, **extra):
    return {"how": "hand", "members": [m.pk for m in team.top], **extra}


def _weights(team, **overrides):
    weights = {
        team.empathy: 5,
        team.speed: 3,
        team.detail: 2,
        team.logic: 1,
        team.grit: "",
    }
    data = {f"weight_{c.pk}": w for c, w in weights.items()}
    data.update(overrides)
    return data


def _saved(profile) -> dict[str, int]:
    return {
        weight.competency.name_en: weight.weight
        for weight in ProfileWeight.objects.filter(profile=profile).select_related(
            "competency"
        )
    }


def test_the_proposal_is_shown_for_review(client, org):
    team = Team(org)
    client.force_login(org.admin)
    response = client.get(URL, _hand(team))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="weight_{team.empathy.pk}"' in html
    row = html.split(f'data-competency="{team.empathy.pk}"')[1].split("</tr>")[0]
    assert 'value="5"' in row and "+1.50" in row
    grit = html.split(f'data-competency="{team.grit.pk}"')[1].split("</tr>")[0]
    assert 'value=""' in grit
    # What the save will carry: the same top performers.
    for member in team.top:
        assert f'name="members" value="{member.pk}"' in html


def test_saving_into_a_new_profile(client, org):
    team = Team(org)
    client.force_login(org.admin)
    response = client.post(
        URL,
        _hand(team, target="new", name="Top CSM", name_en="", description="")
        | _weights(team, **{f"weight_{team.logic.pk}": 2}),
    )
    profile = SuccessProfile.objects.get(name="Top CSM")
    assert response.status_code == 302
    assert response.url == profile.get_absolute_url()
    assert _saved(profile) == {"Empathy": 5, "Speed": 3, "Detail": 2, "Logic": 2}
    entry = LogEntry.objects.get(object_id=str(profile.pk))
    assert entry.action_flag == ADDITION and entry.user == org.admin
    assert "chosen by hand" in entry.change_message


def test_saving_into_an_existing_profile_replaces_its_weights(client, org):
    team = Team(org)
    existing = SuccessProfileFactory(name="CSM", weights={team.grit: 4})
    client.force_login(org.admin)
    response = client.post(
        URL, _hand(team, target="existing", profile=existing.pk) | _weights(team)
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.name == "CSM"
    assert _saved(existing) == {"Empathy": 5, "Speed": 3, "Detail": 2, "Logic": 1}
    assert LogEntry.objects.get(object_id=str(existing.pk)).action_flag == CHANGE


def test_a_starting_profile_is_not_offered_nor_edited(client, org):
    team = Team(org)
    starter = SuccessProfileFactory(
        name="Starter", is_starter=True, weights={team.grit: 4}
    )
    client.force_login(org.admin)
    page = client.get(URL, _hand(team)).content.decode()
    assert f'<option value="{starter.pk}"' not in page
    response = client.post(
        URL, _hand(team, target="existing", profile=starter.pk) | _weights(team)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _saved(starter) == {"Grit": 4}


def test_mistakes_are_shown_on_their_fields_and_what_was_typed_stays(client, org):
    team = Team(org)
    client.force_login(org.admin)
    response = client.post(
        URL,
        _hand(team, target="new", name="")
        | _weights(team, **{f"weight_{team.speed.pk}": 7}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Name the new success profile." in html
    assert "A weight is a whole number from 1 to 5." in html
    assert 'value="7"' in html
    assert not SuccessProfile.objects.exists()


def test_a_taken_name_is_refused_on_the_name(client, org):
    team = Team(org)
    SuccessProfileFactory(name="Top CSM")
    client.force_login(org.admin)
    response = client.post(
        URL, _hand(team, target="new", name="Top CSM") | _weights(team)
    )
    assert response.status_code == 200
    form = response.context["save_form"]
    assert "name" in form.errors
    assert SuccessProfile.objects.count() == 1


def test_an_empty_profile_is_refused(client, org):
    team = Team(org)
    client.force_login(org.admin)
    empty = {key: "" for key in _weights(team)}
    response = client.post(URL, _hand(team, target="new", name="Empty") | empty)
    assert response.status_code == 200
    assert "at least one competency" in response.content.decode()
    assert not SuccessProfile.objects.exists()


def test_choosing_nobody_is_refused(client, org):
    client.force_login(org.admin)
    response = client.get(URL, {"how": "hand"})
    assert "Select at least one top performer." in response.content.decode()
    response = client.get(URL, {"how": "metric", "metric": ""})
    assert "Choose the metric to rank the members by." in response.content.decode()


def test_a_metric_without_figures_ranks_nobody(client, org):
    journey, steps = journey_with_steps(2)
    client.force_login(org.admin)
    response = client.get(
        URL, {"how": "metric", "metric": f"step_conversion:{steps[0].pk}"}
    )
    assert "No member has a figure for this metric" in response.content.decode()
    assert "save_form" not in response.context


def test_the_top_quarter_of_a_metric_on_the_page(client, org):
    team = Team(org)
    journey, steps = journey_with_steps(2)
    for member, count in zip([*team.top, *team.others], [9, 8, 5, 3], strict=True):
        cohort(member, steps[0], month=months_ago(3), size=10, converted=count)
    client.force_login(org.admin)
    response = client.get(
        URL, {"how": "metric", "metric": f"step_conversion:{steps[0].pk}"}
    )
    html = response.content.decode()
    ranking = html.split('data-testid="ranking"')[1].split("</table>")[0]
    assert ranking.count("Top performer") == 1  # ⌈4 / 4⌉ = 1
    assert f'data-member="{team.top[0].pk}" class="table-success"' in ranking
    assert response.context["proposal"].top_assessed == 1
    assert f'name="metric" value="step_conversion:{steps[0].pk}"' in html


# --- Admins only --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager_a", "member_a", "interviewer", "recruiter"])
def test_only_admins_propose_weights(client, org, role):
    team = Team(org)
    client.force_login(getattr(org, role))
    assert client.get(URL).status_code == 403
    response = client.post(URL, _hand(team, target="new", name="X") | _weights(team))
    assert response.status_code == 403
    assert not SuccessProfile.objects.exists()


def test_visitors_are_sent_to_the_login(client, org):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 15])
def test_the_proposal_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    competencies = [CompetencyFactory() for _ in range(4)]
    journey, steps = journey_with_steps(2)
    for number in range(count):
        member = member_in_team_a(org)
        assess(
            member,
            org.manager_a,
            {c: 1 + (number + i) % 4 for i, c in enumerate(competencies)},
        )
        cohort(member, steps[0], month=months_ago(2), size=4, converted=number % 5)
    SuccessProfileFactory.create_batch(3)
    client.force_login(org.admin)
    with django_assert_max_num_queries(12):
        response = client.get(
            URL, {"how": "metric", "metric": f"step_conversion:{steps[0].pk}"}
        )
    assert len(response.context["quarter"].ranked) == count
