"""API: the role map (`/api/v1/role-map/`) and the maturity self-assessments
(`/api/v1/maturity-assessments/`), issue 14.

Admins and managers read; admins write (403 for managers' writes); members,
interviewers and recruiters get 403. Writes go through
`recognition.services.organisation`; bad input answers 400 on the field, nothing
written.

- Role map: the standard functions are listed from the first call on (made on
  first use); admins add their own functions, change any, and delete their own
  (a standard one answers 400). Filters: `status`, `importance`, `needs_person`.
- Maturity: one assessment per fiscal quarter (`FY2026-Q1`), written for the
  running quarter only and changed only while it runs. `answers` maps question
  keys (see the `questions` of any assessment) to yes, partly or no; unknown keys
  are refused; questions left out take the evidence's suggestion (or no). PATCH
  merges the answers given into the assessment's. Filters: `level`, `quarter`.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from config.api import ServiceViewSetMixin
from journeys.serializers import PersonField, ReadableFieldsOnce, ScopedRelatedField

from .. import organisation, permissions
from ..models import (
    MaturityAssessment,
    RoleFunction,
    RoleImportance,
    RoleStatus,
)
from ..selectors import organisation as selectors
from ..services import organisation as services


class ReadsOrganisationPlans(BasePermission):
    """Admins and managers read; admins write; the other roles get 403."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return permissions.sees_organisation_plans(request.user)
        return permissions.plans_organisation(request.user)


def _active_users(viewer):
    return User.objects.filter(is_active=True)


# --- Role map ----------------------------------------------------------------------


class RoleFunctionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RoleStatus.choices, label=_("Status"))
    importance = django_filters.ChoiceFilter(
        choices=RoleImportance.choices, label=_("Importance")
    )
    needs_person = django_filters.BooleanFilter(
        method="filter_needs_person",
        label=_("Important now and not dedicated: needs a dedicated person next."),
    )

    class Meta:
        model = RoleFunction
        fields = ["status", "importance", "needs_person"]

    def filter_needs_person(self, queryset, name, value):
        if value:
            return queryset.filter(importance=RoleImportance.NOW).exclude(
                status=RoleStatus.DEDICATED
            )
        return queryset.exclude(
            importance=RoleImportance.NOW,
            status__in=[RoleStatus.SHARED, RoleStatus.NOT_STARTED],
        )


QUADRANT_CHOICES = [(q.key, q.title) for q in organisation.QUADRANTS]


class RoleFunctionSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    key = serializers.CharField(
        read_only=True,
        help_text=_("The standard function's key; empty for an own function."),
    )
    name = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text=_(
            "An own function's name (required for it); for a standard function, "
            "a name of your own, or empty for the standard name."
        ),
    )
    display_name = serializers.CharField(
        read_only=True, help_text=_("The name shown, in the language asked.")
    )
    is_standard = serializers.BooleanField(read_only=True)
    position = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, help_text=_("Order on the map.")
    )
    status = serializers.ChoiceField(choices=RoleStatus.choices, required=False)
    shared_with = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text=_("Which role shares it: required when the status is shared."),
    )
    importance = serializers.ChoiceField(choices=RoleImportance.choices, required=False)
    quadrant = serializers.SerializerMethodField()
    needs_dedicated_person = serializers.BooleanField(read_only=True)
    owner = ScopedRelatedField(
        scope=_active_users,
        allow_null=True,
        required=False,
        help_text=_("An active user (id), or null."),
    )
    owner_name = PersonField(source="owner", allow_null=True)
    note = serializers.CharField(allow_blank=True, required=False)

    class Meta:
        model = RoleFunction
        fields = [
            "id",
            "key",
            "name",
            "display_name",
            "is_standard",
            "position",
            "status",
            "shared_with",
            "importance",
            "quadrant",
            "needs_dedicated_person",
            "owner",
            "owner_name",
            "note",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=QUADRANT_CHOICES))
    def get_quadrant(self, function) -> str:
        return organisation.quadrant_of(
            importance=function.importance, status=function.status
        )


class RoleFunctionViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's CS functions: who does each (dedicated, shared with
    another role, not started) and whether it matters now or later."""

    serializer_class = RoleFunctionSerializer
    permission_classes = [IsAuthenticated, ReadsOrganisationPlans]
    filterset_class = RoleFunctionFilter
    ordering_fields = ["position", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = RoleFunction.objects.none()

    def get_queryset(self):
        return selectors.role_functions()

    def list(self, request, *args, **kwargs):
        services.role_functions_ensure()
        return super().list(request, *args, **kwargs)

    def _save(self, function: RoleFunction, data: dict) -> RoleFunction:
        def given(name):
            return data.get(name, getattr(function, name))

        return services.role_function_save(
            function=function,
            by=self.request.user,
            name=given("name"),
            status=given("status"),
            importance=given("importance"),
            shared_with=given("shared_with"),
            owner=data.get("owner", function.owner if function.owner_id else None),
            note=given("note"),
            position=data.get("position"),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        function = self._save(RoleFunction(), serializer.validated_data)
        return Response(
            self.get_serializer(self.read(function.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        function = self.get_object()
        serializer = self.get_serializer(function, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self._save(function, serializer.validated_data)
        return Response(self.get_serializer(self.read(function.pk)).data)

    def perform_destroy(self, instance):
        services.role_function_delete(function=instance, by=self.request.user)


# --- Maturity ----------------------------------------------------------------------

QUARTER_HELP = _("A fiscal quarter, such as FY2026-Q1.")


class QuarterFilter(django_filters.CharFilter):
    """A fiscal quarter as the periods are keyed; anything else answers 400."""

    field_class = forms.RegexField


class MaturityFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(
        choices=[(n, str(n)) for n in range(1, organisation.LAST_LEVEL + 1)],
        coerce=int,
        label=_("Level reached (1–5)"),
    )
    quarter = QuarterFilter(
        regex=r"^FY\d{4}-Q[1-4]$",
        label=QUARTER_HELP,
        error_messages={"invalid": _("Enter a fiscal quarter such as FY2026-Q1.")},
    )

    class Meta:
        model = MaturityAssessment
        fields = ["level", "quarter"]


class EvidenceSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=organisation.ANSWERS, help_text=_("The answer the evidence suggests.")
    )
    numbers = serializers.DictField(help_text=_("The figures the suggestion rests on."))
    text = serializers.CharField(help_text=_("The evidence in words."))


class MaturityQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    level = serializers.IntegerField()
    text = serializers.CharField()
    answer = serializers.ChoiceField(choices=organisation.ANSWERS)
    evidence = EvidenceSerializer(
        allow_null=True, help_text=_("Null where only the admin can tell.")
    )


class NextStepSerializer(serializers.Serializer):
    question = serializers.CharField(help_text=_("The question's key."))
    text = serializers.CharField(help_text=_("What to do."))


class MaturityAssessmentSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    quarter_label = serializers.SerializerMethodField()
    level_name = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()
    editable = serializers.SerializerMethodField()
    assessed_by_name = PersonField(source="assessed_by", allow_null=True)

    class Meta:
        model = MaturityAssessment
        fields = [
            "id",
            "quarter",
            "quarter_label",
            "level",
            "level_name",
            "questions",
            "next_steps",
            "note",
            "editable",
            "assessed_by",
            "assessed_by_name",
            "assessed_at",
        ]
        read_only_fields = fields

    def get_quarter_label(self, assessment) -> str:
        return organisation.quarter_label(assessment.quarter)

    def get_level_name(self, assessment) -> str:
        return str(organisation.level_of(assessment.level).name)

    @extend_schema_field(MaturityQuestionSerializer(many=True))
    def get_questions(self, assessment):
        rows = []
        for question in organisation.QUESTIONS:
            seen = assessment.evidence.get(question.key)
            rows.append(
                {
                    "key": question.key,
                    "level": question.level,
                    "text": str(question.text),
                    "answer": assessment.answers.get(question.key, organisation.NO),
                    "evidence": {
                        "answer": seen.get("answer", organisation.NO),
                        "numbers": seen.get("numbers", {}),
                        "text": organisation.evidence_text(question.key, seen),
                    }
                    if seen
                    else None,
                }
            )
        return rows

    @extend_schema_field(NextStepSerializer(many=True))
    def get_next_steps(self, assessment):
        return [
            {"question": question.key, "text": str(question.next_step)}
            for question in organisation.next_steps(assessment.answers)
        ]

    def get_editable(self, assessment) -> bool:
        """Its quarter runs: an admin may still change it."""
        return assessment.quarter == self.context["running"]


class AnswersField(serializers.DictField):
    child = serializers.ChoiceField(choices=organisation.ANSWERS)

    def to_internal_value(self, data):
        answers = super().to_internal_value(data)
        if unknown := organisation.unknown_keys(answers):
            raise serializers.ValidationError(
                _("Unknown questions: %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        return answers


class MaturityWriteSerializer(serializers.Serializer):
    quarter = serializers.RegexField(
        r"^FY\d{4}-Q[1-4]$",
        required=False,
        help_text=_("The running fiscal quarter (the default), such as FY2026-Q1."),
        error_messages={"invalid": _("Enter a fiscal quarter such as FY2026-Q1.")},
    )
    answers = AnswersField(
        help_text=_(
            "Question key → yes, partly or no. Questions left out take the "
            "evidence's suggestion (no where Kata has none)."
        )
    )
    note = serializers.CharField(allow_blank=True, required=False)


class MaturityUpdateSerializer(serializers.Serializer):
    answers = AnswersField(
        required=False,
        help_text=_("Question key → yes, partly or no, merged into the answers."),
    )
    note = serializers.CharField(allow_blank=True, required=False)


class MaturityAssessmentViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The maturity self-assessments, one per fiscal quarter, newest first: the
    answers, the evidence Kata saw when they were saved, the level reached and the
    next steps to the level above."""

    serializer_class = MaturityAssessmentSerializer
    permission_classes = [IsAuthenticated, ReadsOrganisationPlans]
    filterset_class = MaturityFilter
    ordering_fields = ["quarter", "level"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = MaturityAssessment.objects.none()

    def get_queryset(self):
        return selectors.maturity_assessments()

    def get_serializer_class(self):
        if self.action == "create":
            return MaturityWriteSerializer
        if self.action == "partial_update":
            return MaturityUpdateSerializer
        return MaturityAssessmentSerializer

    def get_serializer_context(self):
        running = organisation.quarter_key(timezone.localdate())
        return super().get_serializer_context() | {"running": running}

    def _respond(self, pk, status_code=status.HTTP_200_OK):
        assessment = self.read(pk)
        data = MaturityAssessmentSerializer(
            assessment, context=self.get_serializer_context()
        ).data
        return Response(data, status=status_code)

    @extend_schema(
        request=MaturityWriteSerializer,
        responses={201: MaturityAssessmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=request.user,
            quarter=data.get("quarter"),
            answers=data["answers"],
            note=data.get("note", ""),
        )
        return self._respond(assessment.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=MaturityUpdateSerializer, responses=MaturityAssessmentSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.maturity_assessment_save(
            assessment=assessment,
            by=request.user,
            answers={**assessment.answers, **data.get("answers", {})},
            note=data.get("note"),
        )
        return self._respond(assessment.pk)


def register(router) -> None:
    router.register("role-map", RoleFunctionViewSet, basename="role-function")
    router.register(
        "maturity-assessments",
        MaturityAssessmentViewSet,
        basename="maturity-assessment",
    )
