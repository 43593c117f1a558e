"""Pages: the manager dashboard, the member page and step retrospectives.

Dashboards and member pages are for admins, managers and members (403 for the other
roles). A member outside `permissions.visible_members`, a team the viewer does not
lead, or a retrospective of such a member answer 404. Figures come from the rollup
(`selectors.dashboard`), so every page runs a fixed number of queries.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.api import parse_id
from config.exports import csv_response
from config.views import add_service_errors, require

from .. import metrics
from ..forms.retrospectives import (
    CommentForm,
    RetrospectiveForm,
    RetrospectiveTextsForm,
)
from ..permissions import (
    coaches,
    coaches_visible,
    is_admin,
    led_teams,
    members,
    sees_management_pages,
    visible_members,
)
from ..selectors import awards, development, page_figures, promotion
from ..selectors import dashboard as selectors
from ..services import retrospectives as services

PER_PAGE = 20


def _is_member(user) -> bool:
    return members().filter(pk=user.pk).exists()


def _period(request, default: str = selectors.DEFAULT_PERIOD) -> metrics.Period:
    """The period of `?period=`; a wrong one falls back to the default, said so."""
    key = request.GET.get("period")
    if key:
        try:
            return metrics.parse_period(key)
        except ValueError as error:
            messages.warning(
                request,
                _("%(error)s Showing %(period)s instead.")
                % {"error": error, "period": metrics.parse_period(default).label},
            )
    return metrics.parse_period(default)


def _period_choices(period: metrics.Period) -> list[metrics.Period]:
    choices = metrics.period_choices()
    if period.key not in {choice.key for choice in choices}:
        choices.append(period)
    return choices


# --- Dashboard ------------------------------------------------------------------------


def _dashboard_page(request):
    """The teams the viewer opens, the team and period asked for (`?team=`,
    `?period=`), the sort (`?sort=`) and "final cohorts only" (`?final=1`), and
    the dashboard of that team (None without a team)."""
    viewer = request.user
    require(sees_management_pages(viewer))
    teams = list(led_teams(viewer).order_by("name", "pk"))
    period = _period(request)
    wanted = request.GET.get("team")
    if wanted:
        team_id = parse_id(wanted)
        team = next((team for team in teams if team.pk == team_id), None)
        if team is None:
            raise Http404
    else:
        team = selectors.default_team(teams, viewer, period=period)
    options = {
        "sort": request.GET.get("sort") or selectors.DEFAULT_SORT,
        "final_only": request.GET.get("final") == "1",
    }
    # The journeys' steps, read once for the page's figures and its awards.
    steps = metrics.current_steps_by_journey()
    page = (
        selectors.dashboard(
            viewer=viewer,
            team=team,
            period=period,
            steps_by_journey=steps,
            **options,
        )
        if team
        else None
    )
    return teams, team, period, options, page, steps


def _query(team, period, options, **changes) -> str:
    """The dashboard's query string with `changes`: what the page shows stays in
    its URL (team, period, sort, final cohorts only)."""
    query = {"period": period.key}
    if team is not None:
        query["team"] = team.pk
    if options["sort"] != selectors.DEFAULT_SORT:
        query["sort"] = options["sort"]
    if options["final_only"]:
        query["final"] = "1"
    query.update(changes)
    return urlencode({key: value for key, value in query.items() if value})


def _next_sort(header) -> str:
    """A click sorts by the column (members by name, figures best first); on the
    column sorted by, it turns the order around."""
    if header.sorted == "ascending":
        return f"-{header.key}"
    if header.sorted == "descending" or header.key == "member":
        return header.key
    return f"-{header.key}"


@login_required
def dashboard(request):
    """The teams the viewer leads: one heat map per journey, a row per member."""
    viewer = request.user
    teams, team, period, options, page, steps = _dashboard_page(request)
    if not teams and _is_member(viewer):
        return redirect("recognition:member", viewer.pk)
    for table in page.tables if page else ():
        for header in table.headers:
            header.href = "?" + _query(team, period, options, sort=_next_sort(header))
    return render(
        request,
        "recognition/dashboard.html",
        {
            "teams": teams,
            "team": team,
            "period": period,
            "period_choices": _period_choices(period),
            "page": page,
            "last_run": page.last_run if page else None,
            "viewer_is_admin": is_admin(viewer),
            "award_panel": awards.participant_leaderboards(
                viewer=viewer,
                catalogue=metrics.catalogue(active_only=False, steps_by_journey=steps),
            ),
            "options": options,
            "final_switch_query": _query(
                team, period, {**options, "final_only": not options["final_only"]}
            ),
            "export_query": _query(team, period, options),
            "sort": options["sort"],
        },
    )


@login_required
def dashboard_export(request):
    """The heat map as a CSV download: the same team, period and switch."""
    _teams, team, period, _options, page, _steps = _dashboard_page(request)
    if page is None:
        raise Http404
    return csv_response(
        f"dashboard-{slugify(team.name) or team.pk}-{period.key}",
        selectors.heatmap_header(),
        selectors.heatmap_rows(page),
    )


@login_required
def cohort_detail(request, pk: int, step_pk: int):
    """The accounts of a member's cohort at a transition in the period: the heat
    map's cell drilled down, the converted ones marked."""
    member = _member(request, pk)
    transition = selectors.find_transition(step_pk)
    if transition is None:
        raise Http404
    period = _period(request)
    page = selectors.cohort_accounts(
        viewer=request.user, member=member, transition=transition, period=period
    )
    return render(
        request,
        "recognition/dashboard_cohort.html",
        {
            "member": member,
            "page": page,
            "period": period,
            "is_coach": coaches(request.user, member),
        },
    )


# --- Member page ----------------------------------------------------------------------


def _member(request, pk: int):
    require(sees_management_pages(request.user))
    return get_object_or_404(visible_members(request.user), pk=pk)


def _plan_url(member, weakest) -> str | None:
    """ "Add to plan" for the weakest transition (every row has its own)."""
    if weakest is None:
        return None
    return reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": member.pk, "step_pk": weakest.transition.step.pk},
    )


@login_required
def member_detail(request, pk: int):
    """A member's journey over the period beside their team's, the monthly trend of
    each transition, the weakest transition and what to do about it."""
    member = _member(request, pk)
    viewer = request.user
    period = _period(request)
    # The journeys' steps, read once for every section; the member was read
    # through the viewer's visible members (`seen`).
    steps = metrics.current_steps_by_journey()
    catalogue = metrics.catalogue(active_only=False, steps_by_journey=steps)
    page = selectors.member_page(
        viewer=viewer,
        member=member,
        period=period,
        journey_id=parse_id(request.GET.get("journey")),
        steps_by_journey=steps,
    )
    is_coach = coaches_visible(viewer, member)
    seen = {"member": member, "viewer": viewer, "catalogue": catalogue}
    # The figures of the sections are as of the page's rollup run.
    as_of = page_figures.as_of_run(page.last_run)
    plan = development.member_development(seen=True, as_of=as_of, **seen)
    # Readiness reads the ratings of the latest assessment the plan section read.
    ratings = promotion.ratings_of([plan.latest_assessment])
    return render(
        request,
        "recognition/member_detail.html",
        {
            "member": member,
            "page": page,
            "period": period,
            "period_choices": _period_choices(period),
            "is_self": member.pk == viewer.pk,
            "is_coach": is_coach,
            "plan_url": _plan_url(member, page.weakest) if is_coach else None,
            "development": plan,
            "awards": awards.member_standings(**seen),
            "readiness": promotion.member_readiness(
                seen=True, ratings=ratings, as_of=as_of, **seen
            ),
            # A participant's own page is their dashboard: the running leaderboards.
            "award_panel": awards.participant_leaderboards(
                viewer=viewer, catalogue=catalogue
            )
            if member.pk == viewer.pk
            else None,
        },
    )


# --- Step retrospectives -------------------------------------------------------------


@login_required
def retrospective_list(request, pk: int):
    member = _member(request, pk)
    retrospectives = (
        selectors.visible_retrospectives(request.user)
        .filter(member=member)
        .order_by("-period", "from_step__journey__name", "from_step__position", "pk")
    )
    page = Paginator(retrospectives, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/retrospective_list.html",
        {
            "member": member,
            "page": page,
            "is_self": member.pk == request.user.pk,
        },
    )


def _retrospective_month(request) -> metrics.Period:
    """The month a new retrospective looks back on (`?period=`): by default the last
    complete month."""
    default = metrics.month_period(metrics.add_months(metrics.this_month(), -1))
    key = request.GET.get("period")
    if not key:
        return default
    try:
        period = metrics.parse_period(key)
    except ValueError as error:
        messages.warning(request, str(error))
        return default
    if period.kind != metrics.PERIOD_MONTH or period.first_month > metrics.this_month():
        messages.warning(
            request,
            _("A retrospective looks back on one month, this month or earlier."),
        )
        return default
    return period


def _recent_months() -> list[metrics.Period]:
    current = metrics.this_month()
    return [metrics.month_period(metrics.add_months(current, -n)) for n in range(12)]


@login_required
def retrospective_create(request):
    """A member writes a retrospective of a month at a transition, offered worst
    conversion first."""
    viewer = request.user
    require(sees_management_pages(viewer) and _is_member(viewer))
    period = _retrospective_month(request)
    choices = selectors.retrospective_transitions(member=viewer, period=period)
    steps = {choice.transition.step.pk: choice.transition.step for choice in choices}
    initial = {}
    if (wanted := parse_id(request.GET.get("step"))) in steps:
        initial["from_step"] = wanted
    form = RetrospectiveForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        choices=choices,
        submit_label=_("Save my retrospective"),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            retrospective = services.retrospective_write(
                member=viewer,
                by=viewer,
                period=period.key,
                from_step=steps[data["from_step"]],
                went_well=data["went_well"],
                went_badly=data["went_badly"],
                next_time=data["next_time"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your retrospective is saved."))
            return redirect("recognition:retrospective_detail", retrospective.pk)
    return render(
        request,
        "recognition/retrospective_form.html",
        {
            "form": form,
            "period": period,
            "months": _recent_months(),
            "member": viewer,
            "has_transitions": bool(choices),
        },
    )


def _retrospective(request, pk: int):
    require(sees_management_pages(request.user))
    return get_object_or_404(selectors.visible_retrospectives(request.user), pk=pk)


@login_required
def retrospective_detail(request, pk: int):
    """The retrospective; its member's leaders comment on it here."""
    retrospective = _retrospective(request, pk)
    may_comment = coaches(request.user, retrospective.member)
    form = None
    if may_comment:
        form = CommentForm(
            request.POST if request.method == "POST" else None,
            initial={"manager_comment": retrospective.manager_comment},
        )
    if request.method == "POST":
        require(may_comment)
        if form.is_valid():
            try:
                services.retrospective_comment(
                    retrospective=retrospective,
                    by=request.user,
                    comment=form.cleaned_data["manager_comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your comment is saved."))
                return redirect("recognition:retrospective_detail", retrospective.pk)
    return render(
        request,
        "recognition/retrospective_detail.html",
        {
            "retrospective": retrospective,
            "member": retrospective.member,
            "form": form,
            "is_author": retrospective.member_id == request.user.pk,
        },
    )


@login_required
def retrospective_edit(request, pk: int):
    retrospective = _retrospective(request, pk)
    require(retrospective.member_id == request.user.pk)
    form = RetrospectiveTextsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "went_well": retrospective.went_well,
            "went_badly": retrospective.went_badly,
            "next_time": retrospective.next_time,
        },
        submit_label=_("Save my retrospective"),
    )
    if form.is_valid():
        try:
            services.retrospective_update(
                retrospective=retrospective, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your retrospective is saved."))
            return redirect("recognition:retrospective_detail", retrospective.pk)
    return render(
        request,
        "recognition/retrospective_form.html",
        {
            "form": form,
            "retrospective": retrospective,
            "member": retrospective.member,
        },
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export/", dashboard_export, name="dashboard_export"),
    path(
        "members/<int:pk>/transitions/<int:step_pk>/accounts/",
        cohort_detail,
        name="cohort_detail",
    ),
    path("members/<int:pk>/", member_detail, name="member"),
    path(
        "members/<int:pk>/retrospectives/",
        retrospective_list,
        name="retrospective_list",
    ),
    path("retrospectives/new/", retrospective_create, name="retrospective_create"),
    path(
        "retrospectives/<int:pk>/",
        retrospective_detail,
        name="retrospective_detail",
    ),
    path(
        "retrospectives/<int:pk>/edit/", retrospective_edit, name="retrospective_edit"
    ),
]
