"""Shapes of the hiring API. Input is checked for form here; the rules (ratings 1–4,
who may write, what a submit needs) live in services, whose errors come back per
field."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, User
from config.api import (
    MAX_ID,
    BoundedListField,
    IdRelatedField,
    WholeRowMixin,
    parse_id,
)
from config.fields import ApiDateTimeField

from . import permissions, selectors, services
from .models import (
    MOST_ACTIVE_COMPETENCIES,
    Application,
    Candidate,
    Competency,
    Decision,
    HiringPolicy,
    Interview,
    InterviewKit,
    InterviewStage,
    Opening,
    Question,
    Recommendation,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)

WEIGHT_MESSAGE = _("A weight is a whole number from 1 to 5.")
RATING_HELP = _(
    "1 far below the bar, 2 below the bar, 3 meets the bar, 4 above the bar; "
    "null: not rated yet."
)
RECOMMENDATION_HELP = _(
    "1 strong no hire, 2 no hire, 3 hire, 4 strong hire; null: not given yet."
)
# A kit's questions are asked in one interview, a dozen or two in an hour.
MOST_KIT_QUESTIONS = 100


class IdField(serializers.IntegerField):
    """An id given as a number (a kit's questions)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class HiringModelSerializer(serializers.ModelSerializer):
    """Related objects generated from the model take bounded ids too, and times an
    offset the database can store."""

    serializer_related_field = IdRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: ApiDateTimeField,
    }


def _viewer(serializer):
    return serializer.context["request"].user


def _number(value: Fraction | Decimal | None, places: str) -> float | None:
    """A mean or score as a JSON number, rounded half up."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


class PersonField(serializers.CharField):
    """A user's display name, read-only."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user):
        return user.display_name


# --- Competency framework ---------------------------------------------------------


class CompetencySerializer(HiringModelSerializer):
    question_count = serializers.IntegerField(
        read_only=True, help_text=_("Active questions in the bank.")
    )

    class Meta:
        model = Competency
        fields = [
            "id",
            "name",
            "name_en",
            "category",
            "description",
            "description_en",
            "indicators",
            "indicators_en",
            "is_active",
            "question_count",
        ]


class ProfileWeightSerializer(WholeRowMixin, serializers.Serializer):
    competency = IdRelatedField(queryset=Competency.objects.all())
    competency_name = serializers.CharField(source="competency.name", read_only=True)
    weight = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text=_("Importance from 1 (useful) to 5 (essential)."),
        error_messages={
            "invalid": WEIGHT_MESSAGE,
            "min_value": WEIGHT_MESSAGE,
            "max_value": WEIGHT_MESSAGE,
        },
    )


class SuccessProfileSerializer(HiringModelSerializer):
    weights = ProfileWeightSerializer(
        many=True, allow_empty=False, max_length=MOST_ACTIVE_COMPETENCIES
    )

    class Meta:
        model = SuccessProfile
        fields = [
            "id",
            "name",
            "name_en",
            "description",
            "description_en",
            "is_starter",
            "copied_from",
            "weights",
            "updated_at",
        ]
        read_only_fields = ["is_starter", "copied_from", "updated_at"]

    def validate_weights(self, weights):
        # The weights given replace the profile's: in a PATCH too, each names both.
        if any({"competency", "weight"} - row.keys() for row in weights):
            raise serializers.ValidationError(
                _("Each weight needs its competency and its weight (1–5).")
            )
        competencies = [row["competency"].pk for row in weights]
        if len(set(competencies)) != len(competencies):
            raise serializers.ValidationError(
                _("Each competency has one weight in a profile.")
            )
        return weights

    @staticmethod
    def weights_by_competency(validated_data) -> dict[int, int] | None:
        weights = validated_data.pop("weights", None)
        if weights is None:
            return None
        return {row["competency"].pk: row["weight"] for row in weights}


class ProfileCopySerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, help_text=_("The name of the new profile.")
    )


class QuestionSerializer(HiringModelSerializer):
    class Meta:
        model = Question
        fields = ["id", *services.QUESTION_CONTENT_FIELDS, "is_active", "updated_at"]
        read_only_fields = ["updated_at"]


# --- Interview kits ---------------------------------------------------------------


class KitQuestionsField(BoundedListField):
    """The kit's questions as ids, in the order they are asked."""

    def __init__(self, **kwargs):
        super().__init__(
            child=IdField(),
            max_length=MOST_KIT_QUESTIONS,
            help_text=_("Question ids in the order they are asked."),
            **kwargs,
        )

    def get_attribute(self, kit):
        # Prefetched in position order by the selector.
        return [kit_question.question_id for kit_question in kit.kit_questions.all()]


class CoverageSerializer(serializers.Serializer):
    competency = serializers.IntegerField(source="competency.pk")
    competency_name = serializers.CharField(source="competency")
    weight = serializers.IntegerField(
        allow_null=True, help_text=_("Null: asked about, but not in the profile.")
    )
    questions = serializers.IntegerField()
    warning = serializers.CharField()


class InterviewStageField(serializers.ChoiceField):
    """An interview stage. "stage" names an application's stage too: the schema
    gives each its own enum (see `InterviewStageSchema`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=InterviewStage.choices, **kwargs)


class InterviewStageSchema(OpenApiSerializerFieldExtension):
    target_class = InterviewStageField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="InterviewStageEnum",
            type=ResolvedComponent.SCHEMA,
            object="InterviewStageEnum",
            schema={
                "type": "string",
                "enum": InterviewStage.values,
                "description": "\n".join(
                    f"* `{value}` - {label}" for value, label in InterviewStage.choices
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class InterviewKitSerializer(HiringModelSerializer):
    opening = IdRelatedField(queryset=Opening.objects.none())
    stage = InterviewStageField()
    questions = KitQuestionsField(required=False)

    class Meta:
        model = InterviewKit
        fields = ["id", "opening", "stage", "guidance", "questions"]
        # One kit per stage: the service says so on the stage field.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["opening"].queryset = permissions.visible_openings(
                _viewer(self)
            )
        if self.instance is not None:
            # A kit stays with its opening and stage; a new stage is a new kit.
            self.fields["opening"].read_only = True
            self.fields["stage"].read_only = True


class InterviewKitDetailSerializer(InterviewKitSerializer):
    coverage = serializers.SerializerMethodField()

    class Meta(InterviewKitSerializer.Meta):
        fields = InterviewKitSerializer.Meta.fields + ["coverage"]

    @extend_schema_field(CoverageSerializer(many=True))
    def get_coverage(self, kit):
        return CoverageSerializer(selectors.kit_coverage(kit=kit), many=True).data


# --- Openings, candidates, interviews ---------------------------------------------


class OpeningSerializer(HiringModelSerializer):
    team = IdRelatedField(queryset=Team.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    profile = IdRelatedField(queryset=SuccessProfile.objects.all())
    profile_name = serializers.CharField(source="profile", read_only=True)
    hiring_manager = IdRelatedField(
        queryset=User.objects.none(),
        help_text=_("An active user with the Manager or Admin role."),
        error_messages={
            "does_not_exist": _("Choose an active user with the Manager or Admin role.")
        },
    )
    hiring_manager_name = PersonField(source="hiring_manager")
    candidate_count = serializers.IntegerField(read_only=True)
    active_count = serializers.IntegerField(
        read_only=True, help_text=_("Applications not hired, rejected or withdrawn.")
    )

    class Meta:
        model = Opening
        fields = [
            "id",
            "title",
            "team",
            "team_name",
            "profile",
            "profile_name",
            "hiring_manager",
            "hiring_manager_name",
            "status",
            "description",
            "created_at",
            "candidate_count",
            "active_count",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The one rule, as in the opening form: see the selector.
        self.fields["hiring_manager"].queryset = selectors.hiring_manager_choices(
            current=getattr(self.instance, "hiring_manager_id", None)
        )


class CandidateApplicationSerializer(HiringModelSerializer):
    """An application as the viewer may see it (`permissions.applications_as_seen`):
    while bound on the candidate, not what the panel's decisions produced."""

    opening_title = serializers.CharField(source="opening.title", read_only=True)
    stage = serializers.ChoiceField(
        source="shown_stage", choices=Application.Stage.choices, read_only=True
    )
    stage_changed_at = serializers.DateTimeField(
        source="shown_stage_changed_at",
        read_only=True,
        allow_null=True,
        help_text=_("Null while the viewer may not see the panel's decisions."),
    )

    class Meta:
        model = Application
        fields = ["id", "opening", "opening_title", "stage", "stage_changed_at"]
        read_only_fields = fields


class HiringPolicySerializer(serializers.ModelSerializer):
    """The hiring policy; a change is checked by `services.policy_update`, as on
    its page."""

    class Meta:
        model = HiringPolicy
        fields = [
            "panel_visibility",
            "reminder_after_hours",
            "retention_days",
            "feedback_link_days",
        ]
        extra_kwargs = {
            "reminder_after_hours": {"help_text": _("From 1 to 168 hours.")},
            "retention_days": {"help_text": _("From 30 to 3650 days.")},
            "feedback_link_days": {"help_text": _("From 1 to 90 days.")},
        }


def _is_a_link(value: str) -> None:
    if value:
        URLValidator()(value)


PERSONAL_FIELDS = ("name", "name_reading", "email", "resume_url", "notes")


class CandidateSerializer(HiringModelSerializer):
    anonymised = serializers.SerializerMethodField()
    # Empty ("") while the personal data is kept: the schema says so.
    anonymisation = serializers.ChoiceField(
        choices=Candidate.Anonymisation.choices, allow_blank=True, read_only=True
    )
    applications = CandidateApplicationSerializer(many=True, read_only=True)
    # A link or "": plain text in the schema (an empty string would pass a "uri"
    # format as well as the blank alternative); checked as a URL by the model.
    resume_url = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=500,
        validators=[_is_a_link],
        help_text=_("Where the resume is kept (tracking system, shared drive)."),
    )

    class Meta:
        model = Candidate
        fields = [
            "id",
            *PERSONAL_FIELDS,
            "source",
            "user",
            "created_at",
            "anonymised",
            "anonymised_at",
            "anonymisation",
            "applications",
        ]
        read_only_fields = [
            "user",
            "created_at",
            "anonymised_at",
            "anonymisation",
        ]

    def get_anonymised(self, candidate) -> bool:
        return candidate.anonymised_at is not None

    def to_representation(self, candidate):
        data = super().to_representation(candidate)
        if candidate.anonymised_at:
            # Erased by the service already; never shown, whatever is left.
            data.update(dict.fromkeys(PERSONAL_FIELDS, ""))
        return data


class InterviewSerializer(HiringModelSerializer):
    application = IdRelatedField(queryset=Application.objects.none())
    candidate = serializers.IntegerField(
        source="application.candidate_id", read_only=True
    )
    candidate_name = serializers.SerializerMethodField()
    opening = serializers.IntegerField(source="application.opening_id", read_only=True)
    opening_title = serializers.CharField(
        source="application.opening.title", read_only=True
    )
    kit = IdRelatedField(queryset=InterviewKit.objects.none())
    stage = InterviewStageField(source="kit.stage", read_only=True)
    interviewer = IdRelatedField(
        queryset=User.objects.none(),
        help_text=_(
            "An active user with the Interviewer, Manager, Recruiter or Admin role."
        ),
        error_messages={
            "does_not_exist": _(
                "Choose an active user with the Interviewer, Manager, Recruiter or "
                "Admin role."
            )
        },
    )
    interviewer_name = PersonField(source="interviewer")
    scorecard = serializers.IntegerField(source="scorecard.pk", read_only=True)
    scorecard_submitted = serializers.BooleanField(
        source="scorecard.is_submitted", read_only=True
    )

    class Meta:
        model = Interview
        fields = [
            "id",
            "application",
            "candidate",
            "candidate_name",
            "opening",
            "opening_title",
            "kit",
            "stage",
            "interviewer",
            "interviewer_name",
            "scheduled_at",
            "duration_minutes",
            "scorecard",
            "scorecard_submitted",
        ]
        # Once per kit and interviewer: the service says so on the interviewer.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            viewer = _viewer(self)
            self.fields["application"].queryset = permissions.visible_applications(
                viewer
            )
            self.fields["kit"].queryset = permissions.visible_kits(viewer)
        # The one definition, as in the page form.
        self.fields["interviewer"].queryset = selectors.interviewer_choices()

    def get_candidate_name(self, interview) -> str:
        candidate = interview.application.candidate
        return "" if candidate.anonymised_at else candidate.name


# --- Scorecards -------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    notes = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True, help_text=RATING_HELP)


class CompetencyRatingSerializer(serializers.Serializer):
    competency = serializers.IntegerField(source="competency_id")
    rating = serializers.IntegerField(allow_null=True, help_text=RATING_HELP)


class RevisionContentSerializer(HiringModelSerializer):
    """What a revision says: answers, competency ratings, overall, summary."""

    is_draft = serializers.BooleanField(read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    competency_ratings = CompetencyRatingSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardRevision
        fields = [
            "number",
            "is_draft",
            "overall",
            "summary",
            "reason",
            "saved_at",
            "submitted_at",
            "answers",
            "competency_ratings",
        ]
        read_only_fields = fields


class RevisionSerializer(HiringModelSerializer):
    """One line of a scorecard's history: who wrote which revision, when, why."""

    is_draft = serializers.BooleanField(read_only=True)
    created_by_name = PersonField(source="created_by")

    class Meta:
        model = ScorecardRevision
        fields = [
            "number",
            "is_draft",
            "created_by",
            "created_by_name",
            "created_at",
            "submitted_at",
            "reason",
        ]
        read_only_fields = fields


class ScorecardSerializer(HiringModelSerializer):
    candidate = serializers.IntegerField(source="interview.application.candidate_id")
    opening = serializers.IntegerField(source="interview.application.opening_id")
    stage = InterviewStageField(source="interview.kit.stage", read_only=True)
    interviewer = serializers.IntegerField(source="interview.interviewer_id")
    interviewer_name = PersonField(source="interview.interviewer")
    scheduled_at = serializers.DateTimeField(source="interview.scheduled_at")
    is_submitted = serializers.BooleanField()
    content = serializers.SerializerMethodField(
        help_text=_(
            "The latest submitted revision; for its interviewer, the open draft when "
            "there is one. Null before anything is written."
        )
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "interview",
            "candidate",
            "opening",
            "stage",
            "interviewer",
            "interviewer_name",
            "scheduled_at",
            "is_submitted",
            "first_submitted_at",
            "content",
        ]
        read_only_fields = fields

    @extend_schema_field(RevisionContentSerializer(allow_null=True))
    def get_content(self, scorecard):
        # `own_drafts` holds the viewer's own open draft only (see the selector).
        drafts = getattr(scorecard, "own_drafts", [])
        revision = drafts[0] if drafts else scorecard.current
        if revision is None:
            return None
        return RevisionContentSerializer(revision).data


class ScorecardDetailSerializer(ScorecardSerializer):
    revisions = RevisionSerializer(source="history", many=True, read_only=True)

    class Meta(ScorecardSerializer.Meta):
        fields = ScorecardSerializer.Meta.fields + ["revisions"]
        read_only_fields = fields


class DraftAnswerSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    rating = serializers.IntegerField(
        allow_null=True, required=False, default=None, help_text=RATING_HELP
    )


def _id_keys(value: dict, message) -> dict:
    ids = {parse_id(str(key)): item for key, item in value.items()}
    if None in ids:
        raise serializers.ValidationError(message)
    return ids


class ScorecardDraftSerializer(serializers.Serializer):
    """What the interviewer has typed so far. Left-out keys keep their saved value;
    each answer is saved whole (notes and rating)."""

    answers = serializers.DictField(
        child=DraftAnswerSerializer(),
        required=False,
        help_text=_("By question id: the answer's notes and rating."),
    )
    competency_ratings = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text=_("By competency id: a rating 1–4, or null."),
    )
    overall = serializers.IntegerField(
        allow_null=True, required=False, help_text=RECOMMENDATION_HELP
    )
    summary = serializers.CharField(allow_blank=True, required=False)
    expected_saved_at = ApiDateTimeField(
        required=False,
        help_text=_(
            "The draft's saved_at as this client last read it (content.saved_at). "
            "When the draft has been saved since, elsewhere, nothing is saved and "
            "the answer is 409."
        ),
    )

    def validate_answers(self, answers):
        return _id_keys(answers, _("Answers are keyed by question id."))

    def validate_competency_ratings(self, ratings):
        return _id_keys(ratings, _("Ratings are keyed by competency id."))

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "overall" in data and data["overall"] is None:
            # The service reads None as "keep"; an empty value clears it.
            data["overall"] = ""
        return data


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the scorecard is corrected."))


# --- Candidate summary ------------------------------------------------------------


class InterviewerRatingSerializer(serializers.Serializer):
    interviewer = serializers.IntegerField()
    interviewer_name = serializers.CharField()
    rating = serializers.IntegerField()


class CompetencyAssessmentSerializer(serializers.Serializer):
    competency = serializers.IntegerField(source="competency.pk")
    competency_name = serializers.CharField(source="competency")
    weight = serializers.IntegerField(
        allow_null=True, help_text=_("Null: rated, but not in the opening's profile.")
    )
    mean = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    assessed = serializers.BooleanField(source="is_assessed")
    disagreement = serializers.BooleanField(
        help_text=_("The ratings differ by 2 or more.")
    )

    def get_mean(self, row) -> float | None:
        return _number(row.mean, "0.01")

    @extend_schema_field(InterviewerRatingSerializer(many=True))
    def get_ratings(self, row):
        return [
            {
                "interviewer": user.pk,
                "interviewer_name": user.display_name,
                "rating": rating,
            }
            for user, rating in row.ratings
        ]


class CompetencyRefSerializer(serializers.Serializer):
    competency = serializers.IntegerField(source="pk")
    competency_name = serializers.CharField(source="*")


class RecommendationSerializer(serializers.Serializer):
    scorecard = serializers.IntegerField()
    interviewer = serializers.IntegerField()
    interviewer_name = serializers.CharField()
    overall = serializers.ChoiceField(choices=Recommendation.choices, allow_null=True)


class MissingScorecardSerializer(serializers.Serializer):
    interview = serializers.IntegerField(source="pk")
    interviewer = serializers.IntegerField(source="interviewer_id")
    interviewer_name = PersonField(source="interviewer")
    stage = InterviewStageField(source="kit.stage", read_only=True)
    scheduled_at = serializers.DateTimeField()


class DecisionSerializer(HiringModelSerializer):
    decided_by_name = PersonField(source="decided_by")

    class Meta:
        model = Decision
        fields = ["id", "kind", "reason", "decided_by", "decided_by_name", "decided_at"]
        read_only_fields = fields


class ApplicationSummarySerializer(serializers.Serializer):
    """One `selectors.CandidateSummary`, as the selector shaped it for the viewer:
    scorecards, missing ones and decisions come from the summary only, never from
    the application (which would show the panel to a viewer bound by independence).
    """

    application = serializers.IntegerField(source="application.pk")
    opening = serializers.IntegerField(source="application.opening_id")
    opening_title = serializers.CharField(source="application.opening.title")
    stage = serializers.ChoiceField(
        source="application.shown_stage", choices=Application.Stage.choices
    )
    fit_score = serializers.SerializerMethodField(
        help_text=_(
            "0–100, to one decimal; null when nothing is assessed or when it is "
            "hidden from the viewer."
        )
    )
    fit_hidden = serializers.SerializerMethodField(
        help_text=_(
            "True while the viewer may not see the panel (the independence rule)."
        )
    )
    competencies = CompetencyAssessmentSerializer(many=True)
    not_assessed = CompetencyRefSerializer(many=True)
    recommendations = serializers.SerializerMethodField()
    missing_scorecards = MissingScorecardSerializer(source="missing", many=True)
    decisions = DecisionSerializer(many=True)

    def get_fit_score(self, summary) -> float | None:
        return _number(summary.fit_display, "0.1")

    def get_fit_hidden(self, summary) -> bool:
        return not summary.sees_panel

    @extend_schema_field(RecommendationSerializer(many=True))
    def get_recommendations(self, summary):
        return [
            {
                "scorecard": scorecard.pk,
                "interviewer": scorecard.interview.interviewer_id,
                "interviewer_name": scorecard.interview.interviewer.display_name,
                "overall": overall,
            }
            for scorecard, overall in summary.recommendations
        ]


class CandidateSummarySerializer(serializers.Serializer):
    candidate = serializers.IntegerField(source="candidate.pk")
    candidate_name = serializers.SerializerMethodField()
    anonymised = serializers.SerializerMethodField()
    applications = ApplicationSummarySerializer(many=True)

    def get_candidate_name(self, data) -> str:
        candidate = data["candidate"]
        return "" if candidate.anonymised_at else candidate.name

    def get_anonymised(self, data) -> bool:
        return data["candidate"].anonymised_at is not None
