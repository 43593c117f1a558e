"""Hiring in Django's admin, for the organisation's admins.

- Writes go through `hiring.services` where a service owns the rule: a profile with
  its weights (`profile_update`, `profile_set_weights`; starting profiles are copied
  with `profile_copy`, not edited), a kit with its questions (`kit_update`,
  `kit_set_questions`), a candidate's details (`candidate_update`).
- Scorecards and everything in them are read-only, and drafts never appear: only
  submitted revisions the viewer may see (`hiring.permissions`, independence rule
  included) are listed, on every page that shows scorecard content.
- Stages, decisions and interviews change through the app's pages, which apply the
  process rules; here they are read-only.
- Nothing that carries interview content can be deleted here: a deletion page lists
  the related rows, ratings of drafts included, and the history must stay. Retire a
  competency or a question instead, and erase a candidate's personal data from the
  candidate's page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import (
    AuditedAdmin,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ReadOnlyMixin,
    ReadOnlyTabularInline,
)

from . import permissions, services
from .models import (
    AnswerRating,
    Application,
    Candidate,
    CandidateFeedback,
    Competency,
    CompetencyRating,
    Decision,
    FeedbackRating,
    HiringPolicy,
    Interview,
    InterviewKit,
    KitQuestion,
    Opening,
    ProfileWeight,
    Question,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)


def _submitted_revisions(request):
    """Submitted revisions the admin may see: never a draft, not even their own."""
    return permissions.visible_revisions(request.user).filter(
        submitted_at__isnull=False
    )


def _readable_feedback(request):
    """Candidates' feedback the admin may read: none of a candidate they are bound
    on (an interview of theirs not submitted yet), as the candidate experience
    pages leave them out."""
    return CandidateFeedback.objects.exclude(
        interview__application__candidate_id__in=permissions.bound_candidate_ids(
            request.user
        )
    )


# --- Competency framework ---------------------------------------------------------


@admin.register(Competency)
class CompetencyAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "category", "question_count", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "name_en", "description", "description_en"]
    fieldsets = [
        (None, {"fields": [("name", "name_en"), "category", "is_active"]}),
        (_("Description"), {"fields": ["description", "description_en"]}),
        (_("What good looks like"), {"fields": ["indicators", "indicators_en"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(question_total=Count("questions", distinct=True))
        )

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, obj):
        return obj.question_total


class ReplacedSetForm(forms.ModelForm):
    """A row of a set that a service replaces as a whole: the formset checks the rows
    against each other, not against the saved rows they replace (so that two rows
    can swap positions or competencies)."""

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class ProfileWeightForm(ReplacedSetForm):
    weight = forms.IntegerField(
        label=_("weight"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Importance from 1 (useful) to 5 (essential)."),
    )

    class Meta:
        model = ProfileWeight
        fields = ["competency", "weight"]


class ProfileWeightFormSet(forms.BaseInlineFormSet):
    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]

    def clean(self):
        super().clean()
        if not any(form.errors for form in self.forms) and not self.kept_forms():
            raise ValidationError(
                gettext("A success profile needs at least one competency.")
            )

    def weights(self) -> dict[int, int]:
        return {
            form.cleaned_data["competency"].pk: form.cleaned_data["weight"]
            for form in self.kept_forms()
        }


class ProfileWeightInline(admin.TabularInline):
    model = ProfileWeight
    form = ProfileWeightForm
    formset = ProfileWeightFormSet
    extra = 1


def _saved_through_service(formset) -> None:
    # The admin's change message reads what formset.save() would have recorded.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(SuccessProfile)
class SuccessProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "is_starter", "copied_from", "updated_at"]
    list_filter = ["is_starter"]
    list_select_related = ["copied_from"]
    search_fields = ["name", "name_en", "description"]
    fields = [
        ("name", "name_en"),
        "description",
        "description_en",
        "is_starter",
        "copied_from",
        "updated_at",
    ]
    readonly_fields = ["is_starter", "copied_from", "updated_at"]
    inlines = [ProfileWeightInline]
    actions = ["copy_profiles"]

    def has_change_permission(self, request, obj=None):
        # Starting profiles are copied (the action below), not edited in place.
        if obj is not None and obj.is_starter:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_starter:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        # A change is saved with its weights, together, in save_related.

    def save_related(self, request, form, formsets, change):
        (weights,) = [f for f in formsets if isinstance(f, ProfileWeightFormSet)]
        if change:
            services.profile_update(
                profile=form.instance,
                weights=weights.weights(),
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        else:
            services.profile_set_weights(
                profile=form.instance, weights=weights.weights()
            )
        _saved_through_service(weights)

    @admin.action(description=_("Copy the selected success profiles"))
    def copy_profiles(self, request, queryset):
        for profile in queryset:
            name = gettext("%(name)s (copy)") % {"name": profile.name}
            try:
                copy = services.profile_copy(profile=profile, name=name)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("“%(name)s” was not copied: %(error)s")
                    % {"name": profile.name, "error": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("Copied as “%(name)s”.") % {"name": copy.name},
                    messages.SUCCESS,
                )


@admin.register(ProfileWeight)
class ProfileWeightAdmin(ReadOnlyMixin, AuditedAdmin):
    """A list to answer "which profiles weigh this competency"; edited in profiles."""

    list_display = ["profile", "competency", "weight"]
    list_filter = ["weight", "profile", "competency"]
    list_select_related = ["profile", "competency"]
    search_fields = ["profile__name", "competency__name", "competency__name_en"]


@admin.register(Question)
class QuestionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["short_text", "competency", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active", "competency"]
    list_select_related = ["competency"]
    search_fields = ["text", "text_en", "competency__name", "competency__name_en"]
    fieldsets = [
        (None, {"fields": ["competency", "kind", "is_active"]}),
        (_("Question"), {"fields": ["text", "text_en"]}),
        (
            _("Rubric"),
            {
                "fields": [
                    ("rubric_1", "rubric_1_en"),
                    ("rubric_2", "rubric_2_en"),
                    ("rubric_3", "rubric_3_en"),
                    ("rubric_4", "rubric_4_en"),
                ]
            },
        ),
    ]

    @admin.display(description=_("question"), ordering="text")
    def short_text(self, obj):
        text = obj.tr("text")
        return text if len(text) <= 60 else f"{text[:59]}…"


# --- Openings and kits ------------------------------------------------------------


class KitInline(ReadOnlyTabularInline):
    model = InterviewKit
    fields = ["stage", "guidance"]
    show_change_link = True


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "team",
        "profile",
        "hiring_manager",
        "status",
        "created_at",
    ]
    list_filter = ["status", "team", "profile"]
    list_select_related = ["team", "profile", "hiring_manager"]
    search_fields = ["title", "description", "team__name"]
    autocomplete_fields = ["team", "profile", "hiring_manager"]
    date_hierarchy = "created_at"
    inlines = [KitInline]


class KitQuestionFormSet(forms.BaseInlineFormSet):
    def kept_forms(self):
        return sorted(
            (
                form
                for form in self.forms
                if form.cleaned_data and not self._should_delete_form(form)
            ),
            key=lambda form: form.cleaned_data["position"],
        )

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        retired = [
            str(form.cleaned_data["question"])
            for form in self.kept_forms()
            if not form.cleaned_data["question"].is_active
        ]
        if retired:
            raise ValidationError(
                gettext("These questions are retired: %s") % "; ".join(retired)
            )

    def question_ids(self) -> list[int]:
        return [form.cleaned_data["question"].pk for form in self.kept_forms()]


class KitQuestionInline(admin.TabularInline):
    model = KitQuestion
    form = ReplacedSetForm
    formset = KitQuestionFormSet
    fields = ["position", "question"]
    autocomplete_fields = ["question"]
    extra = 1


@admin.register(InterviewKit)
class InterviewKitAdmin(admin.ModelAdmin):
    list_display = ["opening", "stage", "question_count"]
    list_filter = ["stage", "opening__status"]
    list_select_related = ["opening"]
    search_fields = ["opening__title"]
    autocomplete_fields = ["opening"]
    inlines = [KitQuestionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(question_total=Count("kit_questions", distinct=True))
        )

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, obj):
        return obj.question_total

    def get_readonly_fields(self, request, obj=None):
        # A kit belongs to its opening and stage; another stage is another kit.
        return ["opening", "stage"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        # A change is saved with its questions, together, in save_related.

    def save_related(self, request, form, formsets, change):
        (questions,) = [f for f in formsets if isinstance(f, KitQuestionFormSet)]
        if change:
            services.kit_update(
                kit=form.instance,
                guidance=form.cleaned_data["guidance"],
                question_ids=questions.question_ids(),
            )
        else:
            services.kit_set_questions(
                kit=form.instance, question_ids=questions.question_ids()
            )
        _saved_through_service(questions)


@admin.register(KitQuestion)
class KitQuestionAdmin(ReadOnlyAdmin):
    """A list to answer "which kits ask this question"; edited in kits."""

    list_display = ["kit", "position", "question"]
    list_filter = ["kit__stage", "question__competency"]
    list_select_related = ["kit__opening", "question"]
    search_fields = ["kit__opening__title", "question__text", "question__text_en"]


# --- Candidates and their process -------------------------------------------------


class ShownStageMixin:
    """An application's stage as the admin may see it: while they are bound on the
    candidate, not what the panel's decisions produced, nor when the stage changed
    (`permissions.applications_as_seen`)."""

    @admin.display(description=_("stage"), ordering="shown_stage")
    def shown_stage(self, application):
        return Application.Stage(application.shown_stage).label

    @admin.display(description=_("stage changed at"), ordering="shown_stage_changed_at")
    def shown_stage_changed_at(self, application):
        return application.shown_stage_changed_at


class ApplicationInline(ShownStageMixin, ReadOnlyTabularInline):
    model = Application
    fields = ["opening", "shown_stage", "shown_stage_changed_at", "created_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return permissions.applications_as_seen(request.user)


@admin.register(Candidate)
class CandidateAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "email", "source", "created_at", "anonymised_at"]
    list_filter = ["source", "anonymisation", "created_at"]
    search_fields = ["name", "name_reading", "email"]
    date_hierarchy = "created_at"
    fields = [
        ("name", "name_reading"),
        "email",
        "source",
        "notes",
        "user",
        ("created_at", "created_by"),
        ("anonymised_at", "anonymised_by", "anonymisation"),
    ]
    readonly_fields = [
        "user",
        "created_at",
        "created_by",
        "anonymised_at",
        "anonymised_by",
        "anonymisation",
    ]
    inlines = [ApplicationInline]

    def has_change_permission(self, request, obj=None):
        # Erased personal data stays erased.
        if obj is not None and obj.anonymised_at:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            services.candidate_update(
                candidate=obj,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        else:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)


def _visible_decisions(user):
    # Decisions are the panel's, like its scorecards (independence).
    return Decision.objects.filter(
        Q(application__in=permissions.panel_visible_applications(user))
        | Q(decided_by_id=user.pk)
    )


class DecisionInline(ReadOnlyTabularInline):
    model = Decision
    fields = ["kind", "reason", "decided_by", "decided_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return _visible_decisions(request.user).select_related("decided_by")


class InterviewInline(ReadOnlyTabularInline):
    model = Interview
    fields = ["kit", "interviewer", "scheduled_at", "duration_minutes"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        # While bound on the candidate, the admin's own interviews only.
        return permissions.visible_interviews(request.user).select_related(
            "kit", "interviewer"
        )


class ShownStageFilter(admin.SimpleListFilter):
    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return Application.Stage.choices

    def queryset(self, request, queryset):
        if self.value() in Application.Stage.values:
            return queryset.filter(shown_stage=self.value())
        return queryset


@admin.register(Application)
class ApplicationAdmin(ShownStageMixin, ReadOnlyAdmin):
    list_display = [
        "candidate",
        "opening",
        "shown_stage",
        "shown_stage_changed_at",
        "created_at",
    ]
    list_filter = [ShownStageFilter, ("opening", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["candidate", "opening"]
    search_fields = ["candidate__name", "candidate__email", "opening__title"]
    date_hierarchy = "created_at"
    fields = [
        "candidate",
        "opening",
        "shown_stage",
        "shown_stage_changed_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [InterviewInline, DecisionInline]

    def get_queryset(self, request):
        return permissions.applications_as_seen(request.user)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "decided_by", "decided_at"]
    list_filter = ["kind", ("decided_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = [
        "application__candidate",
        "application__opening",
        "decided_by",
    ]
    search_fields = ["application__candidate__name", "reason"]
    date_hierarchy = "decided_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=_visible_decisions(request.user).values("pk"))
        )


class SubmittedFilter(admin.SimpleListFilter):
    title = _("scorecard")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        return [("yes", _("Submitted")), ("no", _("Not submitted"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.lookup}__isnull": self.value() == "no"})
        return queryset


class InterviewSubmittedFilter(SubmittedFilter):
    lookup = "scorecard__current"


class ScorecardSubmittedFilter(SubmittedFilter):
    lookup = "current"


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = [
        "candidate",
        "opening",
        "stage",
        "interviewer",
        "scheduled_at",
        "submitted",
    ]
    list_filter = [
        InterviewSubmittedFilter,
        "kit__stage",
        ("interviewer", admin.RelatedOnlyFieldListFilter),
        ("application__opening", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = [
        "application__candidate",
        "application__opening",
        "kit",
        "interviewer",
        "scorecard",
    ]
    search_fields = [
        "application__candidate__name",
        "interviewer__username",
        "interviewer__family_name",
        "interviewer__given_name",
    ]
    date_hierarchy = "scheduled_at"

    @admin.display(description=_("candidate"), ordering="application__candidate__name")
    def candidate(self, obj):
        return obj.application.candidate

    @admin.display(description=_("opening"), ordering="application__opening__title")
    def opening(self, obj):
        return obj.application.opening

    @admin.display(description=_("stage"), ordering="kit__stage")
    def stage(self, obj):
        return obj.kit.get_stage_display()

    @admin.display(description=_("scorecard submitted"), boolean=True)
    def submitted(self, obj):
        scorecard = getattr(obj, "scorecard", None)
        return scorecard is not None and scorecard.is_submitted

    def get_queryset(self, request):
        # While bound on a candidate, the user's own interviews only (independence).
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=permissions.visible_interviews(request.user))
        )


# --- Scorecards: read-only, drafts never shown ------------------------------------


class SubmittedRevisionInline(ReadOnlyTabularInline):
    model = ScorecardRevision
    fields = ["number", "overall", "reason", "created_by", "submitted_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return _submitted_revisions(request).select_related("created_by")


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "interviewer",
        "opening",
        "overall",
        "revision",
        "first_submitted_at",
        "last_reminded_at",
    ]
    list_filter = [
        ScorecardSubmittedFilter,
        "interview__kit__stage",
        ("interview__interviewer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = [
        "interview__application__candidate",
        "interview__application__opening",
        "interview__kit",
        "interview__interviewer",
        "current",
    ]
    search_fields = [
        "interview__application__candidate__name",
        "interview__interviewer__username",
        "interview__interviewer__family_name",
    ]
    fields = [
        "interview",
        "interviewer",
        "opening",
        "current",
        "overall",
        "summary",
        "first_submitted_at",
        "last_reminded_at",
    ]
    readonly_fields = fields
    inlines = [SubmittedRevisionInline]

    def get_queryset(self, request):
        # Submitted scorecards the user may see; drafts are never listed here.
        return (
            super()
            .get_queryset(request)
            .filter(
                pk__in=permissions.visible_scorecards(request.user).filter(
                    current__isnull=False
                )
            )
        )

    @admin.display(description=_("interviewer"))
    def interviewer(self, obj):
        return obj.interview.interviewer

    @admin.display(description=_("opening"))
    def opening(self, obj):
        return obj.interview.application.opening

    # Only the submitted current revision speaks for a scorecard.
    @admin.display(description=_("overall recommendation"))
    def overall(self, obj):
        return obj.current.get_overall_display() if obj.current_id else "—"

    @admin.display(description=_("summary"))
    def summary(self, obj):
        return obj.current.summary if obj.current_id else "—"

    @admin.display(description=_("revision"))
    def revision(self, obj):
        return obj.current.number if obj.current_id else "—"


class AnswerRatingInline(ReadOnlyTabularInline):
    model = AnswerRating
    fields = ["question", "rating", "notes"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(revision__in=_submitted_revisions(request))
            .select_related("question")
        )


class CompetencyRatingInline(ReadOnlyTabularInline):
    model = CompetencyRating
    fields = ["competency", "rating"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(revision__in=_submitted_revisions(request))
            .select_related("competency")
        )


@admin.register(ScorecardRevision)
class ScorecardRevisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "number", "overall", "created_by", "submitted_at"]
    list_filter = ["overall", "scorecard__interview__kit__stage"]
    list_select_related = [
        "scorecard__interview__application__candidate",
        "scorecard__interview__kit",
        "created_by",
    ]
    search_fields = [
        "scorecard__interview__application__candidate__name",
        "created_by__username",
        "created_by__family_name",
        "reason",
    ]
    date_hierarchy = "submitted_at"
    fields = [
        "scorecard",
        "number",
        "overall",
        "summary",
        "reason",
        "created_by",
        "submitted_at",
    ]
    readonly_fields = fields
    inlines = [AnswerRatingInline, CompetencyRatingInline]

    def get_queryset(self, request):
        return super().get_queryset(request) & _submitted_revisions(request)


class SubmittedRatingAdmin(ReadOnlyAdmin):
    """Ratings of submitted revisions only: drafts never show."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(revision__in=_submitted_revisions(request))
        )

    @admin.display(description=_("candidate"))
    def candidate(self, obj):
        return obj.revision.scorecard.interview.application.candidate

    @admin.display(description=_("interviewer"))
    def interviewer(self, obj):
        return obj.revision.created_by


@admin.register(AnswerRating)
class AnswerRatingAdmin(SubmittedRatingAdmin):
    list_display = ["question", "rating", "candidate", "interviewer"]
    list_filter = [
        "rating",
        ("question__competency", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = [
        "question",
        "revision__scorecard__interview__application__candidate",
        "revision__created_by",
    ]
    search_fields = ["question__text", "question__text_en"]
    fields = ["revision", "question", "rating", "notes"]
    readonly_fields = fields


@admin.register(CompetencyRating)
class CompetencyRatingAdmin(SubmittedRatingAdmin):
    list_display = ["competency", "rating", "candidate", "interviewer"]
    list_filter = ["rating", ("competency", admin.RelatedOnlyFieldListFilter)]
    list_select_related = [
        "competency",
        "revision__scorecard__interview__application__candidate",
        "revision__created_by",
    ]
    search_fields = ["competency__name", "competency__name_en"]
    fields = ["revision", "competency", "rating"]
    readonly_fields = fields


# --- Candidate experience ---------------------------------------------------------


class FeedbackRatingInline(ReadOnlyTabularInline):
    model = FeedbackRating
    fields = ["competency", "rating"]
    readonly_fields = fields


@admin.register(CandidateFeedback)
class CandidateFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["interview", "invited_at", "invited_by", "responded_at"]
    list_filter = [("responded_at", admin.EmptyFieldListFilter)]
    list_select_related = [
        "interview__application__candidate",
        "interview__kit",
        "invited_by",
    ]
    search_fields = ["interview__application__candidate__name", "comment"]
    date_hierarchy = "invited_at"
    inlines = [FeedbackRatingInline]

    def get_queryset(self, request):
        return super().get_queryset(request) & _readable_feedback(request)


@admin.register(FeedbackRating)
class FeedbackRatingAdmin(ReadOnlyAdmin):
    list_display = ["feedback", "competency", "rating"]
    list_filter = ["rating", ("competency", admin.RelatedOnlyFieldListFilter)]
    list_select_related = [
        "feedback__interview__application__candidate",
        "feedback__interview__kit",
        "competency",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(feedback__in=_readable_feedback(request))
        )


# --- The hiring policy: one row ---------------------------------------------------


class HiringPolicyForm(forms.ModelForm):
    class Meta:
        model = HiringPolicy
        fields = [
            "panel_visibility",
            "reminder_after_hours",
            "retention_days",
            "feedback_link_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The one row has the primary key 1 (a named constraint says so).
        self.instance.pk = 1


@admin.register(HiringPolicy)
class HiringPolicyAdmin(AuditedAdmin):
    form = HiringPolicyForm
    list_display = [
        "__str__",
        "panel_visibility",
        "reminder_after_hours",
        "retention_days",
        "feedback_link_days",
    ]

    def has_add_permission(self, request):
        return not HiringPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
