"""Journeys pages: customer accounts (list, page with the journey path, recording and
voiding step events, recording the ARR by month, coverage changes), pools, and the
CSV upload."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Team
from accounts.permissions import is_admin
from config import keyset
from config.exports import csv_response
from config.views import add_service_errors

from .. import health, imports, permissions, revenue, selectors, services
from ..filters import CustomerFilter, PoolFilter, StepEventFilter
from ..forms.accounts import (
    ARRMovementForm,
    ARRSnapshotForm,
    CoverageForm,
    ImportForm,
    StepEventForm,
    VoidEventForm,
    present_account_filters,
    present_pool_filters,
    present_step_event_filters,
)
from ..models import (
    ARRMovement,
    ARRSnapshot,
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Pool,
    Step,
    StepEvent,
)
from ..templatetags.journeys import yen
from .success import account_success_context

PER_PAGE = 25


# --- Account list ---------------------------------------------------------------------

# The columns a viewer may sort by: (ordering value, header).
SORTABLE_COLUMNS = [
    ("name", _lazy("Account")),
    ("segment", _lazy("Segment")),
    ("arr", _lazy("ARR")),
    ("journey", _lazy("Journey")),
    ("current_step", _lazy("Current step")),
    ("health_score", _lazy("Health")),
]


def _account_filters(request, *, now=None) -> CustomerFilter:
    """The list's FilterSet (the API's), over the accounts the viewer sees (as of
    `now`)."""
    accounts = selectors.account_list(viewer=request.user, now=now)
    return CustomerFilter(
        request.GET or None, queryset=accounts.order_by("name", "id"), request=request
    )


def _present_filters(request, filterset: CustomerFilter):
    viewer = request.user
    journeys = permissions.visible_journeys(viewer).order_by("name")
    return present_account_filters(
        filterset.form,
        owners=selectors.account_owners(viewer),
        pools=permissions.visible_pools(viewer).order_by("name"),
        segments=selectors.account_segments(viewer),
        journeys=journeys,
        steps=Step.objects.filter(
            retired_at__isnull=True, journey__in=journeys.values("pk")
        )
        .select_related("journey")
        .order_by("journey__name", "position"),
    )


def _sort_columns(filterset: CustomerFilter) -> list[dict]:
    """Each sortable header: its current direction and the ordering a click sets
    (ascending first, then descending)."""
    chosen = (
        (filterset.form.cleaned_data.get("ordering") or [""])[0]
        if (filterset.is_bound and filterset.is_valid())
        else ""
    )
    columns = []
    for value, label in SORTABLE_COLUMNS:
        direction = (
            "asc" if chosen == value else "desc" if chosen == f"-{value}" else None
        )
        columns.append(
            {
                "label": label,
                "numeric": value == "arr",
                "direction": direction,
                "next": f"-{value}" if direction == "asc" else value,
            }
        )
    return columns


@login_required
def account_list(request):
    now = timezone.now()
    filterset = _account_filters(request, now=now)
    # Before the form is validated: its fields' labels are read once, then.
    form = _present_filters(request, filterset)
    # A page's accounts are read by the keys the list finds, as of the same moment.
    listed = selectors.account_pages(filterset.qs, now=now)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    filtered = filterset.is_bound and any(
        value not in (None, "", [])
        for name, value in form.cleaned_data.items()
        if name != "ordering"
    )
    return render(
        request,
        "journeys/account_list.html",
        {
            "form": form,
            "page": page,
            "filtered": filtered,
            "columns": _sort_columns(filterset),
            "manages_journeys": permissions.manages_journeys(request.user),
        },
    )


def _with_open_coverage(accounts):
    """One query, streamed: the open coverage period read as annotations instead
    of the list's prefetch (which would run once per chunk)."""
    period = Coverage.objects.filter(account=OuterRef("pk"), ended_at__isnull=True)
    return accounts.prefetch_related(None).annotate(
        coverage_model=Subquery(period.values("model")[:1]),
        owner_username=Subquery(period.values("owner__username")[:1]),
        pool_name=Subquery(period.values("pool__name")[:1]),
    )


@login_required
def account_export(request):
    """The accounts of the list, with its filters and order, as CSV: the import's
    columns first (a file that can be corrected and imported again), then where
    each account stands."""
    filterset = _account_filters(request)
    if filterset.is_bound and not filterset.is_valid():
        return redirect(f"{reverse('journeys:account_list')}?{request.GET.urlencode()}")
    accounts = _with_open_coverage(filterset.qs)
    header = [
        *imports.ACCOUNT_COLUMNS,
        *imports.ACCOUNT_OPTIONAL,
        "current_step",
        "current_step_since",
        "value_point_overdue",
    ]
    rows = (
        [
            account.external_id,
            account.name,
            account.segment,
            account.arr,
            account.journey.name,
            account.coverage_model,
            account.owner_username,
            account.pool_name,
            account.current_step_name,
            account.current_step_since,
            account.value_point_overdue,
        ]
        for account in accounts.iterator(chunk_size=2000)
    )
    return csv_response(f"accounts-{timezone.localdate():%Y%m%d}", header, rows)


# The step-event page's order: newest reach first, ties by id (an index reads it).
EVENT_ORDER = ("-reached_at", "-id")
EVENTS_PER_PAGE = 50


@login_required
def step_event_list(request):
    """The step events of the accounts the viewer sees (void ones included), newest
    reach first, with the API's filters, paged by cursor: Newer and Older links, no
    count of them all (there are millions)."""
    filterset = StepEventFilter(
        request.GET or None,
        queryset=permissions.visible_step_events(request.user).select_related(
            "account", "step__journey", "recorded_by"
        ),
        request=request,
    )
    journeys = permissions.visible_journeys(request.user).order_by("name")
    form = present_step_event_filters(
        filterset.form,
        journeys=journeys,
        steps=Step.objects.filter(journey__in=journeys.values("pk"))
        .select_related("journey")
        .order_by("journey__name", F("position").asc(nulls_last=True), "name"),
    )
    cursor = None
    if request.GET.get("cursor"):
        try:
            cursor = keyset.decode_cursor(
                request.GET["cursor"], model=StepEvent, ordering=EVENT_ORDER
            )
        except keyset.InvalidCursor:
            return HttpResponseBadRequest(
                _(
                    "This link to a page of step events is broken: start again "
                    "from the first page."
                ),
                content_type="text/plain; charset=utf-8",
            )
    page = keyset.keyset_page(
        filterset.qs, ordering=EVENT_ORDER, cursor=cursor, size=EVENTS_PER_PAGE
    )
    return render(
        request,
        "journeys/step_event_list.html",
        {
            "form": form,
            "events": page.rows,
            "newer": keyset.encode_cursor(page.previous) if page.previous else None,
            "older": keyset.encode_cursor(page.next) if page.next else None,
            "filtered": any(
                value not in (None, "") and name != "cursor"
                for name, value in request.GET.items()
            ),
        },
    )


@login_required
def step_event_export(request):
    """The step events of the accounts the viewer sees (void ones included), with
    the API's filters, as CSV: the import's columns first."""
    filterset = StepEventFilter(
        request.GET or None,
        queryset=permissions.visible_step_events(request.user)
        .select_related("account", "step__journey", "recorded_by")
        .order_by("account__external_id", "reached_at", "id"),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            " ".join(
                f"{name}: {' '.join(texts)}" for name, texts in filterset.errors.items()
            ),
            content_type="text/plain; charset=utf-8",
        )
    header = [
        *imports.EVENT_COLUMNS,
        "journey",
        "step_position",
        "source",
        "recorded_by",
        "recorded_at",
        "voided_at",
        "void_reason",
    ]
    rows = (
        [
            event.account.external_id,
            event.step.name,
            event.reached_at,
            event.note,
            event.step.journey.name,
            event.step.position,
            event.get_source_display(),
            event.recorded_by.username if event.recorded_by else "",
            event.recorded_at,
            event.voided_at,
            event.void_reason,
        ]
        for event in filterset.qs.iterator(chunk_size=2000)
    )
    return csv_response(f"step-events-{timezone.localdate():%Y%m%d}", header, rows)


# --- Account page ---------------------------------------------------------------------


def _account_page(request, pk: int) -> selectors.AccountPage:
    try:
        return selectors.account_page(viewer=request.user, pk=pk)
    except CustomerAccount.DoesNotExist:
        raise Http404 from None


def _steps(account: CustomerAccount):
    return Step.objects.filter(
        journey_id=account.journey_id, retired_at__isnull=True
    ).order_by("position")


def _next_step(page: selectors.AccountPage) -> Step | None:
    """The step after the current one (the first step before any)."""
    if page.current_step is None:
        return page.path[0].step if page.path else None
    for entry in page.path:
        if entry.step.position > page.current_step.position:
            return entry.step
    return None


@login_required
def account_detail(request, pk: int):
    page = _account_page(request, pk)
    account = page.account
    viewer = request.user
    records = permissions.can_record_event(viewer, account)
    records_arr = permissions.can_record_arr(viewer, account)
    record_form = StepEventForm(steps=_steps(account), next_step=_next_step(page))
    # Read here, not by the template: its earliest start is the first coverage.
    coverage_history = list(selectors.account_coverage_history(account))
    covered_since = coverage_history[-1].started_at if coverage_history else None
    void_form = VoidEventForm()
    void_event_id = None
    arr_form = ARRSnapshotForm()
    arr_movement_form = ARRMovementForm()
    if request.method == "POST" and "arr-record" in request.POST:
        if not records_arr:
            raise PermissionDenied
        arr_form = ARRSnapshotForm(request.POST)
        if _record_arr(request, account, arr_form):
            return redirect(f"{account.get_absolute_url()}#arr")
    elif request.method == "POST" and "arr-correct" in request.POST:
        if not records_arr:
            raise PermissionDenied
        arr_movement_form = ARRMovementForm(request.POST)
        if _correct_arr_movement(request, account, arr_movement_form):
            return redirect(f"{account.get_absolute_url()}#arr")
    elif request.method == "POST":
        if not records:
            raise PermissionDenied
        if "void-event" in request.POST:
            void_form = VoidEventForm(request.POST)
            done, void_event_id = _void(request, account, void_form)
        else:
            record = {
                "steps": _steps(account),
                "next_step": _next_step(page),
                "covered_since": covered_since,
            }
            record_form = StepEventForm(
                request.POST,
                asks_confirmation="record-confirm_date" in request.POST,
                **record,
            )
            done = _record(request, account, record_form)
            if not done and record_form.needs_confirmation():
                # Ask again, now with the confirmation box.
                record_form = StepEventForm(
                    request.POST, asks_confirmation=True, **record
                )
                record_form.is_valid()
        if done:
            return redirect(account)
    version = page.next_playbook_version
    return render(
        request,
        "journeys/account_detail.html",
        {
            "page": page,
            "account": account,
            "next_step": _next_step(page),
            "playbook_goal": selectors.with_customer_name(version.goal, account)
            if version
            else "",
            "playbook_actions": (
                [
                    selectors.with_customer_name(line, account)
                    for line in version.action_lines()
                ]
                if version
                else []
            ),
            "playbook_content": selectors.with_customer_name(version.content, account)
            if version
            else "",
            "records": records,
            "record_form": record_form,
            "void_form": void_form,
            "void_event_id": void_event_id,
            "coverage_history": coverage_history,
            "changes_coverage": permissions.can_change_coverage(viewer, account),
            "arr_history": revenue.account_arr_history(account),
            "records_arr": records_arr,
            "arr_form": arr_form,
            "arr_movement_form": arr_movement_form,
            **account_success_context(viewer, page),
            **health.account_health_context(page),
        },
    )


def _record(request, account: CustomerAccount, form: StepEventForm) -> bool:
    if not form.is_valid():
        return False
    try:
        event = services.step_event_record(
            account=account,
            step=form.cleaned_data["step"],
            reached_at=form.cleaned_data["reached_at"],
            note=form.cleaned_data["note"],
            by=request.user,
            source=StepEvent.Source.UI,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(
        request, _("Recorded: %(step)s was reached.") % {"step": event.step}
    )
    return True


def _record_arr(request, account: CustomerAccount, form: ARRSnapshotForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        snapshot = revenue.arr_snapshot_record(
            account=account,
            month=data["month"],
            arr=data["arr"],
            movement=data["movement"],
            by=request.user,
            source=ARRSnapshot.Source.UI,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(
        request,
        _("ARR of %(month)s recorded: %(arr)s.")
        % {
            "month": date_format(snapshot.month, "YEAR_MONTH_FORMAT"),
            "arr": yen(snapshot.arr),
        },
    )
    return True


def _correct_arr_movement(
    request, account: CustomerAccount, form: ARRMovementForm
) -> bool:
    if not form.is_valid():
        messages.error(
            request, " ".join(e for errors in form.errors.values() for e in errors)
        )
        return False
    snapshot = ARRSnapshot.objects.filter(
        account=account, pk=form.cleaned_data["snapshot"]
    ).first()
    if snapshot is None:
        raise Http404
    try:
        revenue.arr_movement_correct(
            snapshot=snapshot, movement=form.cleaned_data["movement"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(
        request,
        _("The movement type of %(month)s was corrected.")
        % {"month": date_format(snapshot.month, "YEAR_MONTH_FORMAT")},
    )
    return True


def _void(request, account: CustomerAccount, form: VoidEventForm):
    if not form.is_valid():
        return False, None
    event = StepEvent.objects.filter(
        account=account, pk=form.cleaned_data["event"]
    ).first()
    if event is None:
        raise Http404
    try:
        services.step_event_void(
            event=event, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False, event.pk
    messages.success(request, _("The event was voided; it no longer counts."))
    return True, event.pk


# --- Coverage -----------------------------------------------------------------------


@login_required
def account_assign(request, pk: int):
    viewer = request.user
    account = permissions.visible_accounts(viewer).filter(pk=pk).first()
    if account is None:
        raise Http404
    if not permissions.can_change_coverage(viewer, account):
        raise PermissionDenied
    current = Coverage.objects.filter(account=account, ended_at__isnull=True).first()
    choices = {
        "owners": permissions.coverage_owner_choices(viewer).order_by(
            "family_name", "given_name", "username"
        ),
        "pools": permissions.visible_pools(viewer).order_by("name"),
    }
    asks = request.method == "POST" and "confirm_not_ready" in request.POST
    initial = {"model": current.model if current else CoverageModel.DEDICATED}
    form = CoverageForm(
        request.POST or None, initial=initial, asks_confirmation=asks, **choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["model"] == CoverageModel.DEDICATED:
                services.account_assign_owner(
                    account=account,
                    owner=data["owner"],
                    by=viewer,
                    confirm_not_ready=data.get("confirm_not_ready", False),
                )
            else:
                services.account_move_to_pool(
                    account=account, pool=data["pool"], by=viewer
                )
        except ValidationError as error:
            not_ready = any(
                item.code == "not_ready"
                for item in getattr(error, "error_dict", {}).get("owner", [])
            )
            if not_ready and not form.asks_confirmation:
                # Ask again, now with the confirmation box.
                form = CoverageForm(
                    request.POST, initial=initial, asks_confirmation=True, **choices
                )
                form.is_valid()
            add_service_errors(form, error)
        else:
            messages.success(request, _("The coverage was changed."))
            return redirect(account)
    return render(
        request,
        "journeys/account_assign.html",
        {"account": account, "current": current, "form": form},
    )


# --- Pools ----------------------------------------------------------------------------


@login_required
def pool_list(request):
    """The pools the viewer sees, filtered by the API's `PoolFilter`."""
    pools = selectors.pool_list(viewer=request.user)
    filterset = PoolFilter(request.GET or None, queryset=pools, request=request)
    form = present_pool_filters(
        filterset.form,
        teams=Team.objects.filter(pk__in=pools.values("team_id")).order_by("name"),
    )
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/pool_list.html",
        {
            "page": page,
            "form": form,
            "filtered": filterset.is_bound
            and any(form.cleaned_data.get(name) for name in ("kind", "team")),
            "manages": permissions.manages_journeys(request.user),
        },
    )


@login_required
def pool_detail(request, pk: int):
    pool = (
        permissions.visible_pools(request.user).select_related("team").filter(pk=pk)
    ).first()
    if pool is None:
        raise Http404
    now = timezone.now()
    accounts = selectors.account_list(viewer=request.user, pool=pool, now=now)
    listed = selectors.account_pages(accounts.order_by("name", "id"), now=now)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/pool_detail.html",
        {"pool": pool, "memberships": selectors.pool_members(pool), "page": page},
    )


# --- Import ---------------------------------------------------------------------------


def _active_journeys():
    """The active journeys with their current steps (`current_steps`), by name."""
    steps = Prefetch(
        "steps",
        queryset=Step.objects.filter(retired_at__isnull=True).order_by("position"),
        to_attr="current_steps",
    )
    return (
        Journey.objects.filter(is_active=True).prefetch_related(steps).order_by("name")
    )


def _import_reference() -> dict:
    """What the import files may say: the journeys with their current steps as
    written, the pools, the coverage models, the ARR movement types and the date
    formats."""
    return {
        "journeys": list(_active_journeys()),
        "pools": list(Pool.objects.order_by("name").values_list("name", flat=True)),
        "coverage_models": CoverageModel.choices,
        "arr_movements": ARRMovement.choices,
        "time_zone": timezone.get_current_timezone_name(),
    }


@login_required
def import_upload(request):
    if not is_admin(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["kind"] == "accounts":
            report = imports.import_accounts(
                file=data["file"],
                by=request.user,
                confirm_not_ready=data["confirm_not_ready"],
            )
        elif data["kind"] == "arr":
            report = imports.import_arr_snapshots(file=data["file"], by=request.user)
        else:
            report = imports.import_step_events(file=data["file"], by=request.user)
    shown_rows = report.rows[:IMPORT_ROWS_SHOWN] if report else []
    return render(
        request,
        "journeys/import_upload.html",
        {
            "form": form,
            "report": report,
            "kind": form.data.get("kind", ""),
            "shown_rows": shown_rows,
            "more_rows": len(report.rows) - len(shown_rows) if report else 0,
            **_import_reference(),
        },
    )


# The report lists this many lines; a bigger file's summary counts the rest.
IMPORT_ROWS_SHOWN = 500


@login_required
def import_template(request, kind: str):
    """A CSV file with every column of the import and example rows, to fill in."""
    if not is_admin(request.user):
        raise PermissionDenied
    journey = _active_journeys().first()
    journey_name = journey.name if journey else _("Onboarding")
    if kind == "accounts":
        owner = selectors.example_owner(journey)
        pool = Pool.objects.order_by("name").values_list("name", flat=True).first()
        header = [*imports.ACCOUNT_COLUMNS, *imports.ACCOUNT_OPTIONAL]
        rows = [
            [
                "CRM-0001",
                _("Example Co."),
                "SMB",
                12000000,
                journey_name,
                CoverageModel.DEDICATED,
                owner or "username",
                "",
            ],
            [
                "CRM-0002",
                _("Sample Trading"),
                "SMB",
                3000000,
                journey_name,
                CoverageModel.POOLED,
                "",
                pool or _("SMB pool"),
            ],
        ]
    elif kind == "events":
        steps = journey.current_steps[:2] if journey else []
        header = list(imports.EVENT_COLUMNS)
        rows = [
            [
                "CRM-0001",
                step.name,
                f"2026-04-{number:02d} 10:30",
                _("Kickoff held") if number == 1 else "",
            ]
            for number, step in enumerate(steps, start=1)
        ] or [["CRM-0001", "1", "2026-04-01 10:30", ""]]
    elif kind == "arr":
        header = list(imports.ARR_COLUMNS)
        this_month = revenue.current_month()
        before, last = (revenue.add_months(this_month, -n) for n in (2, 1))
        rows = [
            ["CRM-0001", f"{before:%Y-%m}", 12000000, ""],
            ["CRM-0001", f"{last:%Y-%m}", 13500000, ARRMovement.UPSELL],
        ]
    else:
        raise Http404
    return csv_response(f"import-{kind}-template", header, rows)


urlpatterns = [
    path("accounts/", account_list, name="account_list"),
    path("accounts/export.csv", account_export, name="account_export"),
    path("step-events/", step_event_list, name="step_event_list"),
    path("step-events/export.csv", step_event_export, name="step_event_export"),
    path("accounts/<int:pk>/", account_detail, name="account_detail"),
    path("accounts/<int:pk>/coverage/", account_assign, name="account_assign"),
    path("pools/", pool_list, name="pool_list"),
    path("pools/<int:pk>/", pool_detail, name="pool_detail"),
    path("import/", import_upload, name="import_upload"),
    path("import/template/<str:kind>.csv", import_template, name="import_template"),
]
