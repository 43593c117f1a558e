from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import (
    Notification,
    Role,
    RolePeriod,
    Team,
    TeamMembership,
    User,
)
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
from journeys import revenue
from journeys import selectors as journey_selectors
from journeys.models import (
    AccountHealth,
    ARRSnapshot,
    Coverage,
    CustomerAccount,
    Journey,
    Playbook,
    PlaybookVersion,
    Pool,
    PoolMembership,
    PracticumReflection,
    QuizChoice,
    QuizQuestion,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from recognition import models as recognition
from recognition.selectors.promotion import member_track

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
JOURNEY_MODELS = [
    Journey,
    Step,
    Playbook,
    PlaybookVersion,
    TrainingModule,
    QuizQuestion,
    QuizChoice,
    TrainingAssignment,
    TrainingCompletion,
    PracticumReflection,
    Pool,
    PoolMembership,
    CustomerAccount,
    Coverage,
    StepEvent,
    ARRSnapshot,
]


RECOGNITION_MODELS = [
    recognition.CompetencyAssessment,
    recognition.CompetencyRating,
    recognition.CareerLevel,
    recognition.PromotionStep,
    recognition.MemberLevel,
    recognition.DevelopmentPlan,
    recognition.PlanTarget,
    recognition.PlanAction,
    recognition.PlanCheckIn,
    recognition.AwardProgram,
    recognition.AwardPeriod,
    recognition.AwardWinner,
    recognition.RollupRun,
    recognition.MemberFigure,
    recognition.RoleFunction,
    recognition.MaturityAssessment,
]


def _snapshot():
    return {
        "users": list(User.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "memberships": list(TeamMembership.objects.order_by("pk").values()),
        "roles": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    } | {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in HIRING_MODELS + JOURNEY_MODELS + RECOGNITION_MODELS
    }


@pytest.mark.long
def test_seed_demo_creates_the_organisation_and_prints_logins(client):
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
    # The journeys demo at its full size: about 2,000 accounts, a third pooled.
    accounts = CustomerAccount.objects.count()
    assert 1990 <= accounts <= 2010
    pooled = Coverage.objects.filter(ended_at__isnull=True, model="pooled").count()
    assert 0.3 <= pooled / accounts <= 0.37
    assert StepEvent.objects.count() > 2 * accounts
    # The demo shows a span of control warning (one seeding at full size for both).
    client.force_login(User.objects.get(username="admin"))
    team = Team.objects.get(name="オンボーディング")
    assert 'data-testid="span-warning"' in client.get(team.get_absolute_url()).text


def test_roles_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


# --- Hiring -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def _small_demo(module_data):
    # Seeded once for the module's tests below (each one's changes are rolled back);
    # the tests above seed for themselves and run before it exists.
    module_data(
        lambda: call_command("seed_demo", "--size", "small", stdout=StringIO()),
        starting_profiles=True,
    )


@pytest.fixture
def demo(_small_demo, db):
    pass


def test_seed_demo_twice_changes_nothing(demo):
    # `demo` seeded once (the module's small demo); seeding again adds nothing.
    first = _snapshot()
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert _snapshot() == first


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


# --- Journeys ---------------------------------------------------------------------


def _current_steps(journey):
    return list(journey.steps.filter(retired_at__isnull=True).order_by("position"))


def test_two_journeys_of_five_steps_with_value_points(demo):
    journeys = Journey.objects.all()
    assert journeys.count() == 2
    assert {j.coverage_models for j in journeys} == {"dedicated", "pooled"}
    for journey in journeys:
        steps = _current_steps(journey)
        assert [s.position for s in steps] == [1, 2, 3, 4, 5]
        assert all(step.done_checks() for step in steps)
        targets = [s.target_days for s in steps if s.is_value_point]
        assert len(targets) >= 2 and targets == sorted(targets)
    dedicated = Journey.objects.get(coverage_models="dedicated")
    assert [s.name for s in _current_steps(dedicated)] == [
        "キックオフ",
        "初期設定完了",
        "ファーストバリュー",
        "定着",
        "拡大",
    ]


def test_a_playbook_and_a_module_with_a_quiz_for_every_transition(demo):
    managers = {"tanaka", "suzuki", "takahashi"}
    for journey in Journey.objects.all():
        for step in _current_steps(journey)[:-1]:
            playbook = step.playbook
            assert playbook.owner.username in managers
            current = journey_selectors.playbook_current(playbook)
            assert current.goal and current.action_lines()
            assert "{customer_name}" in current.content
            module = step.training_modules.get()
            assert module.pass_mark and module.material
            questions = list(module.quiz_questions.all())
            assert len(questions) >= 2
            for question in questions:
                assert question.choices.filter(is_correct=True).count() == 1
                assert question.choices.count() >= 2
        assert not Playbook.objects.filter(from_step=_current_steps(journey)[-1])
    # The history of a revised playbook shows.
    assert PlaybookVersion.objects.filter(number=2, note__gt="").exists()


def test_assignments_completions_and_practicum(demo):
    assert TrainingAssignment.objects.filter(team__isnull=False).exists()
    assert TrainingAssignment.objects.filter(member__username="kondo").exists()
    # Some failed first and passed on a retry.
    failed = TrainingCompletion.objects.filter(passed=False)
    assert failed.exists()
    for attempt in failed:
        assert attempt.score < attempt.module.pass_mark
        assert TrainingCompletion.objects.filter(
            module=attempt.module,
            member=attempt.member,
            passed=True,
            completed_at__gt=attempt.completed_at,
        ).exists()
    # The newest member is walking the practicum: some steps done, one started.
    kondo = User.objects.get(username="kondo")
    reflections = PracticumReflection.objects.filter(member=kondo)
    assert reflections.filter(completed_at__isnull=False).count() == 2
    assert reflections.filter(completed_at__isnull=True).count() == 1
    assert all(r.what_was_hard or r.where_stuck for r in reflections)
    pooled = Journey.objects.get(coverage_models="pooled")
    assert not journey_selectors.is_ready_for_accounts(kondo, pooled)


def test_two_pools_with_the_smb_teams_members(demo):
    team = Team.objects.get(name="SMBプール")
    members = set(
        TeamMembership.objects.filter(team=team, end_date__isnull=True).values_list(
            "user__username", flat=True
        )
    )
    assert "kondo" in members
    pools = Pool.objects.all()
    assert pools.count() == 2
    for pool in pools:
        assert pool.team == team
        assert set(pool.memberships.values_list("user__username", flat=True)) == (
            members
        )


def test_accounts_with_coverage_history(demo):
    accounts = CustomerAccount.objects.count()
    # Sixty in bulk, and two written through the services.
    assert accounts == 62
    open_periods = Coverage.objects.filter(ended_at__isnull=True)
    assert open_periods.count() == accounts
    pooled = open_periods.filter(model="pooled").count()
    assert 0.3 <= pooled / accounts <= 0.37
    # Pooled accounts follow the tech-touch journey; dedicated owners are members
    # who are ready for accounts.
    assert not open_periods.filter(model="pooled").exclude(
        account__journey__coverage_models="pooled"
    )
    for owner in User.objects.filter(covered_accounts__isnull=False).distinct():
        assert owner.username != "kondo"
        journey = Journey.objects.get(coverage_models="dedicated")
        assert journey_selectors.is_ready_for_accounts(owner, journey)
    # Periods follow each other: each one ends when the next starts.
    for account in CustomerAccount.objects.prefetch_related("coverage"):
        periods = sorted(account.coverage.all(), key=lambda p: p.started_at)
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.ended_at == after.started_at
    # Some accounts changed owner.
    changed = [
        account
        for account in CustomerAccount.objects.prefetch_related("coverage")
        if len({p.owner_id for p in account.coverage.all() if p.owner_id}) > 1
    ]
    assert len(changed) >= 2


def test_twelve_months_of_events_with_drop_off_and_skipped_steps(demo):
    live = StepEvent.objects.filter(voided_at__isnull=True)
    first = live.order_by("reached_at").first().reached_at
    last = live.order_by("-reached_at").first().reached_at
    assert 330 <= (last - first).days <= 366
    assert last <= timezone.now()
    for journey in Journey.objects.all():
        reached = [
            live.filter(step=step).values("account").distinct().count()
            for step in _current_steps(journey)
        ]
        # Every account started; fewer go on at each step.
        assert reached[0] == journey.accounts.count()
        assert reached == sorted(reached, reverse=True)
        assert reached[-1] < reached[0]
    # Some accounts reached a later step without an event for the one before.
    skipped = 0
    for account in CustomerAccount.objects.prefetch_related("step_events__step"):
        positions = {
            e.step.position for e in account.step_events.all() if not e.voided_at
        }
        if positions and max(positions) > len(positions):
            skipped += 1
    assert skipped >= 3
    # Voided events keep their reason and do not count.
    voided = StepEvent.objects.filter(voided_at__isnull=False)
    assert voided.exists() and all(e.void_reason for e in voided)
    # Events are credited to whoever covered the account then.
    for event in live.filter(account__coverage__model="dedicated").distinct()[:50]:
        owner = journey_selectors.owner_at(event.account, event.reached_at)
        if event.recorded_by and event.account.external_id != "DEMO-LIVE-1":
            assert event.recorded_by == owner
    sources = set(live.values_list("source", flat=True))
    assert sources == {"ui", "api", "import"}


def test_arr_by_month_follows_each_account_for_up_to_a_year(demo):
    this_month = revenue.current_month()
    by_account = {}
    for snapshot in ARRSnapshot.objects.select_related("account").order_by("month"):
        by_account.setdefault(snapshot.account, []).append(snapshot)
    assert set(by_account) == set(CustomerAccount.objects.all())
    for account, months in by_account.items():
        # Every month from the first to this one, a year at most, no gap.
        assert months[-1].month == this_month
        assert 1 <= len(months) <= 12
        assert [m.month for m in months] == [
            revenue.add_months(months[0].month, n) for n in range(len(months))
        ]
        # The account's ARR is its latest month's; movements follow the rules.
        assert account.arr == months[-1].arr
        expected = revenue.classify((m.arr, m.stated_movement) for m in months)
        assert [m.movement for m in months] == [r.movement for r in expected]
    movements = set(ARRSnapshot.objects.values_list("movement", flat=True))
    assert movements == {"", *revenue.ARRMovement.values}
    # Some accounts churned and stay at 0; one signed at 0 before its first ARR.
    assert CustomerAccount.objects.filter(arr=0).exists()
    assert ARRSnapshot.objects.filter(previous_arr__isnull=True, arr=0).exists()
    # The live accounts' months were entered on the page by the owner, or sent by
    # the CRM.
    live = ARRSnapshot.objects.filter(account__external_id__startswith="DEMO-LIVE")
    assert set(live.values_list("account__external_id", "source", "movement")) == {
        ("DEMO-LIVE-1", "ui", "new"),
        ("DEMO-LIVE-1", "ui", "upsell"),
        ("DEMO-LIVE-2", "api", "new"),
    }


def test_every_account_has_a_health_history_of_seven_days(demo):
    """The 1st of each of the six months before this one, and today: the account
    page shows a history, and every band is there for the lists to filter."""
    today = timezone.localdate()
    days = set(AccountHealth.objects.values_list("day", flat=True))
    assert len(days) == 7 and today in days
    assert min(days) == revenue.add_months(today.replace(day=1), -6)
    bands = set(CustomerAccount.objects.values_list("health_band", flat=True))
    assert {"healthy", "at_risk", "critical"} <= bands


def test_the_management_demo_has_assessments_a_ladder_plans_and_awards(demo, client):
    members = User.objects.filter(
        groups__name=Role.MEMBER.value, team_memberships__end_date=None
    )
    assessed = recognition.CompetencyAssessment.objects.values("member").distinct()
    assert members.exclude(pk__in=assessed).count() == 0
    assert recognition.CareerLevel.objects.count() == 4
    # The default ladder, and the pooled SMB team's own (its tech-touch journey).
    steps = recognition.PromotionStep.objects.select_related("track")
    assert (
        sorted((step.track.name, step.track.is_default) for step in steps)
        == [("SMBプール", False)] * 3 + [("標準", True)] * 3
    )
    smb = User.objects.filter(team_memberships__team__name="SMBプール").first()
    assert member_track(smb).name == "SMBプール"
    assert recognition.MemberLevel.objects.filter(member__in=members).count() == (
        members.count()
    )
    # Closing the loop: a transition target, with its training assigned.
    target = recognition.PlanTarget.objects.first()
    assert target.metric.startswith("step_conversion:")
    assert recognition.PlanAction.objects.filter(
        training_assignment__isnull=False
    ).exists()
    # A different metric for each of the last six months, and next month's set.
    periods = list(
        recognition.AwardPeriod.objects.filter(program__name="月間MVP").order_by(
            "start"
        )
    )
    assert len(periods) == 8
    assert len({period.metric for period in periods[:6]}) == 6
    closed = [period for period in periods if period.closed_at]
    assert closed and any(period.winners.exists() for period in closed)
    # Their winners are announced in the app (the demo sends no email).
    assert all(period.announced_at for period in closed)
    assert Notification.objects.filter(kind="award_won").exists()
    # The pooled SMB team has its own award on its own journey, not the dedicated
    # one's (whose metrics it could never qualify for).
    smb_program = recognition.AwardProgram.objects.get(name="SMB月間MVP")
    assert [team.name for team in smb_program.teams.all()] == ["SMBプール"]
    assert not recognition.AwardProgram.objects.filter(
        name="月間MVP", teams__name="SMBプール"
    ).exists()
    smb_metrics = set(smb_program.periods.values_list("metric", flat=True))
    pooled = Journey.objects.get(name="SMBテックタッチ・ジャーニー")
    assert smb_metrics and all(
        Step.objects.get(pk=int(key.split(":")[1])).journey == pooled
        for key in smb_metrics
    )
    assert recognition.MemberFigure.objects.exists()
    client.force_login(User.objects.get(username="tanaka"))
    page = client.get("/management/")
    assert page.status_code == 200
    assert "%" in page.text and "月間MVP" in page.text


def test_the_demo_has_a_role_map_and_a_maturity_assessment_per_quarter(demo):
    from recognition import organisation

    needs = recognition.RoleFunction.objects.filter(
        importance="now", status__in=["shared", "not_started"]
    )
    assert {f.key for f in needs} == {"renewal", "operations", "enablement"}
    assert recognition.RoleFunction.objects.filter(key="").count() == 1
    assessments = list(recognition.MaturityAssessment.objects.order_by("quarter"))
    running = organisation.quarter_key(timezone.localdate())
    quarters = [running]
    for _ in range(3):
        quarters.insert(0, organisation.previous_quarter_key(quarters[0]))
    assert [a.quarter for a in assessments] == quarters
    levels = [a.level for a in assessments]
    assert levels[:3] == [2, 2, 3] and levels[3] >= 3
    # The running quarter's answers come from the evidence of the demo's data.
    assert assessments[-1].answers["playbooks_written"] == "yes"
    assert assessments[-1].evidence["journey_defined"]["answer"] == "yes"


def test_the_demo_has_two_capacity_plans(demo, client):
    from recognition.selectors import planning

    plans = {plan.name: plan for plan in recognition.CapacityPlan.objects.all()}
    assert len(plans) == 2
    this_year = plans["今年度の体制（現状の顧客から）"]
    today = {
        (row["segment"], row["coverage_model"]): row["accounts"]
        for row in planning.today_data(viewer=User.objects.get(username="admin"))
    }
    assert {
        (row.segment, row.coverage_model): row.accounts
        for row in this_year.segments.all()
    } == today
    next_year = plans["来年度案（テックタッチ導入とプール化）"]
    results = planning.plan_results(next_year)
    assert results.by_model["tech_touch"] > 0
    assert results.whatif is not None and results.whatif.moved > 0
    client.force_login(User.objects.get(username="tanaka"))
    page = client.get(next_year.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="plan-whatif"' in page.text


def test_the_demo_history_credits_the_members_who_made_it(demo):
    members = User.objects.filter(groups__name=Role.MEMBER.value)
    # Every member's role is held since always (a start would drop the twelve
    # months of history seeded before it), the hire through Kata included.
    assert members.filter(username="kondo").exists()
    periods = RolePeriod.objects.filter(user__in=members, role=Role.MEMBER)
    assert periods.count() == members.count()
    assert not periods.filter(started_at__isnull=False).exists()
    # So every first reach of a dedicated account counts for its owner.
    rows = recognition.AccountTransition.objects.all()
    assert rows.filter(member__isnull=False).exists()
    assert not rows.filter(member__isnull=True, pool__isnull=True).exists()
