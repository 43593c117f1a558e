"""Read-only sections of the home page (`config.home`) from hiring: what an
interviewer owes and has next, and the scorecards a manager's team owes. Built on
`selectors` and `permissions`; every function runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from accounts.models import TeamMembership, User
from accounts.permissions import managed_team_ids
from config.queries import first_and_count

from . import permissions
from .models import (
    AnswerRating,
    Application,
    CompetencyRating,
    HiringPolicy,
    Interview,
    ScorecardRevision,
)
from .services import overdue_scorecards

# How many upcoming interviews and drafts the home lists.
UPCOMING_SHOWN = 5
DRAFTS_SHOWN = 5


@dataclass
class DueScorecard:
    interview: Interview
    due_at: datetime
    overdue: bool


@dataclass
class InterviewerSection:
    due: list[DueScorecard]  # overdue first (the oldest first), then the others
    upcoming: list[Interview]
    upcoming_count: int
    drafts: list[ScorecardRevision]

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.due)


def interviewer_section(*, viewer: User, now: datetime | None = None):
    """The viewer's scorecards due (an interview held and not submitted; overdue
    after the hiring policy's hours), their next interviews with candidate and
    kit, and their drafts in progress (first drafts and corrections). Four
    queries."""
    now = now or timezone.now()
    hours = timedelta(hours=HiringPolicy.current().reminder_after_hours)
    own = (
        Interview.objects.filter(interviewer=viewer)
        .select_related("application__candidate", "application__opening", "kit")
        .order_by("scheduled_at", "pk")
    )
    # No scorecard is owed on an anonymised candidate. One of a closed
    # application stays due: its interviewer, bound until they submit it, must
    # not learn the decision from the list (README, Independence), and it still
    # counts for calibration. Interviews to come of a closed application are not
    # listed (nobody is to hold them).
    unsubmitted = own.filter(
        scorecard__current__isnull=True,
        application__candidate__anonymised_at__isnull=True,
    )
    due = [
        DueScorecard(
            interview=interview,
            due_at=interview.scheduled_at + hours,
            overdue=interview.scheduled_at + hours < now,
        )
        for interview in unsubmitted.filter(scheduled_at__lte=now)
    ]
    due.sort(key=lambda item: (not item.overdue, item.interview.scheduled_at))
    upcoming, upcoming_count = first_and_count(
        unsubmitted.filter(scheduled_at__gt=now).exclude(
            application__stage__in=Application.ENDED_STAGES
        ),
        UPCOMING_SHOWN,
    )
    # A draft in progress holds something typed: a scorecard only opened (to
    # read its kit) has an empty first revision, which is no work to finish.
    typed = (
        Q(overall__isnull=False)
        | ~Q(summary="")
        | ~Q(reason="")
        | Exists(
            AnswerRating.objects.filter(revision=OuterRef("pk")).filter(
                Q(rating__isnull=False) | ~Q(notes="")
            )
        )
        | Exists(
            CompetencyRating.objects.filter(
                revision=OuterRef("pk"), rating__isnull=False
            )
        )
    )
    drafts = (
        ScorecardRevision.objects.filter(
            typed, submitted_at__isnull=True, scorecard__interview__interviewer=viewer
        )
        .select_related(
            "scorecard__interview__application__candidate",
            "scorecard__interview__kit",
        )
        .order_by("-saved_at", "-pk")
    )
    return InterviewerSection(
        due=due,
        upcoming=upcoming,
        upcoming_count=upcoming_count,
        drafts=list(drafts[:DRAFTS_SHOWN]),
    )


@dataclass
class OwedByMember:
    interviewer: User
    count: int
    oldest_scheduled_at: datetime


def team_owed_scorecards(
    *, viewer: User, now: datetime | None = None
) -> list[OwedByMember]:
    """Overdue scorecards owed by the current members of the teams the viewer leads
    (sub-teams included), counted per interviewer, the most first. Only counts and
    no candidate: the panel's progress is not the leader's to see
    (`permissions`), and the candidates the viewer is bound on are left out."""
    now = now or timezone.now()
    team_ids = managed_team_ids(viewer)
    if not team_ids:
        return []
    in_teams = (
        TeamMembership.objects.active_on(timezone.localdate(now))
        .filter(team_id__in=team_ids)
        .exclude(user=viewer)
        .values("user_id")
    )
    rows = (
        overdue_scorecards(now=now)
        .filter(interview__interviewer__in=in_teams)
        .exclude(
            interview__application__candidate_id__in=permissions.bound_candidate_ids(
                viewer
            )
        )
        .values("interview__interviewer")
        .annotate(count=Count("pk"), oldest=Min("interview__scheduled_at"))
        .order_by()
    )
    counts = {row["interview__interviewer"]: row for row in rows}
    if not counts:
        return []
    people = User.objects.in_bulk(list(counts))
    found = [
        OwedByMember(
            interviewer=people[user_id],
            count=row["count"],
            oldest_scheduled_at=row["oldest"],
        )
        for user_id, row in counts.items()
        if user_id in people
    ]
    return sorted(
        found,
        key=lambda item: (-item.count, item.oldest_scheduled_at, item.interviewer.pk),
    )


def has_hiring_work(viewer: User) -> bool:
    """Whether the home shows the interviewer section to a user without the
    Interviewer role: they hold interviews all the same."""
    return Interview.objects.filter(interviewer=viewer).exists()
