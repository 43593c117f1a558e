"""Shapes of the journeys API. Input is checked for form here; the rules (a step of
the account's journey, a time not in the future, who may own an account) live in
`journeys.services`, whose errors come back per field."""

import re
from datetime import date
from functools import cached_property

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User, display_name
from config.api import ID_MESSAGE, MAX_ID, IdRelatedField, parse_id
from config.fields import ApiDateTimeField
from config.rows import Nested, RowsWriter

from . import permissions, selectors
from .filters import MONTH_PATTERN, MONTH_SCHEMA
from .models import (
    ARRMovement,
    ARRSnapshot,
    CoverageModel,
    CustomerAccount,
    HealthBand,
    Journey,
    Playbook,
    PlaybookActionTick,
    PlaybookVersion,
    Pool,
    PoolMembership,
    QuizChoice,
    QuizQuestion,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)


def _viewer(serializer):
    return serializer.context["request"].user


@extend_schema_field(OpenApiTypes.INT64)
class ScopedRelatedField(IdRelatedField):
    """A related object among those the viewer may name (`scope(viewer)`); any
    other id is unknown, whether it exists or not."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "does_not_exist", _("There is no such object (id {pk_value}).")
        )
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class JourneysModelSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField


class PersonField(serializers.CharField):
    """A user's display name, read-only."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user):
        return user.display_name


# --- Journeys and steps -------------------------------------------------------------


class StepSerializer(JourneysModelSerializer):
    """A step; its journey and place change through insert, move and retire."""

    class Meta:
        model = Step
        fields = [
            "id",
            "journey",
            "position",
            "name",
            "description",
            "definition_of_done",
            "is_value_point",
            "target_days",
            "conversion_window_days",
            "retired_at",
        ]
        read_only_fields = ["journey", "position", "retired_at"]


class StepInsertSerializer(StepSerializer):
    journey = ScopedRelatedField(
        scope=permissions.visible_journeys, help_text=_("The journey (id).")
    )
    position = serializers.IntegerField(
        min_value=1,
        max_value=10_000,
        help_text=_("Where the step goes (1..n+1); later steps move one place."),
    )

    class Meta(StepSerializer.Meta):
        read_only_fields = ["retired_at"]
        # The later steps move to make room: `services.step_insert` checks it.
        validators = []


class StepMoveSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text=_("The step's new place (1..n).")
    )


class JourneySerializer(JourneysModelSerializer):
    steps = StepSerializer(
        many=True,
        read_only=True,
        help_text=_("Current steps in order, then the retired ones."),
    )

    class Meta:
        model = Journey
        fields = [
            "id",
            "name",
            "description",
            "segments",
            "coverage_models",
            "conversion_window_days",
            "is_active",
            "created_at",
            "steps",
        ]


# --- Playbooks ----------------------------------------------------------------------


class PlaybookVersionSerializer(serializers.ModelSerializer):
    created_by_name = PersonField(source="created_by")

    class Meta:
        model = PlaybookVersion
        fields = [
            "number",
            "goal",
            "actions",
            "content",
            "note",
            "created_by",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = fields


class PlaybookSerializer(JourneysModelSerializer):
    journey = serializers.IntegerField(source="from_step.journey_id", read_only=True)
    owner_name = PersonField(source="owner")
    current = serializers.SerializerMethodField(
        help_text=_("The version in use: the latest.")
    )
    versions = PlaybookVersionSerializer(
        many=True, read_only=True, help_text=_("Every version, newest first.")
    )

    class Meta:
        model = Playbook
        fields = [
            "id",
            "from_step",
            "journey",
            "owner",
            "owner_name",
            "last_reviewed_on",
            "current",
            "versions",
        ]
        read_only_fields = fields

    def get_current(self, playbook) -> PlaybookVersionSerializer(allow_null=True):
        versions = list(playbook.versions.all())
        return PlaybookVersionSerializer(versions[0]).data if versions else None


class PlaybookCreateSerializer(serializers.Serializer):
    from_step = ScopedRelatedField(
        scope=lambda viewer: Step.objects.filter(
            journey__in=permissions.visible_journeys(viewer)
        ),
        help_text=_("The step the transition leads from (id)."),
    )
    owner = ScopedRelatedField(
        scope=lambda viewer: User.objects.filter(is_active=True),
        help_text=_("Who keeps the playbook up to date (id)."),
    )
    goal = serializers.CharField(max_length=5000)
    actions = serializers.CharField(
        max_length=20000, help_text=_("A checklist: one action per line.")
    )
    content = serializers.CharField(max_length=100_000, required=False, default="")


class PlaybookReviseSerializer(serializers.Serializer):
    goal = serializers.CharField(max_length=5000)
    actions = serializers.CharField(max_length=20000)
    content = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=300, help_text=_("What changed in this version.")
    )


# --- Training -----------------------------------------------------------------------


class QuizChoiceSerializer(serializers.ModelSerializer):
    """A choice; which one is correct is not shown."""

    class Meta:
        model = QuizChoice
        fields = ["id", "text"]


class QuizQuestionSerializer(serializers.ModelSerializer):
    choices = QuizChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = QuizQuestion
        fields = ["id", "position", "text", "choices"]


class TrainingModuleSerializer(serializers.ModelSerializer):
    journey = serializers.IntegerField(source="from_step.journey_id", read_only=True)
    quiz = QuizQuestionSerializer(source="quiz_questions", many=True, read_only=True)

    class Meta:
        model = TrainingModule
        fields = [
            "id",
            "from_step",
            "journey",
            "title",
            "material",
            "pass_mark",
            "is_required",
            "is_active",
            "quiz",
        ]
        read_only_fields = fields


class TrainingAssignmentSerializer(JourneysModelSerializer):
    module = ScopedRelatedField(scope=permissions.visible_training_modules)
    member = ScopedRelatedField(
        scope=permissions.assignable_members,
        required=False,
        allow_null=True,
        help_text=_("One member (id); or give a team."),
    )
    team = ScopedRelatedField(
        scope=permissions.assignable_teams,
        required=False,
        allow_null=True,
        help_text=_("Everyone in the team (id), joiners included; or give a member."),
    )
    module_title = serializers.CharField(source="module.title", read_only=True)
    member_name = PersonField(source="member", allow_null=True)
    team_name = serializers.CharField(
        source="team.name", read_only=True, allow_null=True
    )

    class Meta:
        model = TrainingAssignment
        fields = [
            "id",
            "module",
            "module_title",
            "member",
            "member_name",
            "team",
            "team_name",
            "due_date",
            "assigned_by",
            "assigned_at",
        ]
        read_only_fields = ["assigned_by", "assigned_at"]


class TrainingCompletionSerializer(JourneysModelSerializer):
    member_name = PersonField(source="member")

    class Meta:
        model = TrainingCompletion
        fields = [
            "id",
            "module",
            "member",
            "member_name",
            "completed_at",
            "score",
            "passed",
        ]
        read_only_fields = fields


class TrainingAttemptSerializer(serializers.Serializer):
    """Take a module: the answers to its quiz, question id → chosen choice id."""

    module = ScopedRelatedField(scope=permissions.visible_training_modules)
    answers = serializers.DictField(
        child=IdField(),
        required=False,
        default=dict,
        help_text=_("Question id → the id of the chosen choice; leave out a quiz."),
    )

    def validate_answers(self, answers):
        parsed = {}
        for key, choice in answers.items():
            question = parse_id(key)
            if question is None:
                raise serializers.ValidationError(ID_MESSAGE)
            parsed[question] = choice
        return parsed


# --- Pools and customer accounts ---------------------------------------------------


class PoolMemberSerializer(serializers.ModelSerializer):
    name = PersonField(source="user")

    class Meta:
        model = PoolMembership
        fields = ["user", "name", "start_date", "end_date"]


class PoolSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    members = PoolMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Pool
        fields = ["id", "name", "kind", "team", "team_name", "members"]
        read_only_fields = fields


class ReadableFieldsOnce:
    """A serializer of many rows that lists its readable fields once, not once per
    row (as DRF's `_readable_fields` generator does)."""

    @cached_property
    def _readable_fields(self):
        return [field for field in self.fields.values() if not field.write_only]


class AccountCoverageSerializer(ReadableFieldsOnce, serializers.Serializer):
    model = serializers.ChoiceField(choices=CoverageModel.choices)
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = PersonField(source="owner", allow_null=True)
    pool = serializers.IntegerField(source="pool_id", allow_null=True)
    pool_name = serializers.CharField(source="pool.name", allow_null=True)
    started_at = serializers.DateTimeField()


class AccountCurrentStepSerializer(ReadableFieldsOnce, serializers.Serializer):
    id = serializers.IntegerField(source="current_step_id")
    position = serializers.IntegerField(source="current_step_position")
    name = serializers.CharField(source="current_step_name")
    since = serializers.DateTimeField(
        source="current_step_since", help_text=_("Its first reach.")
    )


class CustomerSerializer(ReadableFieldsOnce, JourneysModelSerializer):
    """An account with its current coverage and where it stands on its journey."""

    journey = ScopedRelatedField(scope=permissions.visible_journeys)
    owner = ScopedRelatedField(
        scope=permissions.coverage_owner_choices,
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("The dedicated owner (id); or give a pool."),
    )
    pool = ScopedRelatedField(
        scope=permissions.visible_pools,
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("The pool (id) that covers the account; or give an owner."),
    )
    confirm_not_ready = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Assign the owner even though they are not ready for accounts."),
    )
    coverage = serializers.SerializerMethodField()
    current_step = serializers.SerializerMethodField()
    days_at_current_step = serializers.SerializerMethodField()
    value_point_overdue = serializers.BooleanField(read_only=True)
    health_band = serializers.ChoiceField(
        choices=HealthBand.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The latest recorded health; empty without a score."),
    )

    class Meta:
        model = CustomerAccount
        fields = [
            "id",
            "name",
            "external_id",
            "segment",
            "arr",
            "journey",
            "is_active",
            "owner",
            "pool",
            "confirm_not_ready",
            "coverage",
            "current_step",
            "days_at_current_step",
            "value_point_overdue",
            "health_score",
            "health_band",
            "created_at",
        ]
        read_only_fields = ["is_active", "created_at", "health_score", "health_band"]

    # One nested serializer each for the whole list: building one per row
    # deep-copies its fields every time (most of a page's time).
    @cached_property
    def _coverage_serializer(self):
        return AccountCoverageSerializer()

    @cached_property
    def _current_step_serializer(self):
        return AccountCurrentStepSerializer()

    def get_coverage(self, account) -> AccountCoverageSerializer(allow_null=True):
        periods = getattr(account, "open_coverage", [])
        if not periods:
            return None
        return self._coverage_serializer.to_representation(periods[0])

    def get_current_step(self, account) -> AccountCurrentStepSerializer(
        allow_null=True
    ):
        if getattr(account, "current_step_id", None) is None:
            return None
        return self._current_step_serializer.to_representation(account)

    def get_days_at_current_step(self, account) -> int | None:
        age = getattr(account, "current_step_age", None)
        return age.days if age is not None else None


def _owner_name(row, context) -> str | None:
    if row["open_period__owner_id"] is None:
        return None
    return display_name(
        row["open_period__owner__family_name"],
        row["open_period__owner__given_name"],
        row["open_period__owner__username"],
    )


def _days_at_current_step(row, context) -> int | None:
    since = row["current_step_since"]
    return None if since is None else selectors.days_since(since, zone=context["zone"])


# The customer list reads rows, not accounts (config.rows; selectors.account_rows).
CUSTOMER_ROWS = RowsWriter(
    CustomerSerializer,
    {
        "id": "id",
        "name": "name",
        "external_id": "external_id",
        "segment": "segment",
        "arr": "arr",
        "journey": "journey_id",
        "is_active": "is_active",
        "health_score": "health_score",
        "health_band": "health_band",
        "coverage": Nested(
            RowsWriter(
                AccountCoverageSerializer,
                {
                    "model": "open_period__model",
                    "owner": "open_period__owner_id",
                    "owner_name": _owner_name,
                    "pool": "open_period__pool_id",
                    "pool_name": "open_period__pool__name",
                    "started_at": "open_period__started_at",
                },
            ),
            when="open_period__id",
        ),
        "current_step": Nested(
            RowsWriter(
                AccountCurrentStepSerializer,
                {
                    "id": "current_step_id",
                    "position": "current_step_position",
                    "name": "current_step_name",
                    "since": "current_step_since",
                },
            ),
            when="current_step_id",
        ),
        "days_at_current_step": _days_at_current_step,
        "value_point_overdue": "value_point_overdue",
        "created_at": "created_at",
    },
)


# --- Step events --------------------------------------------------------------------


class StepEventSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(
        source="account.external_id", read_only=True
    )
    step_name = serializers.CharField(source="step.name", read_only=True)
    step_position = serializers.IntegerField(
        source="step.position", read_only=True, allow_null=True
    )
    journey = serializers.IntegerField(source="step.journey_id", read_only=True)
    recorded_by_name = PersonField(source="recorded_by", allow_null=True)

    class Meta:
        model = StepEvent
        fields = [
            "id",
            "account",
            "account_external_id",
            "step",
            "step_name",
            "step_position",
            "journey",
            "reached_at",
            "source",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "voided_at",
            "voided_by",
            "void_reason",
        ]
        read_only_fields = fields


def _recorder_name(row, context) -> str | None:
    if row["recorded_by_id"] is None:
        return None
    return display_name(
        row["recorded_by__family_name"],
        row["recorded_by__given_name"],
        row["recorded_by__username"],
    )


# The step-event list reads rows, not events (config.rows): each field's column.
STEP_EVENT_SOURCES = {
    "id": "id",
    "account": "account_id",
    "account_external_id": "account__external_id",
    "step": "step_id",
    "step_name": "step__name",
    "step_position": "step__position",
    "journey": "step__journey_id",
    "reached_at": "reached_at",
    "source": "source",
    "note": "note",
    "recorded_by": "recorded_by_id",
    "recorded_by_name": _recorder_name,
    "recorded_at": "recorded_at",
    "voided_at": "voided_at",
    "voided_by": "voided_by_id",
    "void_reason": "void_reason",
}
STEP_EVENT_COLUMNS = (
    *(column for column in STEP_EVENT_SOURCES.values() if isinstance(column, str)),
    "recorded_by__family_name",
    "recorded_by__given_name",
    "recorded_by__username",
)
STEP_EVENT_ROWS = RowsWriter(StepEventSerializer, STEP_EVENT_SOURCES)


def _account_named(serializer, data, errors: dict):
    """The visible account a body names by `account` (id) or `external_id`, the
    problem put in `errors` by field. Both given must name the same account: an
    integration whose mapping went wrong is told, not written to either."""
    accounts = permissions.visible_accounts(_viewer(serializer))
    if "account" in data:
        account = accounts.filter(pk=data["account"]).first()
    elif data.get("external_id"):
        account = accounts.filter(external_id=data["external_id"]).first()
    else:
        errors["account"] = _("Give the account's id or its external_id.")
        return None
    if account is None:
        errors["account"] = _("There is no such customer account.")
    elif data.get("external_id") and data["external_id"] != account.external_id:
        errors["external_id"] = _(
            "The account and the external_id name different accounts: give one of them."
        )
        return None
    return account


class StepEventRecordSerializer(serializers.Serializer):
    """Record that an account reached a step. The account by `account` (id) or
    `external_id`; the step by `step` (id) or by `journey` and `position`."""

    account = IdField(required=False, help_text=_("The account's id."))
    external_id = serializers.CharField(
        required=False, max_length=100, help_text=_("Or the account's CRM id.")
    )
    step = IdField(required=False, help_text=_("The step's id."))
    journey = IdField(required=False, help_text=_("Or the journey (id)…"))
    position = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("…and the step's position in it."),
    )
    reached_at = ApiDateTimeField(
        help_text=_("When the customer reached the step (ISO 8601, with an offset).")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )

    def validate(self, data):
        errors = {}
        account = _account_named(self, data, errors)
        step = self._step(data, account, errors)
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "account": account,
            "step": step,
            "reached_at": data["reached_at"],
            "note": data.get("note", ""),
        }

    def _step(self, data, account, errors):
        if "step" in data:
            step = Step.objects.filter(pk=data["step"]).first()
        elif "position" in data:
            journey_id = data.get("journey") or (account and account.journey_id)
            if journey_id is None:
                errors.setdefault(
                    "journey", _("Give the journey with the step's position.")
                )
                return None
            step = Step.objects.filter(
                journey_id=journey_id, position=data["position"]
            ).first()
        else:
            errors["step"] = _("Give the step's id, or the journey and position.")
            return None
        if step is None:
            errors["step"] = _("There is no such step.")
        elif "step" in data and (
            ("journey" in data and data["journey"] != step.journey_id)
            or ("position" in data and data["position"] != step.position)
        ):
            # Both ways given must name the same step.
            errors["position" if "position" in data else "journey"] = _(
                "The step and the journey and position name different steps: "
                "give one of them."
            )
            return None
        return step


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the event is wrong.")
    )


# --- Imports ------------------------------------------------------------------------


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A CSV file in UTF-8 (with or without BOM) or Shift_JIS.")
    )


class AccountImportUploadSerializer(ImportUploadSerializer):
    confirm_not_ready = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Assign owners even though they are not ready for accounts."),
    )


class RowProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    summary = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    problems = RowProblemSerializer(many=True)
    notes = RowProblemSerializer(many=True)

    def to_representation(self, report):
        return super().to_representation(
            {
                "summary": report.summary(),
                "created": report.created,
                "updated": report.updated,
                "skipped": report.skipped,
                "problems": report.problems,
                "notes": report.notes,
            }
        )


# --- Playbook action ticks ----------------------------------------------------------


def _playbook_versions(viewer):
    from .selectors import visible_playbooks

    return PlaybookVersion.objects.filter(
        playbook__in=visible_playbooks(viewer).values("pk")
    )


class PlaybookActionTickSerializer(JourneysModelSerializer):
    """One tick (is_done true) or untick of a playbook version's action on an
    account; the latest of an action is its state."""

    playbook = serializers.IntegerField(source="version.playbook_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    ticked_by_name = PersonField(source="ticked_by")

    class Meta:
        model = PlaybookActionTick
        fields = [
            "id",
            "account",
            "playbook",
            "version",
            "version_number",
            "action_number",
            "action_text",
            "is_done",
            "ticked_by",
            "ticked_by_name",
            "ticked_at",
        ]
        read_only_fields = fields


class PlaybookActionTickCreateSerializer(serializers.Serializer):
    """Tick (done true) or untick an action of a playbook version on an account."""

    account = ScopedRelatedField(
        scope=permissions.playbook_accounts, help_text=_("The account (id).")
    )
    version = ScopedRelatedField(
        scope=_playbook_versions, help_text=_("The playbook version (id).")
    )
    action_number = serializers.IntegerField(
        min_value=1,
        max_value=10_000,
        help_text=_("The action's line in the version, from 1."),
    )
    done = serializers.BooleanField(help_text=_("True to tick, false to untick."))


# --- ARR snapshots ------------------------------------------------------------------


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month as YYYY-MM; its first day in the database."""

    default_error_messages = {
        "invalid": _("Use a month: YYYY-MM, for example 2026-04.")
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONTH_PATTERN, data):
            self.fail("invalid")
        try:
            return date(int(data[:4]), int(data[5:7]), 1)
        except ValueError:  # the year 0000
            self.fail("invalid")

    def to_representation(self, value):
        return f"{value:%Y-%m}"


def _arr_field(**kwargs):
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=0,
        min_value=0,
        error_messages={"min_value": _("ARR is never negative.")},
        help_text=_("Whole yen, never negative."),
        **kwargs,
    )


def _stated_movement_field(**kwargs):
    return serializers.ChoiceField(
        choices=ARRMovement.choices,
        allow_blank=True,
        help_text=_(
            "The movement's type, when you know it; empty: inferred from the "
            "change. It must fit the change (an increase is an expansion, upsell "
            "or cross-sell)."
        ),
        **kwargs,
    )


class ARRSnapshotSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    """An account's ARR of one month and the movement into it from the account's
    previous snapshot (a month without one carries the ARR forward)."""

    account_external_id = serializers.CharField(
        source="account.external_id", read_only=True
    )
    month = MonthField(read_only=True)
    change = serializers.DecimalField(
        max_digits=15,
        decimal_places=0,
        read_only=True,
        help_text=_("ARR gained (positive) or lost (negative) into the month."),
    )
    recorded_by_name = PersonField(source="recorded_by", allow_null=True)
    # Declared (not generated) so that the schema lists "" with the types: a month
    # whose ARR did not change has no movement, and one nobody typed no stated type.
    movement = serializers.ChoiceField(
        choices=ARRMovement.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The movement into the month; empty: the ARR did not change."),
    )
    stated_movement = serializers.ChoiceField(
        choices=ARRMovement.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The type a person gave; empty: the movement is inferred."),
    )

    class Meta:
        model = ARRSnapshot
        fields = [
            "id",
            "account",
            "account_external_id",
            "month",
            "arr",
            "previous_arr",
            "change",
            "movement",
            "stated_movement",
            "source",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = fields


class ARRSnapshotRecordSerializer(serializers.Serializer):
    """Record an account's ARR of a month. The account by `account` (id) or
    `external_id`."""

    account = IdField(required=False, help_text=_("The account's id."))
    external_id = serializers.CharField(
        required=False, max_length=100, help_text=_("Or the account's CRM id.")
    )
    month = MonthField(help_text=_("YYYY-MM; not in the future."))
    arr = _arr_field()
    movement = _stated_movement_field(required=False, default="")

    def validate(self, data):
        errors = {}
        account = _account_named(self, data, errors)
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "account": account,
            "month": data["month"],
            "arr": data["arr"],
            "movement": data.get("movement", ""),
        }


class ARRSnapshotCorrectSerializer(serializers.Serializer):
    """Correct a recorded month: its ARR, its movement type, or both."""

    arr = _arr_field(required=False)
    movement = _stated_movement_field(required=False)
