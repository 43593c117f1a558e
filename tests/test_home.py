"""The home page: each role's cockpit (config/home.py and the pillars' home.py).

`build_home_world` makes one organisation where every section has something to
show, with dates relative to today (the home reads the running and the last
fiscal quarter):

- A journey of three steps, step 3 a value point due 60 days after step 1. In the
  last quarter member_a's 10 accounts reach step 1 (5 reach step 2, 1 step 3) and
  member_c's (team A) 10 accounts reach step 1 (9 step 2, 5 step 3). Team A's rate
  1 → 2 is 14/20 = 70 %; member_a's 50 % on a cohort of 10 falls short by
  (0.7 − 0.5) × 10 = 2, more than at 2 → 3 ((6/14 − 1/5) × 5 = 1.14): member_a's
  weakest transition is 1 → 2; member_c has none.
- The playbook and the module "Kickoff training" of step 1, assigned to team A.
- member_a's development plan: an action overdue, one due in 3 days, one in 60.
- A monthly award of team A (awards_world): member_a 3/4 is second behind a 4/4
  teammate (one winner); a newcomer 1/1 is below the minimum of 2.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from hiring.models import Interview
from journeys.models import Step, TrainingAssignment
from recognition.home import quarter_periods
from recognition.models import (
    DevelopmentPlan,
    MemberLevel,
    PlanAction,
    PlanCheckIn,
    RollupRun,
)
from recognition.services.rollup import rollup
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    TeamFactory,
    schedule_interview,
)
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    PoolMembershipFactory,
    StepEventFactory,
    TrainingModuleFactory,
    journey_with_steps,
)
from tests.recognition.award_factories import AwardProgramFactory, awards_world
from tests.recognition.dashboard_factories import owned_account, reach, team_member

# owner → (accounts at step 1, at step 2, at step 3) in the last quarter
PATHS = {"member_a": (10, 5, 1), "member_c": (10, 9, 5)}


class HomeWorld:
    pass


def _quarter_day(days_in: int) -> datetime:
    """A moment `days_in` days into the last fiscal quarter, 12:00 local time."""
    _running, last = quarter_periods()
    first = timezone.make_aware(
        datetime(last.first_month.year, last.first_month.month, 1, 12)
    )
    return first + timedelta(days=days_in)


def build_home_world(org, *, extra_members: int = 0) -> HomeWorld:
    world = HomeWorld()
    world.org = org
    world.member_c = team_member(org.team_a, "member_c", "千田")
    journey, steps = journey_with_steps(3, name="オンボーディング")
    Step.objects.filter(pk=steps[2].pk).update(is_value_point=True, target_days=60)
    world.journey, world.steps = journey, steps
    owners = {"member_a": org.member_a, "member_c": world.member_c}
    start = _quarter_day(5)
    for name, counts in PATHS.items():
        _accounts(journey, steps, owners[name], counts, start, prefix=name)
    for n in range(extra_members):
        extra = team_member(org.team_a, f"extra{n}", f"追加{n}")
        _accounts(journey, steps, extra, (6, 3, 1), start, prefix=f"extra{n}")
    world.module = TrainingModuleFactory(from_step=steps[0], title="Kickoff training")
    TrainingAssignment.objects.create(
        module=world.module,
        team=org.team_a,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    world.playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(playbook=world.playbook, goal="初期設定を2週間で終える")
    today = timezone.localdate()
    plan = DevelopmentPlan.objects.create(member=org.member_a, created_by=org.manager_a)
    for text, days in (("ロープレを3回", -2), ("QBRを準備", 3), ("資格を取る", 60)):
        PlanAction.objects.create(
            plan=plan, text=text, due_date=today + timedelta(days=days)
        )
    world.plan = plan
    rollup(now=timezone.now())
    # After the rollup: the award figures are written straight into the table.
    world.awards = awards_world(org)
    return world


def _accounts(journey, steps, owner, counts, start, *, prefix):
    at_1, at_2, at_3 = counts
    for n in range(at_1):
        account = owned_account(journey, owner, name=f"{prefix} account {n}")
        reach(account, steps[0], start)
        if n < at_2:
            reach(account, steps[1], start + timedelta(days=7))
        if n < at_3:
            reach(account, steps[2], start + timedelta(days=20))


def _client(client, user):
    client.force_login(user)
    return client


def _home(client, user):
    response = _client(client, user).get(reverse("home"))
    assert response.status_code == 200
    return response


def _sections(response) -> set[str]:
    return {
        role
        for role in ("interviewer", "member", "manager", "admin")
        if f'data-testid="role-{role}"' in response.text
    }


# --- Who sees which sections -------------------------------------------------------


def test_each_role_sees_its_own_sections(client, org, hiring):
    assert _sections(_home(client, org.interviewer)) == {"interviewer"}
    assert _sections(_home(client, org.member_a)) == {"member"}
    assert _sections(_home(client, org.manager_b)) == {"manager"}
    assert _sections(_home(client, org.admin)) == {"admin"}


def test_a_manager_who_interviews_sees_both_sections(client, org, hiring):
    from accounts.services import user_set_roles

    user_set_roles(user=org.manager_a, roles=[Role.MANAGER, Role.INTERVIEWER])
    sections = _sections(_home(client, org.manager_a))
    assert sections == {"manager", "interviewer"}


def test_a_user_without_a_cockpit_is_told_so(client, org):
    response = _home(client, org.recruiter)
    assert _sections(response) == set()
    assert 'data-testid="home-nothing"' in response.text


def test_the_greeting_and_the_team_stay(client, org):
    response = _home(client, org.member_a)
    assert "Welcome, 秋山 member_a" in response.text
    assert "Team A" in response.text


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- Interviewer -------------------------------------------------------------------


def test_interviewer_sees_scorecards_due_overdue_first(client, org, hiring):
    now = timezone.now()
    late = schedule_interview(
        ApplicationFactory(
            opening=hiring.opening, candidate=CandidateFactory(name="遅延 花子")
        ),
        hiring.kit,
        org.interviewer,
        when=now - timedelta(days=3),
    )
    soon = schedule_interview(
        ApplicationFactory(
            opening=hiring.opening, candidate=CandidateFactory(name="次回 次郎")
        ),
        hiring.kit,
        org.interviewer,
        when=now + timedelta(days=1),
    )
    text = _home(client, org.interviewer).text
    due = text.split('data-testid="scorecards-due"')[1].split("card-footer")[0]
    # The 3-day-old interview is overdue (policy: 24 hours) and listed first.
    assert due.index("遅延 花子") < due.index("候補 太郎")
    assert "Overdue" in due.split("候補 太郎")[0]
    assert reverse("hiring:scorecard", args=[late.pk]) in due
    upcoming = text.split('data-testid="next-interviews"')[1].split("card-footer")[0]
    assert "次回 次郎" in upcoming
    assert reverse("hiring:candidate_detail", args=[soon.application.candidate_id]) in (
        upcoming
    )
    assert reverse("hiring:kit_detail", args=[hiring.kit.pk]) in upcoming


def test_interviewer_sees_the_next_five_interviews_and_how_many_in_all(
    client, org, hiring
):
    now = timezone.now()
    for day in range(1, 8):
        schedule_interview(
            ApplicationFactory(
                opening=hiring.opening, candidate=CandidateFactory(name=f"予定 {day}")
            ),
            hiring.kit,
            org.interviewer,
            when=now + timedelta(days=day),
        )
    text = _home(client, org.interviewer).text
    upcoming = text.split('data-testid="next-interviews"')[1].split("card-footer")[0]
    assert "予定 5<" in upcoming and "予定 6<" not in upcoming
    assert "7 interviews planned in all." in upcoming


def test_interviewer_sees_drafts_in_progress(client, org, hiring):
    from tests.factories import fill_scorecard

    fill_scorecard(hiring.interview, ratings={}, submit=False)
    drafts = _home(client, org.interviewer).text.split('data-testid="drafts"')[1]
    assert "候補 太郎" in drafts.split("</div>")[0] + drafts
    assert "No draft in progress." not in drafts.split("card-body")[1]


def test_a_scorecard_only_opened_is_no_draft_in_progress(client, org, hiring):
    """Opening a scorecard (to read its kit) starts an empty revision: nothing
    typed, so nothing to finish."""
    client.force_login(org.interviewer)
    url = reverse("hiring:scorecard", args=[hiring.interview.pk])
    assert client.get(url).status_code == 200
    drafts = _home(client, org.interviewer).text.split('data-testid="drafts"')[1]
    assert "No draft in progress." in drafts.split("card-body")[1]


def test_interviewer_empty_states(client, org):
    text = _home(client, org.interviewer).text
    assert "No scorecard is waiting for you." in text
    assert "No interview is planned for you." in text
    assert "No draft in progress." in text
    assert reverse("hiring:home") in text


def test_interviewer_sees_no_other_interviewers_scorecards(client, org, hiring):
    # The panelist submitted for the same candidate; nothing of it shows.
    text = _home(client, org.interviewer).text
    assert hiring.panelist.display_name not in text
    assert reverse("hiring:scorecard", args=[hiring.panel_interview.pk]) not in text


# --- Member ------------------------------------------------------------------------


@pytest.fixture
def world(org):
    return build_home_world(org)


def test_member_sees_own_figures_beside_the_team_rate(client, world):
    org = world.org
    text = _home(client, org.member_a).text
    figures = text.split('data-testid="my-figures"')[1].split("card-footer")[0]
    _running, last = quarter_periods()
    assert last.label in figures
    # member_a's journey conversion: 1 of 10; the team rate: 6 of 20.
    assert "10.0 % <span" in figures and "(1/10)" in figures
    assert "30.0 %" in figures
    assert "Team rate" in figures
    # Your page opens on the quarter the weakest transition is read from.
    page_link = reverse("recognition:member", args=[org.member_a.pk])
    assert f"{page_link}?period={last.key}" in text


def test_member_sees_the_weakest_transition_with_playbook_and_training(client, world):
    text = _home(client, world.org.member_a).text
    weakest = text.split('data-testid="my-weakest"')[1].split("</div></div>")[0]
    assert "1. Step 1 → 2. Step 2" in weakest
    assert "50.0 % (5 of 10) · team rate 70.0 %" in weakest
    assert reverse("journeys:playbook_detail", args=[world.playbook.pk]) in weakest
    assert reverse("journeys:module_detail", args=[world.module.pk]) in weakest
    assert "not passed yet" in weakest


def test_a_member_without_a_shortfall_is_told_so(client, world):
    text = _home(client, world.member_c).text
    weakest = text.split('data-testid="my-weakest"')[1].split("</div></div>")[0]
    assert "No transition falls short of your team rate" in weakest
    assert "at least 5 accounts" in weakest


def test_member_never_sees_other_members_figures(client, world):
    org = world.org
    text = _home(client, org.member_a).text
    # Nobody else's name or figures: member_c's 90 % at 1 → 2 is not on the page.
    assert world.member_c.display_name not in text
    assert "90.0 %" not in text
    assert reverse("recognition:member", args=[world.member_c.pk]) not in text
    # On the leaderboard line, only the member's own standing.
    awards = text.split('data-testid="my-awards"')[1].split("card-footer")[0]
    assert world.awards.teammate.display_name not in awards


def test_member_sees_training_due(client, world):
    text = _home(client, world.org.member_a).text
    training = text.split('data-testid="my-training"')[1].split("card-footer")[0]
    assert "Kickoff training" in training
    assert reverse("journeys:my_training") in text


def test_member_sees_award_standing_and_distance_to_the_winning_place(client, world):
    text = _home(client, world.org.member_a).text
    awards = text.split('data-testid="my-awards"')[1].split("card-footer")[0]
    assert "Conversion MVP" in awards
    assert "Rank 2 · 75.0 %" in awards
    assert "25.0 pt behind rank 1" in awards
    newcomer = _home(client, world.awards.newcomer).text
    assert "1 more account in the denominator to qualify" in newcomer


def test_member_sees_plan_actions_due_within_two_weeks(client, world):
    text = _home(client, world.org.member_a).text
    actions = text.split('data-testid="my-actions"')[1].split("card-footer")[0]
    assert "ロープレを3回" in actions and "QBRを準備" in actions
    assert "資格を取る" not in actions  # due in 60 days
    assert actions.index("ロープレを3回") < actions.index("QBRを準備")
    assert reverse("recognition:plan_detail", args=[world.org.member_a.pk]) in text


def test_member_sees_the_first_eight_actions_due_and_how_many_in_all(client, world):
    today = timezone.localdate()
    for n in range(8):
        PlanAction.objects.create(
            plan=world.plan, text=f"追加{n}", due_date=today + timedelta(days=5)
        )
    text = _home(client, world.org.member_a).text
    actions = text.split('data-testid="my-actions"')[1].split("card-footer")[0]
    # Ten due within two weeks (the certificate in 60 days is not): the earliest
    # eight are listed, the count says ten.
    assert "ロープレを3回" in actions and "追加5" in actions and "追加6" not in actions
    assert "10 actions due in all." in actions


def test_member_sees_accounts_needing_action_and_the_idle_rule(client, world):
    text = _home(client, world.org.member_a).text
    accounts = text.split('data-testid="my-accounts"')[1].split("card-footer")[0]
    # The step-3 value point is due 60 days after step 1: 9 of 10 are overdue;
    # the one that reached step 3 finished the journey.
    assert "10 accounts" not in accounts and "9 accounts" in accounts
    assert "no step was recorded for 30 days" in accounts
    assert "Value point overdue" in accounts
    assert "member_a account 0<" not in accounts
    # The badge counts all nine; the list says it shows only the first eight.
    assert "8 of 9 shown: overdue value points first" in accounts


def test_a_pooled_member_sees_their_pools_accounts_needing_action(client, org):
    """A member of a pool owns no account: the pool's accounts are theirs to
    work on (the home said none needed action, its link showed an empty list)."""
    journey, steps = journey_with_steps(3)
    pool = PoolFactory(team=org.team_a, name="SMBプール")
    PoolMembershipFactory(pool=pool, user=org.member_b)
    account = CustomerAccountFactory(journey=journey, pool=pool, name="プール顧客")
    StepEventFactory(
        account=account, step=steps[0], reached_at=timezone.now() - timedelta(days=40)
    )
    text = _home(client, org.member_b).text
    accounts = text.split('data-testid="my-accounts"')[1]
    assert "プール顧客" in accounts.split("card-footer")[0]
    assert "None of your accounts needs action now." not in accounts
    footer = accounts.split("card-footer")[1]
    assert f"?pool={pool.pk}" in footer and "Accounts of SMBプール" in footer
    assert f"?pool={pool.pk}&amp;overdue=yes" in footer


def test_member_figures_mark_provisional_figures_compactly(client, world):
    """A provisional figure carries the ◔ mark (its legend under the table), so
    the four columns fit the card instead of scrolling out of it."""
    text = _home(client, world.org.member_a).text
    figures = text.split('data-testid="my-figures"')[1].split("card-footer")[0]
    assert 'data-testid="figure-provisional"' in figures
    assert "◔ provisional: some accounts can still convert" in figures
    assert "badge" not in figures


def test_member_empty_states(client, org):
    text = _home(client, org.member_b).text
    assert "The figures have not been computed yet" in text
    assert "No figures to compare yet." in text
    assert "No training is waiting for you." in text
    assert "You take part in no running award." in text
    assert "No action of your plan is due within 14 days." in text
    assert "None of your accounts needs action now." in text


# --- Manager -----------------------------------------------------------------------


def test_manager_sees_the_attention_list(client, world):
    org = world.org
    text = _home(client, org.manager_a).text
    weak = text.split('data-testid="attention-weak"')[1]
    weak = weak.split('data-testid="attention-overdue"')[0]
    assert org.member_a.display_name in weak
    assert "1. Step 1 → 2. Step 2" in weak
    assert world.member_c.display_name not in weak
    link = reverse("recognition:member", args=[org.member_a.pk])
    assert link in weak
    overdue = text.split('data-testid="attention-overdue"')[1].split("data-testid=")[0]
    # member_a's 9 and member_c's 5 accounts that did not reach step 3.
    assert "14 accounts" in overdue
    assert reverse("journeys:account_list") + "?overdue=yes" in overdue


def test_manager_sees_windows_about_to_close(client, world):
    org = world.org
    account = owned_account(world.journey, org.member_a, name="closing soon")
    reach(account, world.steps[0], timezone.now() - timedelta(days=80))
    rollup(now=timezone.now())
    text = _home(client, org.manager_a).text
    closing = text.split('data-testid="attention-closing"')[1].split("card-footer")[0]
    assert org.member_a.display_name in closing
    assert "1. Step 1 → 2. Step 2" in closing
    assert "1 account, its window closes on" in closing
    # The dashboard opens on the quarter the weakest cells are read from.
    _running, last = quarter_periods()
    footer = text.split('data-testid="attention-dashboard"')[0].rsplit("<a", 1)[1]
    assert f"?period={last.key}" in footer


def test_manager_sees_plans_due_and_readiness_changes(client, world):
    org = world.org
    text = _home(client, org.manager_a).text
    plans = text.split('data-testid="plans-due"')[1].split("card-footer")[0]
    assert org.member_a.display_name in plans
    assert "1 action overdue" in plans
    assert "check-in due (none yet)" in plans
    PlanCheckIn.objects.create(
        plan=world.plan,
        author=org.manager_a,
        held_on=timezone.localdate(),
        text="ok",
        status="on_track",
    )
    PlanAction.objects.filter(plan=world.plan).update(done_at=timezone.now())
    text = _home(client, org.manager_a).text
    plans = text.split('data-testid="plans-due"')[1].split("card-footer")[0]
    assert "No plan of your members waits" in plans


def test_manager_sees_recent_promotions(client, world):
    from recognition.models import CareerLevel

    org = world.org
    level = CareerLevel.objects.create(name="シニア", name_en="Senior", position=2)
    MemberLevel.objects.create(
        member=world.member_c,
        level=level,
        since=timezone.localdate() - timedelta(days=3),
        decided_by=org.manager_a,
    )
    text = _home(client, org.manager_a).text
    readiness = text.split('data-testid="readiness-changes"')[1].split("card-footer")[0]
    assert world.member_c.display_name in readiness
    assert "promoted to" in readiness


def test_manager_sees_scorecards_the_team_owes(client, org, hiring):
    from accounts.services import user_set_roles

    user_set_roles(user=org.member_a, roles=[Role.MEMBER, Role.INTERVIEWER])
    schedule_interview(
        ApplicationFactory(opening=hiring.opening),
        hiring.kit,
        org.member_a,
        when=timezone.now() - timedelta(days=3),
    )
    text = _home(client, org.manager_a).text
    owed = text.split('data-testid="team-owed"')[1].split("card-footer")[0]
    assert org.member_a.display_name in owed
    assert "1 overdue" in owed
    # Team B's leader sees nothing of team A's.
    text_b = _home(client, org.manager_b).text
    assert "Your team owes no overdue scorecard." in text_b


def test_manager_only_sees_own_teams(client, world):
    text = _home(client, world.org.manager_b).text
    assert world.org.member_a.display_name not in text
    assert "No member falls short of the team rate on a transition." in text
    assert "No value point is overdue." in text


def test_manager_empty_states(client, org):
    text = _home(client, org.manager_b).text
    for empty in (
        "No member falls short of the team rate on a transition.",
        "No value point is overdue.",
        "No provisional cohort is about to close.",
        "No plan of your members waits for a check-in or an overdue action.",
        "No member is ready for the next level",
        "Your team owes no overdue scorecard.",
    ):
        assert empty in text, empty


# --- Admin -------------------------------------------------------------------------


def test_admin_sees_one_row_per_team(client, world):
    org = world.org
    text = _home(client, org.admin).text
    table = text.split('data-testid="organisation"')[1].split("card-footer")[0]
    for team in (org.team_a, org.team_b, org.sub_a):
        assert f'data-team="{team.pk}"' in table
    row_a = table.split(f'data-team="{org.team_a.pk}"')[1].split("</tr>")[0]
    assert reverse("recognition:dashboard") + f"?team={org.team_a.pk}" in row_a
    assert "Conversion MVP" in row_a


def test_admin_sees_which_team_figures_are_provisional(client, world):
    """The member's home marks a provisional figure; the admin's table of the same
    quarter does too, or a 0 % still open would read as a final 0 %."""
    text = _home(client, world.org.admin).text
    table = text.split('data-testid="organisation"')[1].split("card-footer")[0]
    row_a = table.split(f'data-team="{world.org.team_a.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="figure-provisional"' in row_a
    assert "◔ provisional: some accounts can still convert" in table


def test_admin_sees_award_periods_without_metric(client, world):
    text = _home(client, world.org.admin).text
    unset = text.split('data-testid="unset-award-metrics"')[1].split("card-footer")[0]
    spare = world.awards.spare
    assert "Spare award" in unset
    assert reverse("recognition:award_metric", args=[spare.pk]) + "?period=" in unset
    # Conversion MVP has this month's metric, not next month's.
    assert unset.count("Conversion MVP") == 1


def test_admin_sees_rollup_and_import_status(client, world):
    # A run started after the last finished one never finished.
    RollupRun.objects.update(started_at=timezone.now() - timedelta(hours=5))
    RollupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=3), as_of=timezone.now()
    )
    text = _home(client, world.org.admin).text
    status = text.split('data-testid="data-status"')[1].split("card-footer")[0]
    assert "never finished" in status
    assert "step events imported in 7 days" in status
    assert "not scheduled" not in status  # the hourly schedule of migration 0002


def test_admin_empty_states(client, org):
    text = _home(client, org.admin).text
    assert "never run" in text
    assert "no step event imported yet" in text
    assert "Every active award has its metric" in text


def test_a_member_who_is_not_admin_sees_no_organisation(client, world):
    text = _home(client, world.org.manager_a).text
    assert 'data-testid="organisation"' not in text
    assert "Award metrics not set yet" not in text


# --- Japanese ----------------------------------------------------------------------


def test_the_home_in_japanese(client, world, settings):
    settings.LANGUAGE_CODE = "ja"
    for user in (world.org.member_a, world.org.manager_a, world.org.admin):
        client.force_login(user)
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200
        assert "ようこそ" in response.text


# --- Query counts ------------------------------------------------------------------


def _count(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "role", ["interviewer", "member", "manager", "admin", "manager_interviewer"]
)
def test_query_counts_do_not_grow_with_data(
    client, org, hiring, role, django_assert_max_num_queries
):
    from accounts.services import user_set_roles

    user = {
        "interviewer": org.interviewer,
        "member": org.member_a,
        "manager": org.manager_a,
        "admin": org.admin,
        "manager_interviewer": org.manager_a,
    }[role]
    if role == "manager_interviewer":
        user_set_roles(user=org.manager_a, roles=[Role.MANAGER, Role.INTERVIEWER])
    build_home_world(org)
    # member_a interviews too (manager_a's team owes a scorecard): the same
    # sections at both sizes.
    schedule_interview(
        ApplicationFactory(opening=hiring.opening),
        hiring.kit,
        org.member_a,
        when=timezone.now() - timedelta(days=2),
    )
    small = _count(client, user)
    _grow(org, hiring)
    client.force_login(user)
    with django_assert_max_num_queries(small):
        assert client.get(reverse("home")).status_code == 200
    assert small <= LIMITS[role]


LIMITS = {
    "interviewer": 30,
    "member": 85,
    "manager": 70,
    "admin": 60,
    "manager_interviewer": 80,
}


def _grow(org, hiring):
    """More members, accounts, interviews and plans."""
    from journeys.models import Journey

    journey = Journey.objects.get(name="オンボーディング")
    steps = list(journey.steps.order_by("position"))
    start = _quarter_day(10)
    for n in range(4):
        extra = team_member(org.team_a, f"grown{n}", f"成長{n}")
        _accounts(journey, steps, extra, (7, 4, 2), start, prefix=f"grown{n}")
        plan = DevelopmentPlan.objects.create(member=extra, created_by=org.manager_a)
        PlanAction.objects.create(
            plan=plan, text="x", due_date=timezone.localdate() - timedelta(days=1)
        )
    now = timezone.now()
    for n, days in enumerate((-3, -2, 1, 2)):
        interview = schedule_interview(
            ApplicationFactory(opening=hiring.opening),
            hiring.kit,
            org.interviewer,
            when=now + timedelta(days=days, minutes=n),
        )
        assert isinstance(interview, Interview)
    for n in range(2):
        schedule_interview(
            ApplicationFactory(opening=hiring.opening),
            hiring.kit,
            org.member_a,
            when=now - timedelta(days=3 + n),
        )
    # Another team, with a member and an award program of its own.
    team = TeamFactory(name="Team C", leader=org.manager_b)
    team_member(team, "team_c_member", "千葉")
    AwardProgramFactory(name="Team C award", teams=[team])
    rollup(now=timezone.now())


def test_a_manager_without_a_team_is_told_so(client, org):
    from tests.factories import UserFactory

    newcomer = UserFactory(roles=[Role.MANAGER])
    text = _home(client, newcomer).text
    assert 'data-testid="no-led-team"' in text
    assert "No member falls short of the team rate on a transition." in text


def test_the_sections_read_only_what_the_viewer_may_see(world):
    from recognition import home

    org = world.org
    # Another member's figures: nothing, whoever asks but their coaches.
    assert home.member_figures(member=world.member_c, viewer=org.member_a) is None
    assert home.member_figures(member=world.member_c, viewer=org.manager_b) is None
    assert home.member_figures(member=world.member_c, viewer=org.manager_a)
    # The organisation and the award metrics are the admin's.
    assert home.organisation(viewer=org.manager_a) is None
    assert home.unset_award_periods(viewer=org.manager_a) == []
    # A leader's lists hold only the members they coach.
    members = home.coached(org.manager_b)
    assert org.member_a not in members and world.member_c not in members
    assert home.attention(viewer=org.manager_b, members=members).weak_cells == []


def test_the_next_rollup_follows_its_hourly_schedule(db):
    from recognition import home

    now = timezone.now()
    status = home.rollup_status(now=now)
    assert status.scheduled
    assert now < status.next_run_at <= now + timedelta(hours=1)
    assert status.next_run_at.minute == 5  # migration 0002: minute 5 of every hour


def test_a_scorecard_stays_due_when_the_application_closes(client, org, hiring):
    """Its interviewer, bound until they submit, must not learn a rejection from
    the list (it vanished from it, the only page that told); an interview to
    come of a closed application is not listed."""
    application = ApplicationFactory(
        opening=hiring.opening, candidate=CandidateFactory(name="不採用 三郎")
    )
    held = schedule_interview(
        application, hiring.kit, org.interviewer, when=timezone.now() - timedelta(3)
    )
    later = ApplicationFactory(
        opening=hiring.opening, candidate=CandidateFactory(name="辞退 四郎")
    )
    to_come = schedule_interview(
        later, hiring.kit, org.interviewer, when=timezone.now() + timedelta(3)
    )
    type(application).objects.filter(pk__in=[application.pk, later.pk]).update(
        stage="rejected"
    )
    text = _home(client, org.interviewer).text
    assert reverse("hiring:scorecard", args=[held.pk]) in text
    assert "不採用 三郎" in text
    assert "辞退 四郎" not in text
    assert reverse("hiring:scorecard", args=[to_come.pk]) not in text


def test_roles_and_teams_are_listed_with_the_language_separator(client, world):
    """Japanese lists read マネージャー、面接官, not with an English comma."""
    from accounts.services import user_set_roles

    manager = world.org.manager_a
    user_set_roles(user=manager, roles=[Role.MANAGER, Role.INTERVIEWER])
    client.force_login(manager)
    roles = client.get(reverse("home")).text
    roles = roles.split('data-testid="home-roles">')[1].split("</p>")[0]
    assert "Manager, Interviewer" in roles
    client.cookies["django_language"] = "ja"
    roles = client.get(reverse("home")).text
    roles = roles.split('data-testid="home-roles">')[1].split("</p>")[0]
    assert "マネージャー、面接官" in roles and ", " not in roles


def test_the_provisional_legend_only_when_a_figure_is_provisional():
    from recognition.home import FigureLine, FigurePair, MemberFigures
    from recognition.selectors.figures import FigureValue

    def figures(provisional):
        pair = FigurePair(
            member=FigureValue(0.5, 1, 2, provisional=provisional),
            team=FigureValue(0.5, 1, 2),
            metric=None,
        )
        line = FigureLine(label="x", journey_name="", last=pair, running=pair)
        return MemberFigures(
            running=None,
            last=None,
            team=None,
            lines=[line],
            weakest=None,
            last_run=None,
        )

    assert figures(provisional=True).has_provisional
    assert not figures(provisional=False).has_provisional
