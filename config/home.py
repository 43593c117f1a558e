"""The home page: each role's cockpit. A user sees the sections of every role they
hold (a manager who interviews sees both), each built by the pillar that owns the
data (`hiring.home`, `journeys.home`, `recognition.home`), read-only and scoped to
the viewer. Accounts stays the foundation: this module, not accounts, brings the
pillars together. Every section runs a fixed number of queries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Role
from accounts.permissions import is_admin, roles_of
from hiring import home as hiring_home
from journeys import home as journeys_home
from recognition import home as recognition_home


def _role_labels(role_names) -> list[str]:
    return [role.label for role in Role if role.value in role_names]


def _interviewer(user, now):
    return {"interviewer": hiring_home.interviewer_section(viewer=user, now=now)}


def _member(user, now):
    today = timezone.localdate(now)
    return {
        "figures": recognition_home.member_figures(
            member=user, viewer=user, today=today
        ),
        "training": journeys_home.training_due(member=user, today=today),
        "awards": recognition_home.award_standing(member=user, now=now),
        "actions": recognition_home.plan_actions_due(member=user, today=today),
        "accounts": journeys_home.accounts_needing_action(
            viewer=user, member=user, now=now
        ),
        "outcomes_at_risk": journeys_home.outcomes_at_risk(viewer=user, today=today),
        "health_at_risk": journeys_home.health_at_risk(viewer=user, owner=user),
    }


def _manager(user, now):
    today = timezone.localdate(now)
    members = recognition_home.coached(user)
    return {
        "led_teams": account_selectors.led_teams(user=user),
        "attention": recognition_home.attention(viewer=user, members=members, now=now),
        "overdue_value_points": journeys_home.overdue_value_points(
            viewer=user, owners=[member.pk for member in members], now=now
        ),
        "plans": recognition_home.plans_due(viewer=user, today=today),
        "readiness": recognition_home.readiness_changes(members=members, today=today),
        "owed": hiring_home.team_owed_scorecards(viewer=user, now=now),
        "outcomes_at_risk": journeys_home.outcomes_at_risk(viewer=user, today=today),
        "health_at_risk": journeys_home.health_at_risk(viewer=user),
    }


def _admin(user, now):
    return {
        "organisation": recognition_home.organisation(viewer=user, now=now),
        "unset_periods": recognition_home.unset_award_periods(
            viewer=user, today=timezone.localdate(now)
        ),
        "rollup": recognition_home.rollup_status(now=now),
        "imports": journeys_home.import_status(now=now),
    }


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    roles = roles_of(user)
    sections = {}
    if Role.INTERVIEWER.value in roles or hiring_home.has_hiring_work(user):
        sections["interviewer"] = _interviewer(user, now)
    if Role.MEMBER.value in roles:
        sections["member"] = _member(user, now)
    if Role.MANAGER.value in roles:
        sections["manager"] = _manager(user, now)
    if is_admin(user):
        sections["admin"] = _admin(user, now)
    return render(
        request,
        "home/home.html",
        {
            "sections": sections,
            "role_labels": _role_labels(roles),
            "my_teams": account_selectors.current_teams(user=user),
            "now": now,
        },
    )
