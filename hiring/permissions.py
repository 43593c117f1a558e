"""Who may see and do what in hiring: the one place that answers it, for the UI and
the API alike.

- Admins and recruiters run the process: every opening, candidate and interview.
- An opening's hiring manager sees that opening, its candidates and interviews.
- An interviewer sees the interviews they hold, with their candidate and opening.
- Independence: anyone who interviews a candidate, whatever their role, sees no other
  interviewer's scorecard for that candidate, nor anything computed from them (the fit
  score), until every scorecard of theirs for that candidate is submitted. After that,
  admins, recruiters and the hiring manager see the panel; plain interviewers see it
  as the hiring policy says (after submitting, never, or always; "always" lifts the
  rule for everyone).
- Nobody but its interviewer sees a draft.
- While bound, a viewer sees only their own interviews of that candidate: who else
  is on the panel and whether they submitted are the panel's.
- While bound, a viewer sees the candidate's applications at the stage their own
  interview needs: an offer, a rejection or a hire (what the panel's decisions
  produced) shows as "interviewing", and not when the stage last changed (an
  "advance" decision changes it too). They make no decision on the candidate
  either: deciding, hiring and withdrawing wait until they have submitted.
- Aggregates shown to a viewer (calibration, candidate feedback, quality of hire)
  leave out the candidates they are bound on.

Callers fetch objects through the `visible_*` querysets, so that anything outside them
answers 404: its existence is not revealed.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    Q,
    QuerySet,
    Value,
    When,
)

from accounts.models import Role, User
from accounts.permissions import has_role, is_admin, roles_of

from .models import (
    Application,
    Candidate,
    HiringPolicy,
    Interview,
    InterviewKit,
    Opening,
    Scorecard,
    ScorecardRevision,
)

Viewer = User | AnonymousUser


def runs_hiring(user: Viewer) -> bool:
    """Admins and recruiters: openings, candidates, interviews, the question bank."""
    return is_admin(user) or has_role(user, Role.RECRUITER)


def manages_framework(user: Viewer) -> bool:
    """Competencies and success profiles are the organisation's: admins edit them."""
    return is_admin(user)


def manages_policy(user: Viewer) -> bool:
    """The hiring policy (independence, reminders, retention) is the organisation's:
    admins change it, on its page and through the API alike; everyone in hiring
    reads it."""
    return is_admin(user)


def uses_hiring(user: Viewer) -> bool:
    """Whom the navigation offers hiring: the roles that take part in it."""
    if not user.is_authenticated:
        return False
    hiring_roles = {Role.RECRUITER.value, Role.INTERVIEWER.value, Role.MANAGER.value}
    return (
        is_admin(user)
        or bool(roles_of(user) & hiring_roles)
        or Interview.objects.filter(interviewer=user).exists()
    )


def _own_interviews(viewer: User) -> QuerySet:
    return Interview.objects.filter(interviewer=viewer)


def visible_openings(viewer: Viewer) -> QuerySet:
    if not viewer.is_authenticated:
        return Opening.objects.none()
    if runs_hiring(viewer):
        return Opening.objects.all()
    return Opening.objects.filter(
        Q(hiring_manager=viewer)
        | Q(pk__in=_own_interviews(viewer).values("application__opening_id"))
    )


def can_edit_opening(viewer: Viewer, opening: Opening) -> bool:
    """Kits and decisions: the people who run the process and the hiring manager."""
    return runs_hiring(viewer) or opening.hiring_manager_id == viewer.pk


def visible_kits(viewer: Viewer) -> QuerySet:
    return InterviewKit.objects.filter(opening__in=visible_openings(viewer))


def visible_applications(viewer: Viewer) -> QuerySet:
    if not viewer.is_authenticated:
        return Application.objects.none()
    if runs_hiring(viewer):
        return Application.objects.all()
    return Application.objects.filter(
        Q(opening__hiring_manager=viewer)
        | Q(pk__in=_own_interviews(viewer).values("application_id"))
    )


def applications_as_seen(viewer: Viewer) -> QuerySet:
    """`visible_applications` with the stage as the viewer may see it: annotated
    `shown_stage` and `shown_stage_changed_at` (None while bound on the candidate).
    Every page and API that shows, filters, sorts or counts by stage uses these."""
    if viewer.is_authenticated:
        bound = Q(candidate_id__in=bound_candidate_ids(viewer))
    else:
        bound = Q(pk__in=[])
    return visible_applications(viewer).annotate(
        shown_stage=Case(
            When(
                bound & Q(stage__in=Application.DECIDED_STAGES),
                then=Value(Application.Stage.INTERVIEWING.value),
            ),
            default=F("stage"),
            output_field=CharField(),
        ),
        shown_stage_changed_at=Case(
            When(bound, then=Value(None)),
            default=F("stage_changed_at"),
            output_field=DateTimeField(),
        ),
    )


def may_decide(viewer: Viewer, application: Application) -> bool:
    """Decisions (advance, offer, reject), hiring and withdrawing: those who may
    edit the opening, unless bound on the candidate (the panel, and what it has
    decided, is hidden from them until they submit)."""
    return can_edit_opening(viewer, application.opening) and not is_bound_on(
        viewer, application.candidate_id
    )


def visible_candidates(viewer: Viewer) -> QuerySet:
    if not viewer.is_authenticated:
        return Candidate.objects.none()
    if runs_hiring(viewer):
        return Candidate.objects.all()
    return Candidate.objects.filter(
        pk__in=visible_applications(viewer).values("candidate_id")
    )


def visible_interviews(viewer: Viewer) -> QuerySet:
    """Interviews the viewer may see. While bound on a candidate (see the module
    docstring), only their own: who else is on the panel, and whether they have
    submitted, belongs to the panel too."""
    if not viewer.is_authenticated:
        return Interview.objects.none()
    if runs_hiring(viewer):
        interviews = Interview.objects.all()
    else:
        interviews = Interview.objects.filter(
            Q(application__opening__hiring_manager=viewer) | Q(interviewer=viewer)
        )
    bound = bound_candidate_ids(viewer, HiringPolicy.current())
    return interviews.filter(
        Q(interviewer=viewer) | ~Q(application__candidate_id__in=bound)
    )


def bound_candidate_ids(viewer: User, policy: HiringPolicy | None = None) -> QuerySet:
    """Candidates the viewer interviews without having submitted every scorecard.
    Without `policy`, the policy is read in the same query (a subquery)."""
    always = HiringPolicy.PanelVisibility.ALWAYS
    if policy is not None and policy.panel_visibility == always:
        return Interview.objects.none().values("application__candidate_id")
    interviews = _own_interviews(viewer).filter(
        Q(scorecard__isnull=True) | Q(scorecard__current__isnull=True)
    )
    if policy is None:
        # No policy row yet reads as the default (after submitting), not "always".
        lifted = HiringPolicy.objects.filter(pk=1, panel_visibility=always)
        interviews = interviews.filter(~Exists(lifted))
    return interviews.values("application__candidate_id")


def is_bound_on(viewer: Viewer, candidate_id: int) -> bool:
    """Whether the independence rule binds the viewer on this candidate."""
    if not viewer.is_authenticated:
        return False
    bound = bound_candidate_ids(viewer, HiringPolicy.current())
    return Candidate.objects.filter(pk=candidate_id).filter(pk__in=bound).exists()


def panel_visible_applications(viewer: Viewer) -> QuerySet:
    """Applications whose submitted scorecards (and fit score) the viewer may see."""
    if not viewer.is_authenticated:
        return Application.objects.none()
    policy = HiringPolicy.current()
    Visibility = HiringPolicy.PanelVisibility
    bound = bound_candidate_ids(viewer, policy)
    privileged = Q() if runs_hiring(viewer) else Q(opening__hiring_manager=viewer)
    privileged &= ~Q(candidate_id__in=bound)
    interviewed = Q(pk__in=_own_interviews(viewer).values("application_id"))
    if policy.panel_visibility == Visibility.ALWAYS:
        as_interviewer = interviewed
    elif policy.panel_visibility == Visibility.AFTER_SUBMIT:
        as_interviewer = interviewed & ~Q(candidate_id__in=bound)
    else:
        as_interviewer = Q(pk__in=[])
    return Application.objects.filter(privileged | as_interviewer)


def sees_panel(viewer: Viewer, application: Application) -> bool:
    return panel_visible_applications(viewer).filter(pk=application.pk).exists()


def visible_scorecards(viewer: Viewer) -> QuerySet:
    """The viewer's own scorecards, and the submitted ones of panels they may see."""
    if not viewer.is_authenticated:
        return Scorecard.objects.none()
    return Scorecard.objects.filter(
        Q(interview__interviewer=viewer)
        | Q(
            current__isnull=False,
            interview__application__in=panel_visible_applications(viewer),
        )
    )


def visible_revisions(viewer: Viewer) -> QuerySet:
    """Submitted revisions of visible scorecards; drafts for their interviewer only."""
    if not viewer.is_authenticated:
        return ScorecardRevision.objects.none()
    return ScorecardRevision.objects.filter(
        scorecard__in=visible_scorecards(viewer)
    ).filter(
        Q(submitted_at__isnull=False) | Q(scorecard__interview__interviewer=viewer)
    )


def can_write_scorecard(viewer: Viewer, scorecard: Scorecard) -> bool:
    """Its interviewer, while the candidate's personal data is kept."""
    interview = scorecard.interview
    return (
        viewer.is_authenticated
        and interview.interviewer_id == viewer.pk
        and interview.application.candidate.anonymised_at is None
    )
