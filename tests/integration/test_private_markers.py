"""Private data never shows where a role may not see it: a crawl with markers.

The authorization matrix's world (tests/test_authorization_matrix.py) gets private
data that carries recognisable markers: Team B's account (name, CRM id, step-event
notes, a void reason, its success plan, measures and readings, its ARR, its pool),
member_b's practicum reflection, retrospective, assessment and development plan, a
draft success story of member_b and a published one on Team B's account, the
same for sub_member (Team A-1, under A) and member_a, and in hiring an opening and a
candidate of Team B, a panel's submitted scorecard, the interviewer's own draft and
another interviewer's draft. Each marker belongs to a group, and each group says who
may read it (`ALLOWED`, from each app's permissions.py).

Every role then fetches, once each:
- every page of the matrix it reaches with 200 (GET; CSV exports included) and the
  same page with its `team` parameter pointed at Team B;
- every API list and retrieve operation of the schema it reaches, and each list
  with its filters (team, member, owner, account, pool, opening, candidate, …)
  pointed at Team B's objects;
- the pages and API objects of Team B and of the hiring objects (`_b_urls`): those
  must refuse (404 or 403) whoever may not read them.
A capacity plan filled from today's data (a POST) is checked on its own.
No body (HTML, JSON, CSV) may hold a marker of a group the role may not read. ARR
is marked by numbers: Team B's account is the only one whose ARR is not a whole
number of millions, so any figure that sums it in ends in its digits.

Besides the matrix's roles (manager = manager_a, member = member_a), manager_b,
sub_leader and sub_member crawl the manager's or member's pages: manager_b is the
proof that Team B's markers are planted where a crawl reaches them (every marker
must be seen by at least one role allowed to see it).
"""

import copy
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from journeys import services as journey_services
from journeys.health import record_health
from journeys.models import ARRSnapshot, StepEvent
from journeys.revenue import arr_snapshot_record
from recognition.models import CompetencyAssessment, CompetencyRating, StepRetrospective
from recognition.services import development as development_services
from recognition.services import organisation as organisation_services
from recognition.services.rollup import rollup
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewKitFactory,
    OpeningFactory,
    build_hiring,
    build_organisation,
    schedule_interview,
)
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    PoolMembershipFactory,
)
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
    read,
)
from tests.recognition.matrix_organisation import organisation_world
from tests.recognition.planning_factories import ENTERPRISE, make_plan
from tests.test_authorization_matrix import API_MATRIX, ROLES, UI_MATRIX, WORLDS

pytestmark = [pytest.mark.django_db, pytest.mark.long]

# Who may read each group of markers.
ALLOWED = {
    # Team B's accounts, their plans, events and ARR; member_b's development.
    "B": {"admin", "manager_b"},
    # Team B's people and name: its own, and those who run hiring (Team B's
    # opening names its team).
    "BN": {"admin", "manager_b"},
    "BT": {"admin", "manager_b", "recruiter"},
    # An account member_a worked on until it moved to member_b (Team B): it follows
    # its current coverage.
    "MV": {"admin", "manager_b"},
    # A member of Team A until August, of Team B since September: their account,
    # retrospective and plan are Team B's now ...
    "MO": {"admin", "manager_b"},
    # ... and so is their person, except where their past figures count for Team A
    # (see INTENDED).
    "MP": {"admin", "manager_b"},
    # The segment only Team B's account is in.
    "SEG": {"admin", "manager_b"},
    # Team A-1's member: their leader, the leader of the team above, admins.
    "S": {"admin", "manager", "sub_leader", "sub_member"},
    # member_a's own: themselves, their leader, admins.
    "A": {"admin", "manager", "member"},
    # Team B's opening and its candidate: those who run hiring, its hiring manager.
    "HB": {"admin", "recruiter", "manager_b"},
    # A submitted scorecard of a panel: not the interviewer bound on the candidate.
    "HP": {"admin", "recruiter", "manager"},
    # A panel's scorecard on a candidate the interviewer has submitted on too: as the
    # hiring policy says (after submitting, the default; see the test of "never").
    "HS": {"admin", "recruiter", "manager", "interviewer"},
    # The interviewer's own draft: nobody else, admins included.
    "HI": {"interviewer"},
    # Another interviewer's draft: no one who crawls.
    "HD": set(),
    # member_b's draft success story: its author (who does not crawl) and admins.
    "BD": {"admin"},
    # A published success story: everyone of the library (admins, managers,
    # members) across teams; its account and author stay Team B's ("B", "BN").
    "PS": {"admin", "manager", "member", "manager_b", "sub_leader", "sub_member"},
    # The organisation's role map and maturity assessments: admins and every
    # manager (recognition.permissions.sees_organisation_plans), no member.
    "ORG": {"admin", "manager", "manager_b", "sub_leader"},
}

# Where the product rules show a marker to more roles than its group's readers, by
# the view that shows it. A member's figures drill down to the accounts they count,
# credited when they were counted (METRICS.md): an account member_a worked on and
# that has moved to Team B since is listed by name (not linked, its page answers
# 404) on member_a's cohort and revenue drill-downs, to them and their leader.
INTENDED = {
    ("MV", "recognition:cohort_detail"): {"manager", "member"},
    ("MV", "recognition:revenue_accounts"): {"manager", "member"},
    # A team's figures count its members of the time: the heat map of a period when
    # the mover was in Team A lists them, for Team A's leader.
    ("MP", "recognition:dashboard"): {"manager"},
    ("MP", "recognition:dashboard_export"): {"manager"},
    # A team's former members are listed on its page for its leaders
    # (accounts.permissions.can_see_team_history).
    ("MP", "accounts:team_detail"): {"manager"},
}

# Roles beyond the matrix's crawl the pages of the matrix role named here.
EXTRA_ROLES = {"manager_b": "manager", "sub_leader": "manager", "sub_member": "member"}
CRAWLERS = [*ROLES, *EXTRA_ROLES]

# Team B's ARR: 987,654,321 in August, 990,987,654 from September (an expansion of
# 3,333,333). Every other account's ARR is a whole number of millions, so a figure
# that adds Team B's ARR in ends in these digits (commas taken out first).
ARR_B = (Decimal(987_654_321), Decimal(990_987_654))
ARR_SUFFIXES = ("654321", "987654", "333333")
NUMBER = re.compile(r"(?<![\d.])\d{7,}(?=\D|$)")


def _user(org, role):
    return {
        "admin": org.admin,
        "manager": org.manager_a,
        "member": org.member_a,
        "interviewer": org.interviewer,
        "recruiter": org.recruiter,
        "manager_b": org.manager_b,
        "sub_leader": org.sub_leader,
        "sub_member": org.sub_member,
    }[role]


# --- The markers -------------------------------------------------------------------


def _plant(org) -> SimpleNamespace:
    """Private data with markers; returns the objects the crawl points at."""
    org.member_b.given_name = "MARKER-BN-PERSON"
    org.member_b.save(update_fields=["given_name"])
    org.team_b.name = "MARKER-BT-TEAM"
    org.team_b.save(update_fields=["name"])
    journey, steps = journey_with_value_points()
    b = SimpleNamespace(journey=journey, steps=steps)
    b.account = CustomerAccountFactory(
        journey=journey,
        owner=org.member_b,
        name="MARKER-B-ACCOUNT",
        external_id="MARKER-B-CRM-ID",
        segment="MARKER-SEG-ONLY-B",
    )
    b.pool = PoolFactory(team=org.team_b, name="MARKER-B-POOL")
    PoolMembershipFactory(pool=b.pool, user=org.member_b)
    b.pooled = CustomerAccountFactory(
        journey=journey, pool=b.pool, name="MARKER-B-POOLED-ACCOUNT"
    )
    _events(org, b)
    _moved(org, b)
    _mover(org, b)
    _success_plan(b)
    _stories(org, b)
    _arr(org, b)
    _development(org, b, steps)
    _hiring(org, b)
    _organisation(org)
    # A capacity plan manager_b filled from Team B's accounts: its author's and
    # the admins' only.
    b.capacity_plan = make_plan(
        org.manager_b,
        name="MARKER-B-CAPACITY-PLAN",
        segments=[ENTERPRISE | {"segment": "MARKER-B-PLAN-SEGMENT"}],
    )
    return b


def _organisation(org):
    """Notes on the role map and the running quarter's maturity assessment (the
    matrix's `organisation_world`)."""
    world = organisation_world(org)
    function = world.function
    organisation_services.role_function_save(
        function=function,
        by=org.admin,
        name=function.name,
        status=function.status,
        shared_with=function.shared_with,
        importance=function.importance,
        note="MARKER-ORG-ROLE-NOTE",
    )
    organisation_services.maturity_assessment_save(
        assessment=world.assessment,
        by=org.admin,
        answers=world.assessment.answers,
        note="MARKER-ORG-MATURITY-NOTE",
    )


def _events(org, b):
    at = lambda day: datetime(2026, *day, 3, 0, tzinfo=UTC)  # noqa: E731
    b.event = journey_services.step_event_record(
        account=b.account,
        step=b.steps[0],
        reached_at=at((5, 10)),
        by=org.member_b,
        source=StepEvent.Source.UI,
        note="MARKER-B-EVENT-NOTE",
    )
    wrong = journey_services.step_event_record(
        account=b.account,
        step=b.steps[1],
        reached_at=at((6, 1)),
        by=org.member_b,
        source=StepEvent.Source.UI,
    )
    b.voided = journey_services.step_event_void(
        event=wrong, by=org.manager_b, reason="MARKER-B-VOID-REASON"
    )
    journey_services.step_event_record(
        account=b.account,
        step=b.steps[1],
        reached_at=at((6, 5)),
        by=org.member_b,
        source=StepEvent.Source.UI,
    )


def _moved(org, b):
    """member_a's account from April, with its first steps and ARR, owned by
    member_b from mid-September."""
    b.moved = CustomerAccountFactory(
        journey=b.journey,
        owner=org.member_a,
        name="MARKER-MV-ACCOUNT",
        external_id="MARKER-MV-CRM-ID",
    )
    for step, day in ((b.steps[0], 2), (b.steps[1], 20)):
        journey_services.step_event_record(
            account=b.moved,
            step=step,
            reached_at=datetime(2026, 5, day, 3, tzinfo=UTC),
            by=org.member_a,
            source=StepEvent.Source.UI,
            note="MARKER-MV-EVENT-NOTE",
        )
    for month, arr in ((8, 5_000_000), (9, 7_000_000), (10, 7_000_000)):
        arr_snapshot_record(
            account=b.moved,
            month=date(2026, month, 1),
            arr=Decimal(arr),
            by=org.member_a,
            source=ARRSnapshot.Source.UI,
        )
    journey_services.account_assign_owner(
        account=b.moved,
        owner=org.member_b,
        by=org.admin,
        at=datetime(2026, 9, 15, 3, tzinfo=UTC),
        confirm_not_ready=True,
    )


def _mover(org, b):
    """A member of Team A until August 2026 and of Team B since, who moved an
    account along steps 1 and 2 in May (Team A's figures of May count them)."""
    from accounts.models import Role
    from tests.factories import TeamMembershipFactory, UserFactory

    mover = UserFactory(
        username="mover", given_name="MARKER-MP-PERSON", roles=[Role.MEMBER]
    )
    TeamMembershipFactory(
        team=org.team_a,
        user=mover,
        start_date=date(2025, 4, 1),
        end_date=date(2026, 8, 31),
    )
    TeamMembershipFactory(team=org.team_b, user=mover, start_date=date(2026, 9, 1))
    account = CustomerAccountFactory(
        journey=b.journey, owner=mover, name="MARKER-MO-ACCOUNT"
    )
    for step, day in ((b.steps[0], 5), (b.steps[1], 25)):
        journey_services.step_event_record(
            account=account,
            step=step,
            reached_at=datetime(2026, 5, day, 3, tzinfo=UTC),
            by=mover,
            source=StepEvent.Source.UI,
        )
    b.mover_retrospective = StepRetrospective.objects.create(
        member=mover,
        period="2026-05",
        from_step=b.steps[0],
        went_well="MARKER-MO-RETRO-WELL",
    )
    development_services.plan_update(
        member=mover,
        by=org.manager_b,
        summary="MARKER-MO-PLAN-SUMMARY",
        status="on_track",
        focus_competencies=[],
    )
    b.mover = mover


def _success_plan(b):
    b.plan = plan_for(
        b.account,
        outcome="MARKER-B-OUTCOME",
        customer_owner="MARKER-B-CUSTOMER-OWNER",
        customer_owner_title="MARKER-B-OWNER-TITLE",
    )
    b.measure = measure_for(b.plan, name="MARKER-B-MEASURE", value_points=[b.steps[1]])
    read(b.measure, date(2026, 10, 15), 40, note="MARKER-B-PROGRESS-NOTE")
    # Behind its target: the plan is at risk.
    behind = measure_for(
        b.plan,
        name="MARKER-B-MEASURE-BEHIND",
        baseline=10,
        target=100,
        target_on=date(2026, 11, 30),
        position=2,
    )
    read(behind, date(2026, 11, 20), 11, note="MARKER-B-BEHIND-NOTE")


def _stories(org, b):
    """member_b's draft story and a published one on Team B's account, featured at
    the sharing meeting of October 2026 (the crawl's month)."""
    from journeys.models import StoryStatus, SuccessStory

    common = dict(
        author=org.member_b, account=b.account, from_step=b.steps[0], to_step=b.steps[1]
    )
    b.story_draft = SuccessStory.objects.create(
        title="MARKER-BD-STORY-TITLE",
        what_we_did="MARKER-BD-STORY-WHAT",
        customer_outcome="MARKER-BD-STORY-OUTCOME",
        **common,
    )
    b.story = SuccessStory.objects.create(
        title="MARKER-PS-STORY-TITLE",
        what_we_did="MARKER-PS-STORY-WHAT",
        customer_outcome="MARKER-PS-STORY-OUTCOME",
        status=StoryStatus.PUBLISHED,
        published_at=datetime(2026, 10, 5, 3, tzinfo=UTC),
        featured_month=date(2026, 10, 1),
        featured_by=org.manager_b,
        featured_at=datetime(2026, 10, 6, 3, tzinfo=UTC),
        **common,
    )


def _arr(org, b):
    """Team B's ARR (see ARR_B) and a Team A account's, in whole millions, so that
    Team A has figures of the same months."""
    account_a = CustomerAccountFactory(journey=b.journey, owner=org.member_a)
    months = [date(2026, month, 1) for month in (8, 9, 10, 11)]
    for month, arr in zip(months, [ARR_B[0], *[ARR_B[1]] * 3], strict=True):
        for account, amount, by in (
            (b.account, arr, org.member_b),
            (account_a, Decimal(2_000_000), org.member_a),
        ):
            arr_snapshot_record(
                account=account,
                month=month,
                arr=amount,
                by=by,
                source=ARRSnapshot.Source.UI,
            )
    b.arr_snapshot = ARRSnapshot.objects.filter(account=b.account).latest("month")


def _development(org, b, steps):
    """Reflections and retrospectives of member_b, sub_member and member_a;
    member_b's assessment and plan."""
    for member, group in (
        (org.member_b, "B"),
        (org.sub_member, "S"),
        (org.member_a, "A"),
    ):
        journey_services.practicum_save(
            member=member,
            step=steps[0],
            checks_done=[],
            what_was_hard=f"MARKER-{group}-REFLECTION-HARD",
            where_stuck=f"MARKER-{group}-REFLECTION-STUCK",
            what_would_help="",
        )
        retrospective = StepRetrospective.objects.create(
            member=member,
            period="2026-10",
            from_step=steps[0],
            went_well=f"MARKER-{group}-RETRO-WELL",
            went_badly=f"MARKER-{group}-RETRO-BADLY",
            manager_comment=f"MARKER-{group}-RETRO-COMMENT",
        )
        setattr(b, f"retrospective_{group}", retrospective)
    b.assessment = CompetencyAssessment.objects.create(
        member=org.member_b,
        assessed_by=org.manager_b,
        assessed_at=datetime(2026, 10, 1, 3, tzinfo=UTC),
        note="MARKER-B-ASSESSMENT-NOTE",
    )
    CompetencyRating.objects.create(
        assessment=b.assessment,
        competency=org.hiring.empathy,
        rating=2,
        evidence="MARKER-B-ASSESSMENT-EVIDENCE",
    )
    development_services.plan_update(
        member=org.member_b,
        by=org.manager_b,
        summary="MARKER-B-PLAN-SUMMARY",
        status="at_risk",
        focus_competencies=[org.hiring.empathy],
    )
    development_services.action_add(
        member=org.member_b, by=org.manager_b, text="MARKER-B-PLAN-ACTION"
    )
    development_services.check_in_add(
        member=org.member_b,
        by=org.manager_b,
        held_on=date(2026, 10, 20),
        text="MARKER-B-CHECK-IN",
        status="at_risk",
    )


def _scorecard(interview, *, mark: str, submit: bool):
    from hiring import services

    questions = [kq.question for kq in interview.kit.kit_questions.all()]
    revision = services.scorecard_save_draft(
        scorecard=interview.scorecard,
        by=interview.interviewer,
        answers={
            question.pk: {"notes": f"{mark}-NOTES", "rating": 3}
            for question in questions
        },
        competency_ratings={question.competency_id: 3 for question in questions},
        overall=3,
        summary=f"{mark}-SUMMARY",
    )
    if submit:
        services.scorecard_submit(
            scorecard=interview.scorecard, by=interview.interviewer
        )
    return revision


def _hiring(org, b):
    """Opening A's second candidate: the panelist submitted (HP), the interviewer
    keeps a draft (HI); a third candidate holds the panelist's draft (HD); Team B's
    opening and candidate (HB), interviewed by the panelist (submitted)."""
    hiring = org.hiring
    b.application_a = ApplicationFactory(
        opening=hiring.opening,
        candidate=CandidateFactory(name="Candidate Two", notes="shared notes"),
    )
    b.own_draft = schedule_interview(b.application_a, hiring.kit, org.interviewer)
    _scorecard(b.own_draft, mark="MARKER-HI-OWN-DRAFT", submit=False)
    b.panel = schedule_interview(b.application_a, hiring.kit, hiring.panelist)
    _scorecard(b.panel, mark="MARKER-HP-PANEL", submit=True)
    b.application_s = ApplicationFactory(opening=hiring.opening)
    own = schedule_interview(b.application_s, hiring.kit, org.interviewer)
    _scorecard(own, mark="OWN-SUBMITTED", submit=True)
    b.panel_s = schedule_interview(b.application_s, hiring.kit, hiring.panelist)
    _scorecard(b.panel_s, mark="MARKER-HS-PANEL", submit=True)
    drafted = ApplicationFactory(opening=hiring.opening)
    b.panelist_draft = schedule_interview(drafted, hiring.kit, hiring.panelist)
    _scorecard(b.panelist_draft, mark="MARKER-HD-DRAFT", submit=False)

    b.opening = OpeningFactory(
        title="MARKER-HB-OPENING",
        team=org.team_b,
        profile=hiring.profile,
        hiring_manager=org.manager_b,
    )
    kit_b = InterviewKitFactory(opening=b.opening, questions=hiring.questions)
    b.application = ApplicationFactory(
        opening=b.opening,
        candidate=CandidateFactory(
            name="MARKER-HB-CANDIDATE", notes="MARKER-HB-CANDIDATE-NOTES"
        ),
    )
    b.interview = schedule_interview(b.application, kit_b, hiring.panelist)
    _scorecard(b.interview, mark="MARKER-HB-SCORECARD", submit=True)


MARKER = re.compile(
    r"MARKER-(HB|HP|HS|HI|HD|BN|BT|BD|PS|SEG|MV|MO|MP|ORG|B|S|A)-[A-Z0-9-]*[A-Z0-9]"
)


def _markers(body: str) -> set[tuple[str, str]]:
    """(group, marker) of every marker in the body, the ARR digits included."""
    found = {(match[1], match[0]) for match in MARKER.finditer(body)}
    for number in NUMBER.findall(body.replace(",", "")):
        if number.endswith(ARR_SUFFIXES):
            found.add(("B", f"ARR {number}"))
    return found


# --- The world ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def _module_world(module_data):
    def build():
        org = build_organisation()
        org.hiring = build_hiring(org)
        for build_world in WORLDS:
            build_world(org)
        org.marked = _plant(org)
        rollup(full=True)
        record_health()
        return org

    return module_data(build)


@pytest.fixture
def world(_module_world, db):
    return copy.deepcopy(_module_world)


# --- What each role fetches --------------------------------------------------------


@cache
def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _reaches(statuses: str, role: str) -> bool:
    return statuses.split()[ROLES.index(EXTRA_ROLES.get(role, role))] == "200"


def _b_values(org) -> dict[str, object]:
    """Query parameters of lists pointed at Team B's (and the hiring) objects."""
    b = org.marked
    return {
        "team": org.team_b.pk,
        "member": org.member_b.pk,
        "owner": org.member_b.pk,
        "account": b.account.pk,
        "pool": b.pool.pk,
        "opening": b.opening.pk,
        "candidate": b.application.candidate_id,
        "application": b.application.pk,
        "interviewer": org.hiring.panelist.pk,
        "interview": b.interview.pk,
        "hiring_manager": org.manager_b.pk,
        "leader": org.manager_b.pk,
        "parent": org.team_b.pk,
        "journey": b.journey.pk,
    }


# The API's schema and its docs page describe the API and hold no data (and
# generating the schema is the slowest request of all).
NO_DATA = {"api-schema", "api-docs"}

# The list pages and their CSV, with the filters each is given pointed at Team B.
_PEOPLE = ("team", "member", "owner")
FILTERED_PAGES = {
    "journeys:account_list": ("owner", "pool", "team", "journey"),
    "journeys:account_export": ("owner", "pool", "team", "journey"),
    "journeys:step_event_list": ("account", "journey", "owner"),
    "journeys:step_event_export": ("account", "journey", "owner"),
    "journeys:success_at_risk": (*_PEOPLE, "account"),
    "recognition:plan_list": _PEOPLE,
    "recognition:plan_list_export": _PEOPLE,
    "recognition:readiness_team": _PEOPLE,
    "recognition:readiness_csv": _PEOPLE,
    "hiring:candidate_list": ("opening",),
    "hiring:opening_list": ("team", "hiring_manager"),
    "hiring:calibration": ("opening", "interviewer"),
}


def _with(url: str, **params) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _crawl_urls(org, role: str) -> list[str]:
    """The matrix's pages and API reads the role reaches, and their variants
    pointed at Team B."""
    urls = []
    values = _b_values(org)
    for key, row in UI_MATRIX.items():
        if row is None or row[0] != "get" or not _reaches(row[-1], role):
            continue
        if key in NO_DATA:
            continue
        url = row[1](org)
        urls.append(url)
        name = _url_name(url)
        if name in {"recognition:dashboard", "recognition:dashboard_export"}:
            urls += [_with(url, period=key) for key in ("2026-05", "last-12")]
        if name in FILTERED_PAGES:
            path = urlsplit(url).path
            urls += [_with(path, **{key: values[key]}) for key in FILTERED_PAGES[name]]
        if name == "recognition:sharing_meeting":
            urls.append(_with(reverse(name), month="2026-10"))
            urls.append(_with(reverse(name), month="2026-10", team=org.team_b.pk))
    # Each role's default revenue scope (the organisation, their first team, or
    # themselves), on the page and in the API.
    urls += [reverse("recognition:revenue_kpis"), "/api/v1/revenue-kpis/"]
    for path, operations in _schema()["paths"].items():
        row = API_MATRIX.get((path, "GET"))
        if "get" not in operations or row is None or not _reaches(row[-1], role):
            continue
        url = row[0](org)
        urls.append(url)
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in values:
                name = parameter["name"]
                urls.append(_with(urlsplit(url).path, **{name: values[name]}))
    return urls


def _url_name(url: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return ""
    return match.view_name


def _b_urls(org) -> list[tuple[str, str]]:
    """(group, URL) of the pages and API objects only the group's readers open."""
    b = org.marked
    hb, member_b, account = b.application, org.member_b.pk, b.account.pk
    revenue = reverse("recognition:revenue_kpis")
    revenue_accounts = reverse("recognition:revenue_accounts")
    pages = [
        ("B", reverse("accounts:team_detail", args=[org.team_b.pk])),
        ("B", reverse("accounts:user_detail", args=[member_b])),
        ("B", reverse("journeys:account_detail", args=[account])),
        ("B", reverse("journeys:account_detail", args=[b.pooled.pk])),
        ("B", reverse("journeys:account_playbook", args=[account])),
        ("B", reverse("journeys:account_assign", args=[account])),
        ("B", reverse("journeys:pool_detail", args=[b.pool.pk])),
        ("B", reverse("journeys:success_plan_edit", args=[account])),
        ("B", reverse("journeys:success_measure_add", args=[account])),
        (
            "B",
            reverse("journeys:success_measure_edit", args=[account, b.measure.pk]),
        ),
        (
            "B",
            reverse("journeys:success_progress_record", args=[account, b.measure.pk]),
        ),
        ("B", reverse("journeys:practicum_member", args=[member_b])),
        ("BD", reverse("journeys:story_detail", args=[b.story_draft.pk])),
        ("BD", reverse("journeys:story_edit", args=[b.story_draft.pk])),
        ("PS", reverse("journeys:story_detail", args=[b.story.pk])),
        ("B", reverse("recognition:member", args=[member_b])),
        (
            "B",
            reverse("recognition:cohort_detail", args=[member_b, b.steps[0].pk]),
        ),
        ("B", reverse("recognition:retrospective_list", args=[member_b])),
        (
            "B",
            reverse("recognition:retrospective_detail", args=[b.retrospective_B.pk]),
        ),
        ("B", reverse("recognition:assessment_list", args=[member_b])),
        ("B", reverse("recognition:assessment_detail", args=[b.assessment.pk])),
        ("B", reverse("recognition:plan_detail", args=[member_b])),
        ("B", reverse("recognition:plan_export", args=[member_b])),
        ("B", reverse("recognition:readiness_detail", args=[member_b])),
        ("B", _with(reverse("recognition:dashboard"), team=org.team_b.pk)),
        ("B", _with(reverse("recognition:dashboard_export"), team=org.team_b.pk)),
        ("B", _with(revenue, scope="team", id=org.team_b.pk)),
        ("B", _with(revenue, scope=f"team:{org.team_b.pk}")),
        ("B", _with(revenue, scope="member", id=member_b)),
        ("B", _with(revenue, scope="pool", id=b.pool.pk)),
        ("B", _with(revenue, scope="organisation")),
        ("B", _with(revenue, scope="segment", segment="MARKER-SEG-ONLY-B")),
        ("B", reverse("recognition:capacity_plan_detail", args=[b.capacity_plan.pk])),
        ("B", reverse("recognition:capacity_plan_export", args=[b.capacity_plan.pk])),
        ("B", f"/api/v1/capacity-plans/{b.capacity_plan.pk}/"),
        (
            "B",
            _with(
                revenue_accounts,
                scope="team",
                id=org.team_b.pk,
                month="2026-09",
                movement="expansion",
            ),
        ),
        (
            "B",
            _with(
                revenue_accounts,
                scope="member",
                id=member_b,
                month="2026-08",
                movement="new",
            ),
        ),
        ("S", reverse("recognition:member", args=[org.sub_member.pk])),
        ("S", reverse("journeys:practicum_member", args=[org.sub_member.pk])),
        (
            "S",
            reverse("recognition:retrospective_detail", args=[b.retrospective_S.pk]),
        ),
        ("A", reverse("journeys:practicum_member", args=[org.member_a.pk])),
        ("MO", reverse("recognition:member", args=[b.mover.pk])),
        ("MO", reverse("recognition:plan_detail", args=[b.mover.pk])),
        ("MO", reverse("recognition:retrospective_list", args=[b.mover.pk])),
        (
            "MO",
            reverse(
                "recognition:retrospective_detail", args=[b.mover_retrospective.pk]
            ),
        ),
        ("MV", reverse("journeys:account_detail", args=[b.moved.pk])),
        (
            "MV?",
            reverse("recognition:cohort_detail", args=[org.member_a.pk, b.steps[0].pk])
            + "?period=2026-05",
        ),
        (
            "MV?",
            _with(
                revenue_accounts,
                scope="member",
                id=org.member_a.pk,
                month="2026-09",
                movement="expansion",
            ),
        ),
        (
            "MV?",
            _with(
                revenue_accounts,
                scope="team",
                id=org.team_a.pk,
                month="2026-08",
                movement="new",
            ),
        ),
        (
            "A",
            reverse("recognition:retrospective_detail", args=[b.retrospective_A.pk]),
        ),
        ("HB", reverse("hiring:opening_detail", args=[b.opening.pk])),
        ("HB", reverse("hiring:opening_export", args=[b.opening.pk])),
        ("HB", reverse("hiring:candidate_detail", args=[hb.candidate_id])),
        ("HB", reverse("hiring:application_summary", args=[hb.pk])),
        ("HB", reverse("hiring:scorecard_history", args=[b.interview.pk])),
        ("HP", reverse("hiring:scorecard", args=[b.panel.pk])),
        ("HP", reverse("hiring:scorecard_history", args=[b.panel.pk])),
        ("HI", reverse("hiring:scorecard", args=[b.own_draft.pk])),
        ("HS", reverse("hiring:scorecard", args=[b.panel_s.pk])),
        ("HS?", f"/api/v1/candidates/{b.application_s.candidate_id}/summary/"),
        ("HS?", reverse("hiring:application_summary", args=[b.application_s.pk])),
        ("HD", reverse("hiring:scorecard", args=[b.panelist_draft.pk])),
    ]
    v1 = "/api/v1"
    api = [
        ("B", f"{v1}/teams/{org.team_b.pk}/"),
        ("B", f"{v1}/users/{member_b}/"),
        ("B", f"{v1}/customers/{account}/"),
        ("B", f"{v1}/customers/{b.pooled.pk}/"),
        ("B", f"{v1}/pools/{b.pool.pk}/"),
        ("B", f"{v1}/step-events/{b.event.pk}/"),
        ("B", f"{v1}/step-events/{b.voided.pk}/"),
        ("B", f"{v1}/arr-snapshots/{b.arr_snapshot.pk}/"),
        ("B", f"{v1}/success-plans/{b.plan.pk}/"),
        ("BD", f"{v1}/success-stories/{b.story_draft.pk}/"),
        ("PS", f"{v1}/success-stories/{b.story.pk}/"),
        ("B", f"{v1}/competency-assessments/{b.assessment.pk}/"),
        ("B", f"{v1}/development-plans/{b.assessment.member.development_plan.pk}/"),
        ("B", f"{v1}/members/{member_b}/readiness/"),
        ("B", _with(f"{v1}/revenue-kpis/", scope="team", id=org.team_b.pk)),
        ("B", _with(f"{v1}/revenue-kpis/", scope="member", id=member_b)),
        ("B", _with(f"{v1}/revenue-kpis/", scope="pool", id=b.pool.pk)),
        ("B", _with(f"{v1}/revenue-kpis/", scope="organisation")),
        ("HB", f"{v1}/openings/{b.opening.pk}/"),
        ("HB", f"{v1}/candidates/{hb.candidate_id}/"),
        ("HB", f"{v1}/candidates/{hb.candidate_id}/summary/"),
        ("HB", f"{v1}/interviews/{b.interview.pk}/"),
        ("HB", f"{v1}/scorecards/{b.interview.scorecard.pk}/"),
        ("HP", f"{v1}/scorecards/{b.panel.scorecard.pk}/"),
        # The bound interviewer opens the summary, without the panel.
        ("HP?", f"{v1}/candidates/{b.application_a.candidate_id}/summary/"),
        ("HI", f"{v1}/scorecards/{b.own_draft.scorecard.pk}/"),
        ("HD", f"{v1}/scorecards/{b.panelist_draft.scorecard.pk}/"),
    ]
    return pages + api


# --- The crawl ---------------------------------------------------------------------


def _client(org, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_login(_user(org, role))
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


# Refusals: another team's object answers 404 (403 to a role without the pages);
# an anonymous visitor is sent to log in (302) or asked to (401, the API).
REFUSED = {False: {403, 404}, True: {302, 401}}


def test_no_role_reads_a_marker_it_may_not_see(world):
    report, seen = _crawl(world, CRAWLERS, ALLOWED)
    unseen = _planted(world) - seen
    if not any(marker.startswith("ARR ") for marker in seen):
        unseen.add("ARR of Team B")
    if unseen:
        report.append(f"Markers no allowed role saw (not crawled?): {sorted(unseen)}")
    assert len(report) == 1, "\n".join(report)


def test_the_panel_stays_hidden_from_interviewers_when_the_policy_says_never(world):
    from hiring.models import HiringPolicy

    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": HiringPolicy.PanelVisibility.NEVER}
    )
    allowed = {**ALLOWED, "HS": ALLOWED["HS"] - {"interviewer"}}
    report, _seen = _crawl(world, ["interviewer"], allowed)
    assert len(report) == 1, "\n".join(report)


def test_a_capacity_plan_fills_from_the_accounts_its_leader_sees(world):
    """Filling a plan from today's data (a POST of the plan form, which the crawl
    does not send) lists segments and ARR by coverage model: only of the accounts
    the leader sees (recognition.permissions.capacity_accounts)."""
    url = reverse("recognition:capacity_plan_create")
    data = {"action": "prefill", "segments-TOTAL_FORMS": "0"}
    leaks, seen = set(), set()
    for role in ("admin", "manager", "manager_b", "sub_leader"):
        response = _client(world, role).post(url, data)
        assert response.status_code == 200
        for group, marker in _markers(_body(response)):
            if role in ALLOWED[group]:
                seen.add(marker)
            else:
                leaks.add((role, marker))
    assert leaks == set()
    # Planted where the form reaches: Team B's segment and ARR, for its readers.
    assert "MARKER-SEG-ONLY-B" in seen
    assert any(marker.startswith("ARR ") for marker in seen)


def _crawl(world, roles, allowed) -> tuple[list[str], set[str]]:
    """Fetch what each role reaches; the report (its first line the counts) and
    the markers seen by roles allowed to."""
    leaks, refusals, seen, errors = set(), set(), set(), set()
    b_urls = _b_urls(world)
    counts = {}
    for role in roles:
        client = _client(world, role)
        targets = dict.fromkeys(_crawl_urls(world, role)) | {
            url: group for group, url in b_urls
        }
        counts[role] = len(targets)
        for url, group in targets.items():
            response = client.get(url)
            if response.status_code >= 500:
                errors.add((role, url, response.status_code))
                continue
            for found_group, marker in _markers(_body(response)):
                if marker in unquote(url):
                    continue  # the page repeats what was asked (a form, a link)
                if role in allowed[found_group] or role in INTENDED.get(
                    (found_group, _url_name(url)), ()
                ):
                    seen.add(marker)
                else:
                    leaks.add((role, url, marker))
            if (
                group is not None
                and not group.endswith("?")
                and role not in allowed[group.rstrip("?")]
                and response.status_code not in REFUSED[role == "anonymous"]
            ):
                refusals.add((role, url, response.status_code))

    report = [f"Crawled (URLs per role): {counts}"]
    if leaks:
        report.append(f"{len(leaks)} marker(s) shown to a role that may not see them:")
        report += [f"  {role} {url} {marker}" for role, url, marker in sorted(leaks)]
    if refusals:
        report.append("Pages of others' objects that did not refuse (404/403):")
        report += [f"  {role} {url} {status}" for role, url, status in sorted(refusals)]
    if errors:
        report += [f"  5xx: {role} {url} {status}" for role, url, status in errors]
    return report, seen


def _planted(org) -> set[str]:
    """The text markers whose group some crawler may read (the panelist's draft is
    read by no one who crawls)."""
    names = [
        "B-ACCOUNT",
        "B-CRM-ID",
        "B-POOL",
        "B-POOLED-ACCOUNT",
        "B-EVENT-NOTE",
        "B-VOID-REASON",
        "B-OUTCOME",
        "B-CUSTOMER-OWNER",
        "B-MEASURE",
        "B-PROGRESS-NOTE",
        "B-ASSESSMENT-NOTE",
        "B-ASSESSMENT-EVIDENCE",
        "B-PLAN-SUMMARY",
        "B-PLAN-ACTION",
        "B-CHECK-IN",
        "HB-OPENING",
        "BN-PERSON",
        "MV-ACCOUNT",
        "MO-ACCOUNT",
        "MO-RETRO-WELL",
        "MO-PLAN-SUMMARY",
        "MP-PERSON",
        "BT-TEAM",
        "SEG-ONLY-B",
        "HB-CANDIDATE",
        "HB-CANDIDATE-NOTES",
        "HB-SCORECARD-SUMMARY",
        "HP-PANEL-SUMMARY",
        "HP-PANEL-NOTES",
        "HI-OWN-DRAFT-SUMMARY",
        "HS-PANEL-SUMMARY",
        "B-MEASURE-BEHIND",
        "BD-STORY-TITLE",
        "BD-STORY-WHAT",
        "BD-STORY-OUTCOME",
        "PS-STORY-TITLE",
        "PS-STORY-WHAT",
        "PS-STORY-OUTCOME",
    ]
    for group in ("B", "S", "A"):
        names += [
            f"{group}-REFLECTION-HARD",
            f"{group}-RETRO-WELL",
            f"{group}-RETRO-COMMENT",
        ]
    return {f"MARKER-{name}" for name in names}
