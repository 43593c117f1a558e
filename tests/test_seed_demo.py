from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, Team, TeamMembership, User
from hiring import selectors
from hiring.models import (
    AnswerRating,
    Application,
    Candidate,
    CompetencyRating,
    Decision,
    Interview,
    InterviewKit,
    KitQuestion,
    Opening,
    Question,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)

# The demo builds on the starting competencies and profiles (migration hiring 0002),
# which other tests set aside (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("starting_profiles")]

HIRING_MODELS = [
    Question,
    Opening,
    InterviewKit,
    KitQuestion,
    Candidate,
    Application,
    Decision,
    Interview,
    Scorecard,
    ScorecardRevision,
    AnswerRating,
    CompetencyRating,
]


def _snapshot():
    return {
        "users": list(User.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "memberships": list(TeamMembership.objects.order_by("pk").values()),
        "roles": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    } | {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in HIRING_MODELS
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    first = _snapshot()
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert _snapshot() == first


def test_seed_demo_creates_the_organisation_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    def holders(role):
        return User.objects.filter(groups__name=role.value).count()

    assert holders(Role.ADMIN) == 1
    assert holders(Role.MANAGER) == 3
    # Twenty members, and the candidate hired through Kata.
    assert holders(Role.MEMBER) == 21
    assert holders(Role.INTERVIEWER) >= 2
    assert holders(Role.RECRUITER) == 1
    assert (
        Team.objects.filter(
            parent__isnull=False, leader__groups__name="Manager"
        ).count()
        == 3
    )
    assert User.objects.get(username="admin").family_name == "山本"
    text = out.getvalue()
    assert "kata-demo-2026" in text
    for username in ("admin", "tanaka", "sato", "ito", "kobayashi", "kondo"):
        assert username in text
    assert User.objects.get(username="tanaka").check_password("kata-demo-2026")


def test_demo_shows_a_span_of_control_warning(client):
    call_command("seed_demo", stdout=StringIO())
    client.force_login(User.objects.get(username="admin"))
    team = Team.objects.get(name="オンボーディング")
    assert 'data-testid="span-warning"' in client.get(team.get_absolute_url()).text


def test_roles_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


# --- Hiring -----------------------------------------------------------------------


@pytest.fixture
def demo():
    call_command("seed_demo", "--size", "small", stdout=StringIO())


def test_the_starting_profiles_exist_after_migrations():
    starters = SuccessProfile.objects.filter(is_starter=True)
    assert set(starters.values_list("name", flat=True)) == {
        "丁寧サポート型",
        "目標達成型",
        "コンサルティング型",
    }
    for profile in starters.prefetch_related("weights__competency"):
        weights = {w.competency.name: w.weight for w in profile.weights.all()}
        assert 6 <= len(weights) <= 8
        assert set(weights.values()) <= {1, 2, 3, 4, 5}
        assert profile.name_en and profile.description and profile.description_en
        for weight in profile.weights.all():
            competency = weight.competency
            assert competency.name_en and competency.description_en
            assert len(competency.indicator_lines()) >= 3
            assert competency.indicators_en.count("\n") >= 2
    careful = {
        w.competency.name: w.weight
        for w in SuccessProfile.objects.get(name="丁寧サポート型").weights.all()
    }
    assert careful["丁寧さ"] == careful["安心感"] == careful["共感力"] == 5


def test_the_question_bank_is_bilingual_with_rubrics(demo):
    questions = Question.objects.select_related("competency")
    assert questions.count() >= 30
    for question in questions:
        assert question.kind in {"behavioural", "scenario"}
        for field in ["text"] + [f"rubric_{rating}" for rating in range(1, 5)]:
            assert getattr(question, field), (question.pk, field)
            assert getattr(question, f"{field}_en"), (question.pk, field)
    assert {q.kind for q in questions} == {"behavioural", "scenario"}
    # Competencies that weigh more get more questions.
    per_competency = {}
    for question in questions:
        per_competency.setdefault(question.competency.name, 0)
        per_competency[question.competency.name] += 1
    assert per_competency["丁寧さ"] > per_competency["学習意欲"]


def test_three_openings_with_kits_without_coverage_warnings(demo):
    openings = Opening.objects.select_related("profile", "hiring_manager")
    assert {o.profile.name for o in openings} == {
        "丁寧サポート型",
        "目標達成型",
        "コンサルティング型",
    }
    assert {o.hiring_manager.username for o in openings} == {
        "tanaka",
        "suzuki",
        "takahashi",
    }
    for opening in openings:
        kits = {kit.stage: kit for kit in opening.kits.all()}
        assert set(kits) == {"first", "final"}
        for kit in kits.values():
            rows = selectors.kit_coverage(kit=kit)
            assert [row.warning for row in rows if row.warning] == []
            assert all(row.questions for row in rows)


def test_fifteen_candidates_at_every_stage(demo):
    assert Candidate.objects.count() == 15
    stages = set(Application.objects.values_list("stage", flat=True))
    assert stages == set(Application.Stage.values)
    # A candidate can apply to several openings.
    assert Application.objects.count() > Candidate.objects.count()


def test_drafts_submitted_scorecards_and_a_correction(demo):
    revisions = ScorecardRevision.objects.all()
    assert revisions.filter(submitted_at__isnull=True).exists()
    assert revisions.filter(submitted_at__isnull=False).count() >= 10
    correction = revisions.get(number=2)
    assert correction.reason and correction.submitted_at
    assert correction.scorecard.current == correction
    interviewers = set(
        Interview.objects.values_list("interviewer__username", flat=True)
    )
    assert {"ito", "watanabe", "tanaka", "suzuki"} <= interviewers
    assert set(Decision.objects.values_list("kind", flat=True)) == {
        "advance",
        "offer",
        "reject",
    }


def test_ito_has_an_interview_today_with_an_empty_scorecard(demo):
    today = [
        interview
        for interview in Interview.objects.filter(interviewer__username="ito")
        if timezone.localdate(interview.scheduled_at) == timezone.localdate()
    ]
    assert today
    assert not today[0].scorecard.revisions.exists()


def test_the_hired_candidate_is_a_member_of_the_openings_team(demo):
    application = Application.objects.get(stage="hired")
    user = application.candidate.user
    assert user.username == "kondo"
    assert TeamMembership.objects.filter(
        user=user, team=application.opening.team, end_date__isnull=True
    ).exists()


def test_calibration_shows_a_lenient_and_a_severe_interviewer(demo):
    rows = {
        row.interviewer.username: row for row in selectors.interviewer_calibration()
    }
    assert rows["ito"].shown and rows["ito"].difference > 0
    assert rows["watanabe"].shown and rows["watanabe"].difference < 0
