"""The journeys REST API: thin views over `journeys.services` (every write),
`journeys.imports`, and `journeys.selectors` / `journeys.permissions` (every read).

Everyone signed in reads the journeys; customer accounts and their step events follow
the account's current coverage (members their own and their pools' accounts, leaders
their teams', admins all). Objects outside the viewer's querysets answer 404; an
action the viewer's role does not allow answers 403; a service's refusal answers 400
on the field that caused it (`config.exceptions`).
"""

from functools import cached_property

from django.db.models import F, Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from config.api import DjangoFilterBackend, ServiceViewSetMixin, parse_id
from config.pagination import StepEventCursorPagination
from config.schema import VALIDATION_ERROR_REF

from . import imports, permissions, revenue, selectors, services
from .filters import (
    ARRSnapshotFilter,
    CustomerFilter,
    JourneyFilter,
    PlaybookFilter,
    PoolFilter,
    StepEventFilter,
    StepFilter,
    TrainingAssignmentFilter,
    TrainingCompletionFilter,
    TrainingModuleFilter,
)
from .models import (
    ARRSnapshot,
    CustomerAccount,
    Journey,
    Playbook,
    PlaybookActionTick,
    PlaybookVersion,
    Pool,
    PoolMembership,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from .serializers import (
    CUSTOMER_ROWS,
    STEP_EVENT_COLUMNS,
    STEP_EVENT_ROWS,
    AccountImportUploadSerializer,
    ARRSnapshotCorrectSerializer,
    ARRSnapshotRecordSerializer,
    ARRSnapshotSerializer,
    CustomerSerializer,
    ImportReportSerializer,
    ImportUploadSerializer,
    JourneySerializer,
    PlaybookActionTickCreateSerializer,
    PlaybookActionTickSerializer,
    PlaybookCreateSerializer,
    PlaybookReviseSerializer,
    PlaybookSerializer,
    PoolSerializer,
    StepEventRecordSerializer,
    StepEventSerializer,
    StepInsertSerializer,
    StepMoveSerializer,
    StepSerializer,
    TrainingAssignmentSerializer,
    TrainingAttemptSerializer,
    TrainingCompletionSerializer,
    TrainingModuleSerializer,
    VoidSerializer,
)


class MayWrite(BasePermission):
    """Creating and changing need the view's write rule (a role rule) for the
    action."""

    def has_permission(self, request, view):
        rule = view.get_write_rule()
        return request.method in SAFE_METHODS or rule is None or rule(request.user)


class MayChange(BasePermission):
    """Changing a visible object needs the view's `change_rule` for that object."""

    def has_object_permission(self, request, view, obj):
        rule = view.change_rule
        return request.method in SAFE_METHODS or rule is None or rule(request.user, obj)


class JourneysViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, MayWrite, MayChange]
    write_rule = None
    # Per action, overriding `write_rule` (None: no role rule for that action).
    write_rules: dict = {}
    change_rule = None

    def get_write_rule(self):
        return self.write_rules.get(self.action, self.write_rule)

    def respond(self, instance, status_code=status.HTTP_200_OK, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(
            self.read(instance.pk), context=self.get_serializer_context()
        ).data
        return Response(data, status=status_code)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class CreateMixin:
    """POST: the input serializer is `create_serializer_class` (default: the view's),
    the answer the view's serializer."""

    create_serializer_class = None

    def create(self, request, *args, **kwargs):
        data = self.validated(self.create_serializer_class or self.serializer_class)
        instance = self.perform_create(data)
        return self.respond(instance, status.HTTP_201_CREATED, self.serializer_class)


class PartialUpdateMixin:
    """PATCH only: a client sends what it changes."""

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(instance, dict(serializer.validated_data))
        return self.respond(instance)


def _report_response(report: imports.ImportReport) -> Response:
    return Response(
        ImportReportSerializer(report).data,
        status=status.HTTP_400_BAD_REQUEST if report.rejected else status.HTTP_200_OK,
    )


_IMPORT_RESPONSES = {
    200: OpenApiResponse(
        ImportReportSerializer, description="Imported: what was created or skipped."
    ),
    400: OpenApiResponse(
        # The report registers as a component through the 200 answer.
        {
            "anyOf": [
                {"$ref": "#/components/schemas/ImportReport"},
                VALIDATION_ERROR_REF,
            ]
        },
        description=(
            "Nothing was imported: the report, with every problem's line, column "
            "and reason; or, when the upload itself is wrong (no file), messages "
            "by field."
        ),
    ),
}


# --- Journeys and steps -------------------------------------------------------------


class JourneyViewSet(CreateMixin, PartialUpdateMixin, JourneysViewSet):
    """Journeys with their steps (current ones in order, then the retired ones).
    Everyone signed in reads the active journeys; admins see and edit all."""

    serializer_class = JourneySerializer
    filterset_class = JourneyFilter
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    queryset = Journey.objects.none()
    write_rule = staticmethod(permissions.manages_journeys)

    def get_queryset(self):
        steps = Step.objects.order_by(F("position").asc(nulls_last=True), "id")
        return (
            permissions.visible_journeys(self.request.user)
            .prefetch_related(Prefetch("steps", queryset=steps))
            .order_by("name", "id")
        )

    def perform_create(self, data):
        return services.journey_save(Journey(), **data)

    def perform_update(self, journey, data):
        services.journey_save(journey, **data)


class StepViewSet(CreateMixin, PartialUpdateMixin, JourneysViewSet):
    """Steps of the visible journeys. Admins insert, edit, move and retire them;
    moving and retiring renumber the others and keep every event on its step."""

    serializer_class = StepSerializer
    create_serializer_class = StepInsertSerializer
    filterset_class = StepFilter
    ordering_fields = ["position", "id"]
    queryset = Step.objects.none()
    write_rule = staticmethod(permissions.manages_journeys)

    def get_queryset(self):
        return selectors.visible_steps(self.request.user).order_by(
            "journey__name", "journey_id", F("position").asc(nulls_last=True), "id"
        )

    @extend_schema(
        request=StepInsertSerializer,
        responses={201: StepSerializer},
        description="Insert a step at `position`; the later steps move one place.",
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return services.step_insert(**data)

    def perform_update(self, step, data):
        services.step_update(step=step, **data)

    @extend_schema(
        request=StepMoveSerializer,
        responses={200: StepSerializer},
        description="Move a current step; the steps in between shift by one.",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        step = self.get_object()
        data = self.validated(StepMoveSerializer)
        services.step_move(step=step, position=data["position"])
        return self.respond(step)

    @extend_schema(
        request=None,
        responses={200: StepSerializer},
        description=(
            "Take the step out of the journey; its events stay attached to it and "
            "the later steps move up one place."
        ),
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        step = self.get_object()
        services.step_retire(step=step, by=request.user)
        return self.respond(step)


# --- Playbooks ----------------------------------------------------------------------


class PlaybookViewSet(CreateMixin, JourneysViewSet):
    """The playbook of each transition: its current version and its history. Admins
    create playbooks; admins and the playbook's owner revise them (a new version)."""

    serializer_class = PlaybookSerializer
    create_serializer_class = PlaybookCreateSerializer
    filterset_class = PlaybookFilter
    ordering_fields = ["id", "last_reviewed_on"]
    queryset = Playbook.objects.none()
    write_rule = staticmethod(permissions.manages_journeys)
    write_rules = {"revise": None}
    change_rule = staticmethod(permissions.can_revise_playbook)

    def get_queryset(self):
        versions = PlaybookVersion.objects.select_related("created_by").order_by(
            "-number"
        )
        return (
            selectors.visible_playbooks(self.request.user)
            .prefetch_related(Prefetch("versions", queryset=versions))
            .order_by("from_step__journey__name", "from_step__position", "id")
        )

    @extend_schema(
        request=PlaybookCreateSerializer,
        responses={201: PlaybookSerializer},
        description="The playbook of a transition, with its first version.",
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return services.playbook_create(by=self.request.user, **data)

    @extend_schema(
        request=PlaybookReviseSerializer,
        responses={200: PlaybookSerializer},
        description="A new version; the earlier ones stay as the history.",
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        playbook = self.get_object()
        data = self.validated(PlaybookReviseSerializer)
        services.playbook_revise(playbook=playbook, by=request.user, **data)
        return self.respond(playbook)


# --- Training -----------------------------------------------------------------------


class TrainingModuleViewSet(JourneysViewSet):
    """Training modules with their quiz (the correct answers are not shown)."""

    serializer_class = TrainingModuleSerializer
    filterset_class = TrainingModuleFilter
    search_fields = ["title"]
    ordering_fields = ["title", "id"]
    queryset = TrainingModule.objects.none()

    def get_queryset(self):
        return (
            permissions.visible_training_modules(self.request.user)
            .select_related("from_step")
            .prefetch_related("quiz_questions__choices")
        )


class TrainingAssignmentViewSet(CreateMixin, JourneysViewSet):
    """Assignments that reach the viewer, and those of the people and teams they
    lead (admins: all). Admins and managers assign, managers to their own members
    and teams."""

    serializer_class = TrainingAssignmentSerializer
    filterset_class = TrainingAssignmentFilter
    ordering_fields = ["due_date", "id"]
    queryset = TrainingAssignment.objects.none()
    write_rule = staticmethod(permissions.assigns_training)

    def get_queryset(self):
        return (
            permissions.visible_training_assignments(self.request.user)
            .select_related("module", "member", "team")
            .order_by("due_date", "id")
        )

    def perform_create(self, data):
        return services.training_assign(by=self.request.user, **data)


class TrainingCompletionViewSet(CreateMixin, JourneysViewSet):
    """Attempts at modules: the viewer's own, and those of the people they see.
    POST takes a module (and its quiz) for oneself; a failed attempt is recorded
    and may be retried."""

    serializer_class = TrainingCompletionSerializer
    create_serializer_class = TrainingAttemptSerializer
    filterset_class = TrainingCompletionFilter
    ordering_fields = ["completed_at", "id"]
    queryset = TrainingCompletion.objects.none()
    write_rule = staticmethod(permissions.takes_training)

    def get_queryset(self):
        return (
            permissions.visible_training_completions(self.request.user)
            .select_related("member")
            .order_by("-completed_at", "-id")
        )

    @extend_schema(
        request=TrainingAttemptSerializer,
        responses={201: TrainingCompletionSerializer},
        description=(
            "Take the module for yourself: the score is the share of questions "
            "answered correctly; passed when it reaches the pass mark."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return services.training_complete(
            module=data["module"], member=self.request.user, answers=data["answers"]
        )


# --- Pools and customer accounts ---------------------------------------------------


class PoolViewSet(JourneysViewSet):
    """Pools the viewer belongs to or whose team they lead (admins: all), with their
    members."""

    serializer_class = PoolSerializer
    filterset_class = PoolFilter
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    queryset = Pool.objects.none()

    def get_queryset(self):
        memberships = PoolMembership.objects.select_related("user").order_by(
            "start_date", "id"
        )
        return (
            permissions.visible_pools(self.request.user)
            .select_related("team")
            .prefetch_related(Prefetch("memberships", queryset=memberships))
            .order_by("name", "id")
        )


class CustomerViewSet(CreateMixin, JourneysViewSet):
    """Customer accounts the viewer may see, with their current coverage and where
    they stand on their journey. Admins create and import accounts."""

    serializer_class = CustomerSerializer
    # One FilterSet for the page and the API: it searches (`search`) and orders
    # (`ordering`) too, so DRF's own search and ordering backends stay out.
    filterset_class = CustomerFilter
    filter_backends = [DjangoFilterBackend]
    queryset = CustomerAccount.objects.none()
    write_rule = staticmethod(permissions.manages_journeys)

    @cached_property
    def now(self):
        """The request's moment: the list and its page's rows are as of it."""
        return timezone.now()

    def get_queryset(self):
        # The serializer names the journey by id: no join for its row.
        return (
            selectors.account_list(viewer=self.request.user, now=self.now)
            .select_related(None)
            .order_by("name", "id")
        )

    def list(self, request, *args, **kwargs):
        # Rows, not accounts (config.rows): the same JSON at a fraction of the time.
        # A page's rows are read by the keys the list finds, as of one moment.
        accounts = self.filter_queryset(self.get_queryset())
        rows = selectors.account_pages(accounts, now=self.now, rows=True)
        page = list(self.paginate_queryset(rows))
        return self.get_paginated_response(CUSTOMER_ROWS.rows(page))

    def perform_create(self, data):
        return services.account_create(
            by=self.request.user, source=StepEvent.Source.API, **data
        )

    @extend_schema(
        request={"multipart/form-data": AccountImportUploadSerializer},
        responses=_IMPORT_RESPONSES,
        description=(
            "Import accounts from a CSV file (columns external_id, name, segment, "
            "arr, journey, coverage, owner, pool): all or nothing; importing the "
            "same file again creates nothing new."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_accounts(self, request):
        data = self.validated(AccountImportUploadSerializer)
        report = imports.import_accounts(
            file=data["file"],
            by=request.user,
            confirm_not_ready=data["confirm_not_ready"],
        )
        return _report_response(report)


# --- Step events --------------------------------------------------------------------


class StepEventViewSet(CreateMixin, JourneysViewSet):
    """Step events of the accounts the viewer sees, void ones included. A CRM
    integration records events here (source: API); a wrong one is voided with a
    reason, never edited or deleted.

    The list is paged by cursor, newest reach first: `next` and `previous` links,
    no total (an organisation has millions of events). `ordering` takes the orders
    the pagination offers (config.pagination.StepEventCursorPagination)."""

    serializer_class = StepEventSerializer
    create_serializer_class = StepEventRecordSerializer
    filterset_class = StepEventFilter
    # The pagination orders the list: no OrderingFilter.
    filter_backends = [DjangoFilterBackend]
    pagination_class = StepEventCursorPagination
    queryset = StepEvent.objects.none()
    write_rule = staticmethod(permissions.records_events)
    write_rules = {"import_events": staticmethod(permissions.manages_journeys)}
    change_rule = staticmethod(
        lambda user, event: permissions.can_record_event(user, event.account)
    )

    def get_queryset(self):
        return permissions.visible_step_events(self.request.user).select_related(
            "account", "step", "recorded_by"
        )

    def list(self, request, *args, **kwargs):
        # Rows, not events (config.rows): the same JSON at a fraction of the time.
        # The page's events are found first, without the joins their rows need
        # (a team's events are sorted before the page is cut).
        events = self.filter_queryset(self.get_queryset())
        page = self.paginator.paginate_queryset(
            events,
            request,
            view=self,
            rows_by_key=StepEvent.objects.values(*STEP_EVENT_COLUMNS),
        )
        return self.get_paginated_response(STEP_EVENT_ROWS.rows(page))

    @extend_schema(
        request=StepEventRecordSerializer,
        responses={201: StepEventSerializer},
        description=(
            "Record that an account reached a step. The account by `account` (id) "
            "or `external_id`; the step by `step` (id) or by `journey` and "
            "`position` (the journey defaults to the account's). An unknown "
            "account or step, a step of another journey or a time in the future "
            "answer 400 on that field."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return services.step_event_record(
            by=self.request.user, source=StepEvent.Source.API, **data
        )

    @extend_schema(
        request=VoidSerializer,
        responses={200: StepEventSerializer},
        description="Void a wrong event, with the reason; it never counts again.",
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        event = self.get_object()
        data = self.validated(VoidSerializer)
        services.step_event_void(event=event, by=request.user, reason=data["reason"])
        return self.respond(event)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses=_IMPORT_RESPONSES,
        description=(
            "Import step events from a CSV file (columns external_id, step, "
            "reached_at, note): all or nothing; events already recorded are "
            "skipped."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_events(self, request):
        data = self.validated(ImportUploadSerializer)
        report = imports.import_step_events(file=data["file"], by=request.user)
        return _report_response(report)


# --- Playbook action ticks ----------------------------------------------------------


class PlaybookActionTickViewSet(CreateMixin, JourneysViewSet):
    """Who ticked which playbook action for which account, and when: the ticks and
    unticks on the accounts the viewer sees (`?account=` and `?version=` narrow
    them). POST ticks or unticks one action on an account the viewer works on."""

    serializer_class = PlaybookActionTickSerializer
    create_serializer_class = PlaybookActionTickCreateSerializer
    ordering_fields = ["ticked_at", "id"]
    queryset = PlaybookActionTick.objects.none()
    write_rule = staticmethod(permissions.works_with_customers)

    def get_queryset(self):
        ticks = permissions.visible_playbook_ticks(self.request.user)
        for name in ("account", "version"):
            if name in self.request.query_params:
                ticks = ticks.filter(
                    **{f"{name}_id": parse_id(self.request.query_params[name])}
                )
        return ticks.select_related("version", "ticked_by").order_by(
            "-ticked_at", "-id"
        )

    @extend_schema(
        request=PlaybookActionTickCreateSerializer,
        responses={201: PlaybookActionTickSerializer},
        description=(
            "Tick (done true) or untick one action of a playbook version on an "
            "account. Asking for the state the action has already changes nothing "
            "and answers its latest tick; a version of another journey or an "
            "action number the version does not have answer 400 on that field."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return services.playbook_action_tick(
            account=data["account"],
            version=data["version"],
            action_number=data["action_number"],
            done=data["done"],
            by=self.request.user,
        )


# --- ARR snapshots ------------------------------------------------------------------


class ARRSnapshotViewSet(CreateMixin, JourneysViewSet):
    """Each account's ARR by month, with the movement into each month (new,
    expansion, upsell, cross-sell, downsell, churn, reactivation), for the accounts
    the viewer sees. Admins, managers and members record a month (POST) and correct
    one (PATCH: its ARR, its movement type or both; every earlier value stays in
    its history). The rules of the movements are in `journeys.revenue`."""

    serializer_class = ARRSnapshotSerializer
    create_serializer_class = ARRSnapshotRecordSerializer
    filterset_class = ARRSnapshotFilter
    ordering_fields = ["month", "id"]
    queryset = ARRSnapshot.objects.none()
    write_rule = staticmethod(permissions.records_arr)
    write_rules = {"import_arr": staticmethod(permissions.manages_journeys)}
    change_rule = staticmethod(
        lambda user, snapshot: permissions.can_record_arr(user, snapshot.account)
    )

    def get_queryset(self):
        return (
            permissions.visible_arr_snapshots(self.request.user)
            .select_related("account", "recorded_by")
            .order_by("-month", "id")
        )

    @extend_schema(
        request=ARRSnapshotRecordSerializer,
        responses={201: ARRSnapshotSerializer},
        description=(
            "Record an account's ARR of a month. The account by `account` (id) or "
            "`external_id`. A negative ARR, an account the viewer does not see, a "
            "month in the future or one recorded already (correct it with PATCH), "
            "or a movement type that does not fit the change answer 400 on that "
            "field, and nothing is written."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return revenue.arr_snapshot_record(
            by=self.request.user,
            source=ARRSnapshot.Source.API,
            corrects=False,
            **data,
        )

    @extend_schema(
        request=ARRSnapshotCorrectSerializer,
        responses={200: ARRSnapshotSerializer},
        description=(
            "Correct a recorded month: `arr`, and/or `movement` (empty: back to the "
            "type inferred from the change). The movements of the account's later "
            "months follow."
        ),
    )
    def partial_update(self, request, *args, **kwargs):
        snapshot = self.get_object()
        data = self.validated(ARRSnapshotCorrectSerializer)
        revenue.arr_snapshot_correct(
            snapshot=snapshot,
            by=request.user,
            source=ARRSnapshot.Source.API,
            arr=data.get("arr"),
            movement=data.get("movement"),
        )
        return self.respond(snapshot)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses=_IMPORT_RESPONSES,
        description=(
            "Import ARR by month from a CSV file (columns external_id, month, arr, "
            "movement): all or nothing; months already recorded with the same ARR "
            "are skipped, others corrected."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_arr(self, request):
        data = self.validated(ImportUploadSerializer)
        report = imports.import_arr_snapshots(file=data["file"], by=request.user)
        return _report_response(report)
