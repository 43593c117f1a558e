"""Who sees what in hiring, for every role and each panel-visibility policy, with the
independence rule: whoever interviews a candidate sees no other scorecard for them
until every scorecard of theirs for that candidate is submitted."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from hiring import permissions, selectors, services
from hiring.models import HiringPolicy
from tests.factories import (
    ApplicationFactory,
    InterviewKitFactory,
    OpeningFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "recruiter",
    "manager_a",  # the opening's hiring manager
    "manager_b",
    "member",
    "interviewer",  # interviews the candidate, has not submitted
    "panelist",  # interviews the candidate, has submitted
    "anonymous",
]


def _person(org, role):
    if role == "anonymous":
        return AnonymousUser()
    if role == "member":
        return org.member_a
    if role == "panelist":
        return org.hiring.panelist
    return getattr(org, role)


def _set_policy(panel_visibility):
    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": panel_visibility}
    )


@pytest.fixture
def world(hiring, org):
    """The hiring world, where the bound interviewer has typed part of a draft."""
    services.scorecard_save_draft(
        scorecard=hiring.interview.scorecard,
        by=org.interviewer,
        answers={hiring.questions[0].pk: {"notes": "private notes", "rating": 1}},
        overall=1,
    )
    return hiring


def _names(hiring, scorecards):
    """ "own": the bound interviewer's scorecard; "panel": the panelist's."""
    names = {
        hiring.interview.scorecard.pk: "own",
        hiring.panel_interview.scorecard.pk: "panel",
    }
    return {names.get(s.pk, s.pk) for s in scorecards}


# What each role sees of the candidate's scorecards, and whether they see the panel
# (its submitted scorecards and the fit score), under each policy.
EXPECTED = {
    "after_submit": {
        "admin": ({"panel"}, True),
        "recruiter": ({"panel"}, True),
        "manager_a": ({"panel"}, True),
        "manager_b": (set(), False),
        "member": (set(), False),
        "interviewer": ({"own"}, False),
        "panelist": ({"panel"}, True),
        "anonymous": (set(), False),
    },
    "never": {
        "admin": ({"panel"}, True),
        "recruiter": ({"panel"}, True),
        "manager_a": ({"panel"}, True),
        "manager_b": (set(), False),
        "member": (set(), False),
        "interviewer": ({"own"}, False),
        "panelist": ({"panel"}, False),  # their own only
        "anonymous": (set(), False),
    },
    "always": {
        "admin": ({"panel"}, True),
        "recruiter": ({"panel"}, True),
        "manager_a": ({"panel"}, True),
        "manager_b": (set(), False),
        "member": (set(), False),
        "interviewer": ({"own", "panel"}, True),
        "panelist": ({"panel"}, True),
        "anonymous": (set(), False),
    },
}


@pytest.mark.parametrize("policy", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_scorecards_each_role_sees_under_each_policy(world, org, policy, role):
    _set_policy(policy)
    viewer = _person(org, role)
    scorecards, sees_panel = EXPECTED[policy][role]
    assert _names(world, permissions.visible_scorecards(viewer)) == scorecards
    assert permissions.sees_panel(viewer, world.application) is sees_panel
    fit = selectors.candidate_summary(viewer=viewer, application=world.application).fit
    # panelist: empathy 4, logic 2 → 100 × (5·3/3 + 3·1/3) / 8 = 75
    assert fit == (75 if sees_panel else None)


def test_the_default_policy_is_after_submit(db):
    assert HiringPolicy.current().panel_visibility == "after_submit"


@pytest.mark.parametrize("policy", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_seen_by_their_author_only_admins_included(world, org, policy, role):
    _set_policy(policy)
    viewer = _person(org, role)
    draft = world.interview.scorecard.revisions.get()
    revisions = set(permissions.visible_revisions(viewer))
    assert (draft in revisions) is (role == "interviewer")
    assert all(not r.is_draft or r == draft for r in revisions)


def test_an_open_correction_is_seen_by_its_author_only(world, org):
    panel_card = world.panel_interview.scorecard
    services.scorecard_start_correction(
        scorecard=panel_card, by=world.panelist, reason="logic was a 3"
    )
    numbers = {
        role: sorted(
            r.number
            for r in permissions.visible_revisions(_person(org, role))
            if r.scorecard_id == panel_card.pk
        )
        for role in ("admin", "recruiter", "manager_a", "panelist")
    }
    assert numbers == {
        "admin": [1],
        "recruiter": [1],
        "manager_a": [1],
        "panelist": [1, 2],
    }


def test_an_admins_own_draft_is_seen_by_that_admin(world, org):
    interview = schedule_interview(world.application, world.kit, org.admin)
    services.scorecard_save_draft(
        scorecard=interview.scorecard, by=org.admin, overall=2
    )
    own_draft = interview.scorecard.revisions.get()
    assert own_draft in permissions.visible_revisions(org.admin)
    assert own_draft not in permissions.visible_revisions(org.recruiter)
    assert interview.scorecard not in permissions.visible_scorecards(org.recruiter)


@pytest.mark.parametrize("policy", ["after_submit", "always"])
def test_the_interviewer_sees_the_panel_once_submitted(world, org, policy):
    _set_policy(policy)
    fill_scorecard(world.interview, ratings={world.empathy: 4, world.logic: 3})
    assert _names(world, permissions.visible_scorecards(org.interviewer)) == {
        "own",
        "panel",
    }
    assert permissions.sees_panel(org.interviewer, world.application)


def test_under_never_the_interviewer_sees_only_their_own_even_submitted(world, org):
    _set_policy("never")
    fill_scorecard(world.interview, ratings={world.empathy: 4, world.logic: 3})
    assert _names(world, permissions.visible_scorecards(org.interviewer)) == {"own"}
    assert not permissions.sees_panel(org.interviewer, world.application)
    # the people running the process see both submitted scorecards
    assert _names(world, permissions.visible_scorecards(org.recruiter)) == {
        "own",
        "panel",
    }


# --- Recruiters, hiring managers and admins who interview --------------------------


@pytest.mark.parametrize("role", ["recruiter", "manager_a", "admin"])
def test_whoever_interviews_is_bound_until_every_scorecard_of_theirs_is_in(
    world, org, role
):
    person = getattr(org, role)
    first = schedule_interview(world.application, world.kit, person)
    own = {first.scorecard.pk}
    assert {s.pk for s in permissions.visible_scorecards(person)} == own
    assert not permissions.sees_panel(person, world.application)

    fill_scorecard(first, ratings={world.empathy: 3, world.logic: 3})
    visible = {s.pk for s in permissions.visible_scorecards(person)}
    assert visible == own | {world.panel_interview.scorecard.pk}
    assert permissions.sees_panel(person, world.application)

    # a second interview with the candidate binds them again
    final_kit = InterviewKitFactory(
        opening=world.opening, stage="final", questions=world.questions
    )
    second = schedule_interview(world.application, final_kit, person)
    own.add(second.scorecard.pk)
    assert {s.pk for s in permissions.visible_scorecards(person)} == own
    assert not permissions.sees_panel(person, world.application)
    assert (
        selectors.candidate_summary(viewer=person, application=world.application).fit
        is None
    )

    fill_scorecard(second, ratings={world.empathy: 3, world.logic: 3})
    assert permissions.sees_panel(person, world.application)


def test_a_bound_recruiter_sees_the_panel_after_submitting_even_under_never(world, org):
    _set_policy("never")
    interview = schedule_interview(world.application, world.kit, org.recruiter)
    assert not permissions.sees_panel(org.recruiter, world.application)
    fill_scorecard(interview, ratings={})
    assert permissions.sees_panel(org.recruiter, world.application)


def test_always_lifts_the_rule_for_a_recruiter_who_interviews_too(world, org):
    _set_policy("always")
    schedule_interview(world.application, world.kit, org.recruiter)
    assert permissions.sees_panel(org.recruiter, world.application)
    assert world.panel_interview.scorecard in permissions.visible_scorecards(
        org.recruiter
    )


def test_being_bound_follows_the_candidate_into_their_other_openings(world, org):
    # manager_a interviews the candidate for opening A without submitting, and is
    # the hiring manager of another opening the candidate applied to
    second_opening = OpeningFactory(team=org.team_a, hiring_manager=org.manager_a)
    second_kit = InterviewKitFactory(opening=second_opening, questions=world.questions)
    second_application = ApplicationFactory(
        candidate=world.candidate, opening=second_opening
    )
    other_interview = schedule_interview(second_application, second_kit, org.recruiter)
    fill_scorecard(other_interview, ratings={})
    assert permissions.sees_panel(org.manager_a, second_application)
    schedule_interview(world.application, world.kit, org.manager_a)
    assert not permissions.sees_panel(org.manager_a, second_application)
    assert other_interview.scorecard not in permissions.visible_scorecards(
        org.manager_a
    )


def test_being_bound_for_one_candidate_hides_nothing_of_another(world, org):
    other = ApplicationFactory(opening=world.opening)
    mine = schedule_interview(other, world.kit, org.interviewer)
    theirs = schedule_interview(other, world.kit, world.panelist)
    fill_scorecard(theirs, ratings={})
    fill_scorecard(mine, ratings={})
    assert permissions.sees_panel(org.interviewer, other)
    assert theirs.scorecard in permissions.visible_scorecards(org.interviewer)
    # still bound for the hiring world's candidate
    assert not permissions.sees_panel(org.interviewer, world.application)


@pytest.mark.parametrize("stage", ["rejected", "withdrawn"])
def test_a_closed_application_still_binds_who_did_not_submit(world, org, stage):
    world.opening.status = "closed"
    world.opening.save()
    world.application.stage = stage
    world.application.save()
    assert not permissions.sees_panel(org.interviewer, world.application)
    assert _names(world, permissions.visible_scorecards(org.interviewer)) == {"own"}


# --- Openings, candidates, interviews ----------------------------------------------


@pytest.fixture
def elsewhere(world, org):
    """Another team's opening (hiring manager: sub_leader) where the panelist, and
    nobody else of the hiring world, interviews someone."""
    opening = OpeningFactory(team=org.team_b, hiring_manager=org.sub_leader)
    kit = InterviewKitFactory(opening=opening, questions=world.questions)
    application = ApplicationFactory(opening=opening)
    interview = schedule_interview(application, kit, world.panelist)
    return opening, application, interview


# role → (openings, candidates, interviews) by name
SEES = {
    "admin": ({"A", "B"}, {"A", "B"}, {"own", "panel", "B"}),
    "recruiter": ({"A", "B"}, {"A", "B"}, {"own", "panel", "B"}),
    "manager_a": ({"A"}, {"A"}, {"own", "panel"}),
    "manager_b": (set(), set(), set()),
    "member": (set(), set(), set()),
    "interviewer": ({"A"}, {"A"}, {"own"}),
    "panelist": ({"A", "B"}, {"A", "B"}, {"panel", "B"}),
    "anonymous": (set(), set(), set()),
}


@pytest.mark.parametrize("role", ROLES)
def test_openings_candidates_and_interviews_each_role_sees(world, org, elsewhere, role):
    opening_b, application_b, interview_b = elsewhere
    viewer = _person(org, role)
    openings = {world.opening.pk: "A", opening_b.pk: "B"}
    candidates = {world.candidate.pk: "A", application_b.candidate_id: "B"}
    applications = {world.application.pk: "A", application_b.pk: "B"}
    kits = {world.kit.pk: "A", interview_b.kit_id: "B"}
    interviews = {
        world.interview.pk: "own",
        world.panel_interview.pk: "panel",
        interview_b.pk: "B",
    }
    seen_openings, seen_candidates, seen_interviews = SEES[role]

    def names(queryset, mapping):
        return {mapping[pk] for pk in queryset.values_list("pk", flat=True)}

    assert names(permissions.visible_openings(viewer), openings) == seen_openings
    assert names(permissions.visible_kits(viewer), kits) == seen_openings
    assert (
        names(permissions.visible_applications(viewer), applications) == seen_openings
    )
    assert names(permissions.visible_candidates(viewer), candidates) == seen_candidates
    assert names(permissions.visible_interviews(viewer), interviews) == seen_interviews


@pytest.mark.parametrize(
    ("role", "runs", "framework", "uses", "edits_opening", "writes_own_card"),
    [
        ("admin", True, True, True, True, False),
        ("recruiter", True, False, True, True, False),
        ("manager_a", False, False, True, True, False),
        ("manager_b", False, False, True, False, False),
        ("member", False, False, False, False, False),
        ("interviewer", False, False, True, False, True),
        ("panelist", False, False, True, False, False),
        ("anonymous", False, False, False, False, False),
    ],
)
def test_what_each_role_may_do(
    world, org, role, runs, framework, uses, edits_opening, writes_own_card
):
    viewer = _person(org, role)
    assert permissions.runs_hiring(viewer) is runs
    assert permissions.manages_framework(viewer) is framework
    assert permissions.uses_hiring(viewer) is uses
    assert bool(permissions.can_edit_opening(viewer, world.opening)) is edits_opening
    assert (
        permissions.can_write_scorecard(viewer, world.interview.scorecard)
        is writes_own_card
    )


def test_a_member_who_interviews_uses_hiring(world, org):
    assert not permissions.uses_hiring(org.member_b)
    schedule_interview(world.application, world.kit, org.member_b)
    assert permissions.uses_hiring(org.member_b)
    assert world.opening in permissions.visible_openings(org.member_b)


def test_a_plain_interviewer_without_interviews_sees_nothing(world):
    newcomer = UserFactory(roles=[Role.INTERVIEWER])
    assert not permissions.visible_openings(newcomer).exists()
    assert not permissions.visible_candidates(newcomer).exists()
    assert not permissions.visible_interviews(newcomer).exists()
    assert not permissions.visible_scorecards(newcomer).exists()


# --- While bound, only one's own interviews of the candidate -----------------------


def _interview_ids(viewer, candidate):
    return set(
        permissions.visible_interviews(viewer)
        .filter(application__candidate=candidate)
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize("role", ["recruiter", "admin", "manager_a"])
def test_a_bound_viewer_sees_only_their_own_interviews_of_the_candidate(
    world, org, role
):
    person = getattr(org, role)
    panel = {world.interview.pk, world.panel_interview.pk}
    assert _interview_ids(person, world.candidate) == panel

    first = schedule_interview(world.application, world.kit, person)
    # who else is on the panel, and whether they submitted, is the panel's
    assert _interview_ids(person, world.candidate) == {first.pk}

    fill_scorecard(first, ratings={})
    assert _interview_ids(person, world.candidate) == panel | {first.pk}

    # a second interview with the candidate binds them again
    final_kit = InterviewKitFactory(
        opening=world.opening, stage="final", questions=world.questions
    )
    second = schedule_interview(world.application, final_kit, person)
    assert _interview_ids(person, world.candidate) == {first.pk, second.pk}

    fill_scorecard(second, ratings={})
    assert _interview_ids(person, world.candidate) == panel | {first.pk, second.pk}


def test_a_bound_plain_interviewer_sees_only_their_own_interview(world, org):
    # (a plain interviewer never saw the others' interviews: the same before the
    # rule reached the people running the process)
    assert _interview_ids(org.interviewer, world.candidate) == {world.interview.pk}
    fill_scorecard(world.interview, ratings={})
    assert _interview_ids(org.interviewer, world.candidate) == {world.interview.pk}


@pytest.mark.parametrize("role", ["recruiter", "admin", "manager_a"])
def test_the_always_policy_lifts_the_rule_on_interviews(world, org, role):
    person = getattr(org, role)
    own = schedule_interview(world.application, world.kit, person)
    assert _interview_ids(person, world.candidate) == {own.pk}
    _set_policy("always")
    assert _interview_ids(person, world.candidate) == {
        world.interview.pk,
        world.panel_interview.pk,
        own.pk,
    }


def test_being_bound_hides_no_interview_of_another_candidate(world, org):
    other = ApplicationFactory(opening=world.opening)
    others = {
        schedule_interview(other, world.kit, world.panelist).pk,
        schedule_interview(other, world.kit, org.interviewer).pk,
    }
    own = schedule_interview(world.application, world.kit, org.manager_a)
    assert _interview_ids(org.manager_a, world.candidate) == {own.pk}
    assert _interview_ids(org.manager_a, other.candidate) == others
    assert _interview_ids(org.recruiter, other.candidate) == others


def test_being_bound_hides_the_candidates_interviews_for_other_openings(world, org):
    # manager_a is the hiring manager of the candidate's second opening too
    second_opening = OpeningFactory(team=org.team_a, hiring_manager=org.manager_a)
    second_kit = InterviewKitFactory(opening=second_opening, questions=world.questions)
    second_application = ApplicationFactory(
        candidate=world.candidate, opening=second_opening
    )
    elsewhere = schedule_interview(second_application, second_kit, org.recruiter)
    assert elsewhere.pk in _interview_ids(org.manager_a, world.candidate)
    own = schedule_interview(world.application, world.kit, org.manager_a)
    assert _interview_ids(org.manager_a, world.candidate) == {own.pk}


# --- Erased candidates -------------------------------------------------------------


def test_nobody_writes_the_scorecard_of_an_erased_candidate(world, org):
    scorecard = world.interview.scorecard
    assert permissions.can_write_scorecard(org.interviewer, scorecard)
    services.candidate_erase_personal_data(
        candidate=world.candidate, by=org.recruiter, why="request"
    )
    scorecard = type(scorecard).objects.get(pk=scorecard.pk)
    assert not permissions.can_write_scorecard(org.interviewer, scorecard)
    assert not permissions.can_write_scorecard(
        world.panelist, world.panel_interview.scorecard
    )
