"""The hiring REST API: thin views over `hiring.services` (every write) and
`hiring.selectors` / `hiring.permissions` (every read).

Who may do what follows the UI: hiring is for the people who take part in it
(`permissions.uses_hiring`; anyone else gets 403 on every endpoint); objects come
from the viewer's `visible_*` querysets, so anything outside them answers 404; a
change the viewer's role does not allow answers 403.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from config.api import ServiceViewSetMixin

from . import permissions, selectors, services
from .filters import (
    CandidateFilter,
    CompetencyFilter,
    InterviewFilter,
    InterviewKitFilter,
    OpeningFilter,
    QuestionFilter,
    ScorecardFilter,
)
from .models import (
    Candidate,
    Competency,
    HiringPolicy,
    Interview,
    InterviewKit,
    Opening,
    Question,
    Scorecard,
    SuccessProfile,
)
from .serializers import (
    CandidateSerializer,
    CandidateSummarySerializer,
    CompetencySerializer,
    CorrectionSerializer,
    ErrorDetailSerializer,
    HiringPolicySerializer,
    InterviewKitDetailSerializer,
    InterviewKitSerializer,
    InterviewSerializer,
    OpeningSerializer,
    ProfileCopySerializer,
    QuestionSerializer,
    ScorecardDetailSerializer,
    ScorecardDraftSerializer,
    ScorecardSerializer,
    SuccessProfileSerializer,
)


class TakesPartInHiring(BasePermission):
    def has_permission(self, request, view):
        return permissions.uses_hiring(request.user)


class MayWrite(BasePermission):
    """Creating and changing need the view's `write_rule`, a role rule."""

    def has_permission(self, request, view):
        rule = view.write_rule
        return request.method in SAFE_METHODS or rule is None or rule(request.user)


class MayChange(BasePermission):
    """Changing a visible object needs the view's `change_rule` for that object."""

    def has_object_permission(self, request, view, obj):
        rule = view.change_rule
        return request.method in SAFE_METHODS or rule is None or rule(request.user, obj)


class HiringViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, TakesPartInHiring, MayWrite, MayChange]
    write_rule = None
    change_rule = None

    def respond(self, instance, status_code=status.HTTP_200_OK) -> Response:
        return Response(
            self.get_serializer(self.read(instance.pk)).data, status=status_code
        )


class CreateMixin:
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create(dict(serializer.validated_data))
        return self.respond(instance, status.HTTP_201_CREATED)


class PartialUpdateMixin:
    """PATCH only: a client sends what it changes."""

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(instance, dict(serializer.validated_data))
        return self.respond(instance)


# --- Competency framework ---------------------------------------------------------


class CompetencyViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """The organisation's competencies. Everyone in hiring reads them; admins edit."""

    serializer_class = CompetencySerializer
    filterset_class = CompetencyFilter
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "category", "id"]
    queryset = Competency.objects.none()
    write_rule = staticmethod(permissions.manages_framework)

    def get_queryset(self):
        return selectors.competency_list(include_retired=True)

    def perform_create(self, data):
        return services.record_save(Competency(), **data)

    def perform_update(self, competency, data):
        services.record_save(competency, **data)


class SuccessProfileViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """Success profiles: competency weights 1–5. Admins create, edit and copy them;
    the starting profiles are copied, not edited."""

    serializer_class = SuccessProfileSerializer
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "updated_at", "id"]
    queryset = SuccessProfile.objects.none()
    write_rule = staticmethod(permissions.manages_framework)

    def get_queryset(self):
        return selectors.profile_list()

    def perform_create(self, data):
        weights = SuccessProfileSerializer.weights_by_competency(data)
        return services.profile_create(weights=weights, **data)

    def perform_update(self, profile, data):
        weights = SuccessProfileSerializer.weights_by_competency(data)
        if weights is None:
            weights = {w.competency_id: w.weight for w in profile.weights.all()}
        services.profile_update(profile=profile, weights=weights, **data)

    @extend_schema(
        request=ProfileCopySerializer,
        responses={201: SuccessProfileSerializer},
        description="A new, editable profile with the same weights.",
    )
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        profile = self.get_object()
        serializer = ProfileCopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = services.profile_copy(
            profile=profile, name=serializer.validated_data["name"]
        )
        return self.respond(copy, status.HTTP_201_CREATED)


class QuestionViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """The question bank, in Japanese with optional English. Admins and recruiters
    write it."""

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    search_fields = ["text", "text_en"]
    ordering_fields = ["id", "updated_at"]
    queryset = Question.objects.none()
    write_rule = staticmethod(permissions.runs_hiring)

    def get_queryset(self):
        return selectors.question_list(status="all")

    def perform_create(self, data):
        return services.question_save(Question(), **data)

    def perform_update(self, question, data):
        services.question_save(question, **data)


def _edits_some_opening(user) -> bool:
    """Kits belong to an opening, checked once the request names it; before that,
    whoever may edit no opening at all is refused (403)."""
    return (
        permissions.runs_hiring(user)
        or permissions.visible_openings(user).filter(hiring_manager=user).exists()
    )


def _edits_kit(user, kit: InterviewKit) -> bool:
    return permissions.can_edit_opening(user, kit.opening)


class InterviewKitViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """Interview kits of the visible openings; the detail carries the coverage of
    the opening's profile. Those who may edit the opening write its kits."""

    filterset_class = InterviewKitFilter
    ordering_fields = ["id", "stage"]
    queryset = InterviewKit.objects.none()
    write_rule = staticmethod(_edits_some_opening)
    change_rule = staticmethod(_edits_kit)

    def get_serializer_class(self):
        if self.action == "list":
            return InterviewKitSerializer
        return InterviewKitDetailSerializer

    def get_queryset(self):
        return selectors.kit_list(viewer=self.request.user)

    def perform_create(self, data):
        if not permissions.can_edit_opening(self.request.user, data["opening"]):
            raise exceptions.PermissionDenied()
        return services.kit_create_with_questions(
            opening=data["opening"],
            stage=data["stage"],
            guidance=data.get("guidance", ""),
            question_ids=data.get("questions", []),
        )

    def perform_update(self, kit, data):
        services.kit_update(
            kit=kit,
            guidance=data.get("guidance", kit.guidance),
            question_ids=data.get(
                "questions", [row.question_id for row in kit.kit_questions.all()]
            ),
        )


# --- Openings, candidates, interviews ---------------------------------------------


class OpeningViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """Openings the viewer sees. Admins and recruiters create and edit them."""

    serializer_class = OpeningSerializer
    filterset_class = OpeningFilter
    search_fields = ["title"]
    ordering_fields = ["created_at", "title", "status", "id"]
    queryset = Opening.objects.none()
    write_rule = staticmethod(permissions.runs_hiring)

    def get_queryset(self):
        return selectors.opening_list(viewer=self.request.user).order_by(
            "-created_at", "-id"
        )

    def perform_create(self, data):
        return services.record_save(Opening(), **data)

    def perform_update(self, opening, data):
        services.record_save(opening, **data)


class CandidateViewSet(CreateMixin, PartialUpdateMixin, HiringViewSet):
    """Candidates the viewer sees, each with the applications the viewer sees.
    Admins and recruiters create and edit them; a candidate whose personal data is
    deleted shows none."""

    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    search_fields = ["name", "name_reading", "email"]
    ordering_fields = ["created_at", "name_reading", "id"]
    queryset = Candidate.objects.none()
    write_rule = staticmethod(permissions.runs_hiring)

    def get_queryset(self):
        return selectors.candidate_list(viewer=self.request.user)

    def perform_create(self, data):
        return services.candidate_create(by=self.request.user, **data)

    def perform_update(self, candidate, data):
        services.candidate_update(candidate=candidate, **data)

    @extend_schema(
        responses=CandidateSummarySerializer,
        description=(
            "Per application the viewer sees: per-competency ratings beside the "
            "profile weight, means, disagreement flags, competencies not assessed, "
            "overall recommendations, missing scorecards, decisions, and the fit "
            "score when the viewer may see the panel."
        ),
    )
    @action(detail=True)
    def summary(self, request, pk=None):
        candidate = self.get_object()
        summaries = selectors.candidate_summaries(
            viewer=request.user, candidate=candidate
        )
        data = {"candidate": candidate, "applications": summaries}
        return Response(CandidateSummarySerializer(data).data)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record changed elsewhere.")
    default_code = "conflict"


class InterviewViewSet(CreateMixin, mixins.DestroyModelMixin, HiringViewSet):
    """Interviews the viewer sees. Admins and recruiters schedule them, each with
    its (empty) scorecard, and cancel them until the scorecard is submitted."""

    serializer_class = InterviewSerializer
    filterset_class = InterviewFilter
    ordering_fields = ["scheduled_at", "id"]
    queryset = Interview.objects.none()
    write_rule = staticmethod(permissions.runs_hiring)

    def get_queryset(self):
        return selectors.interview_list(viewer=self.request.user)

    def perform_create(self, data):
        return services.interview_schedule(by=self.request.user, **data)

    def respond(self, interview, status_code=status.HTTP_200_OK) -> Response:
        # What the scheduler has just written, from the service: read back through
        # `visible_interviews` it would be missing while they are bound on the
        # candidate (another interviewer's interview belongs to the hidden panel).
        return Response(self.get_serializer(interview).data, status=status_code)

    @extend_schema(
        responses={204: None},
        description=(
            "Cancel the interview with its unsubmitted scorecard (and draft). Once "
            "the scorecard is submitted it is a record of the panel: 400."
        ),
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, interview):
        services.interview_cancel(interview=interview, by=self.request.user)


# --- The hiring policy --------------------------------------------------------------


class ManagesPolicy(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or permissions.manages_policy(
            request.user
        )


class HiringPolicyView(generics.GenericAPIView):
    """The organisation's hiring policy, one object. Everyone in hiring reads it;
    admins change it (PATCH), checked as on its page (`services.policy_update`)."""

    serializer_class = HiringPolicySerializer
    permission_classes = [IsAuthenticated, TakesPartInHiring, ManagesPolicy]

    def get(self, request):
        return Response(self.get_serializer(HiringPolicy.current()).data)

    def patch(self, request):
        serializer = self.get_serializer(
            HiringPolicy.current(), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        try:
            policy = services.policy_update(
                by=request.user, **dict(serializer.validated_data)
            )
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.get_serializer(policy).data)


# --- Scorecards -------------------------------------------------------------------


class ScorecardViewSet(HiringViewSet):
    """Scorecards the viewer may see: their own, and the submitted ones of panels
    the independence rule lets them see. Only its interviewer writes a scorecard."""

    filterset_class = ScorecardFilter
    ordering_fields = ["id"]
    queryset = Scorecard.objects.none()
    change_rule = staticmethod(permissions.can_write_scorecard)

    def get_serializer_class(self):
        if self.action == "list":
            return ScorecardSerializer
        return ScorecardDetailSerializer

    def get_queryset(self):
        return selectors.scorecards_with_content(viewer=self.request.user)

    def get_object(self):
        return self._with_history(super().get_object())

    def read(self, pk: int):
        return self._with_history(super().read(pk))

    def _with_history(self, scorecard: Scorecard) -> Scorecard:
        scorecard.history = list(
            selectors.revision_history(viewer=self.request.user, scorecard=scorecard)
        )
        return scorecard

    @extend_schema(
        request=ScorecardDraftSerializer,
        responses={
            200: ScorecardDetailSerializer,
            409: OpenApiResponse(
                ErrorDetailSerializer,
                description=(
                    "The draft was saved elsewhere after `expected_saved_at`: "
                    "nothing is saved; reload it and apply the change again."
                ),
            ),
        },
        description=(
            "Save the interviewer's draft. Ratings outside 1–4 come back per field "
            "(question_<id>, competency_<id>, overall) and nothing is saved."
        ),
    )
    def partial_update(self, request, pk=None):
        scorecard = self.get_object()
        serializer = ScorecardDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.scorecard_save_draft(
                scorecard=scorecard, by=request.user, **serializer.service_arguments()
            )
        except services.DraftConflict as conflict:
            raise Conflict(" ".join(conflict.messages)) from None
        return self.respond(scorecard)

    @extend_schema(
        request=None,
        responses={200: ScorecardDetailSerializer},
        description=(
            "Submit the open draft. While incomplete, 400 lists each missing rating "
            "by field; the draft is kept."
        ),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        scorecard = self.get_object()
        services.scorecard_submit(scorecard=scorecard, by=request.user)
        return self.respond(scorecard)

    @extend_schema(
        request=CorrectionSerializer,
        responses={200: ScorecardDetailSerializer},
        description=(
            "Open a correction of a submitted scorecard: a new draft revision, a "
            "copy of the current one, with the reason. Submit it to make it current."
        ),
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        scorecard = self.get_object()
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.scorecard_start_correction(
            scorecard=scorecard,
            by=request.user,
            reason=serializer.validated_data["reason"],
        )
        return self.respond(scorecard)
