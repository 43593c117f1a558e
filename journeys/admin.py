"""Journeys in Django's admin, for the organisation's admins.

History is never rewritten here (see `journeys.models`):

- Step events, coverage periods, playbook versions, training completions and practicum
  reflections are read-only: events are voided on the account's page, coverage changes
  through the account (below), playbooks are revised (a new version), a completion is an
  attempt the member made, a reflection is the member's own writing. ARR snapshots
  too: they are recorded and corrected on the account's page (their history shows
  here).
- Steps keep their identity: a new step is inserted at a position
  (`services.step_insert`), its text is changed with `services.step_update`, and it is
  moved or retired with the actions of the step list (`services.step_move`,
  `services.step_retire`); its position is never typed in.
- Writes that have a service go through it: a playbook and its revisions
  (`playbook_create`, `playbook_revise`), a training assignment (`training_assign`), a
  customer account with its first coverage (`account_create`) and a change of owner or
  pool (`account_assign_owner`, `account_move_to_pool`, readiness confirmation
  included).
- Nothing that carries history can be deleted here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import has_role
from config.admin_mixins import (
    AuditedAdmin,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ReadOnlyMixin,
    ReadOnlyTabularInline,
)

from . import selectors, services
from .health import POLICY_FIELDS, policy_errors
from .models import (
    AccountHealth,
    ARRSnapshot,
    Coverage,
    CoverageModel,
    CustomerAccount,
    HealthPolicy,
    Journey,
    Playbook,
    PlaybookActionTick,
    PlaybookVersion,
    Pool,
    PoolMembership,
    PracticumReflection,
    QuizChoice,
    QuizQuestion,
    Step,
    StepEvent,
    SuccessMeasure,
    SuccessPlan,
    SuccessProgress,
    SuccessStory,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields (or the whole form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Journeys and steps -------------------------------------------------------------


class StepInline(ReadOnlyTabularInline):
    model = Step
    fields = [
        "position",
        "name",
        "is_value_point",
        "target_days",
        "conversion_window_days",
        "retired_at",
    ]
    readonly_fields = fields
    show_change_link = True
    ordering = ["position", "id"]


@admin.register(Journey)
class JourneyAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "segments",
        "coverage_models",
        "step_count",
        "account_count",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "description", "segments"]
    readonly_fields = ["created_at"]
    inlines = [StepInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                step_total=Count(
                    "steps", filter=Q(steps__retired_at__isnull=True), distinct=True
                ),
                account_total=Count("accounts", distinct=True),
            )
        )

    @admin.display(description=_("steps"), ordering="step_total")
    def step_count(self, obj):
        return obj.step_total

    @admin.display(description=_("accounts"), ordering="account_total")
    def account_count(self, obj):
        return obj.account_total


STEP_TEXT_FIELDS = [
    "name",
    "description",
    "definition_of_done",
    "is_value_point",
    "target_days",
    "conversion_window_days",
]


class StepForm(forms.ModelForm):
    """A step's text. A new step also says where it goes; the service shifts the
    later steps, so the saved positions are not checked against it here."""

    insert_at = forms.IntegerField(
        label=_("position"),
        min_value=1,
        required=False,
        help_text=_("Where the new step goes; the later steps move one place down."),
    )

    class Meta:
        model = Step
        fields = [
            "journey",
            "name",
            "description",
            "definition_of_done",
            "is_value_point",
            "target_days",
            "conversion_window_days",
        ]

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            journey = cleaned.get("journey")
            position = cleaned.get("insert_at")
            if position is None:
                self.add_error("insert_at", gettext("Say where the new step goes."))
            elif journey is not None:
                last = (
                    Step.objects.filter(
                        journey=journey, retired_at__isnull=True
                    ).count()
                    + 1
                )
                if position > last:
                    self.add_error(
                        "insert_at",
                        gettext("The position is a number from 1 to %(last)d.")
                        % {"last": last},
                    )
        if cleaned.get("is_value_point") and cleaned.get("target_days") is None:
            self.add_error(
                "target_days", gettext("A value point needs a target in days.")
            )
        return cleaned


@admin.register(Step)
class StepAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = StepForm
    list_display = [
        "name",
        "journey",
        "position",
        "is_value_point",
        "target_days",
        "conversion_window_days",
        "retired_at",
    ]
    list_filter = [
        "journey",
        "is_value_point",
        ("retired_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["journey"]
    search_fields = ["name", "description", "definition_of_done", "journey__name"]
    ordering = ["journey", "position", "id"]
    actions = ["move_up", "move_down", "retire"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["journey", "insert_at", *STEP_TEXT_FIELDS]
        return ["journey", "position_note", "retired_at", *STEP_TEXT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["journey", "position_note", "retired_at"] if obj is not None else []

    @admin.display(description=_("position"))
    def position_note(self, obj):
        if obj.position is None:
            return gettext("Retired: no longer in the journey; its events are kept.")
        return gettext(
            "%(position)d — changed with the “Move” and “Retire” actions of the step "
            "list, which keep past events attached to this step."
        ) % {"position": obj.position}

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in STEP_TEXT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.step_update(step=obj, **fields)
        else:
            step = services.step_insert(
                journey=form.cleaned_data["journey"],
                position=form.cleaned_data["insert_at"],
                **fields,
            )
            obj.pk = step.pk
            obj.position = step.position

    def _move(self, request, queryset, offset):
        for step in queryset.order_by("position" if offset < 0 else "-position"):
            step.refresh_from_db()
            try:
                if step.position is None:
                    raise ValidationError(
                        gettext("A retired step has no place in the journey.")
                    )
                services.step_move(step=step, position=step.position + offset)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("“%(name)s” was not moved: %(error)s")
                    % {"name": step.name, "error": _error_text(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("“%(name)s” is now step %(position)d.")
                    % {"name": step.name, "position": step.position},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Move the selected steps one place earlier"))
    def move_up(self, request, queryset):
        self._move(request, queryset, -1)

    @admin.action(description=_("Move the selected steps one place later"))
    def move_down(self, request, queryset):
        self._move(request, queryset, +1)

    @admin.action(description=_("Retire the selected steps (their events are kept)"))
    def retire(self, request, queryset):
        for step in queryset:
            try:
                services.step_retire(step=step, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("“%(name)s” was not retired: %(error)s")
                    % {"name": step.name, "error": _error_text(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("“%(name)s” is retired.") % {"name": step.name},
                    messages.SUCCESS,
                )


# --- Playbooks --------------------------------------------------------------------


class PlaybookForm(forms.ModelForm):
    """The playbook with the content of its current version: changing the content
    writes a new version (the earlier ones stay as history)."""

    goal = forms.CharField(label=_("goal"), widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(
        label=_("recommended actions"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A checklist: one action per line."),
    )
    content = forms.CharField(
        label=_("content and tools"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Links, documents and email templates. Placeholders such as "
            "{customer_name} are filled in on an account's page."
        ),
    )
    note = forms.CharField(
        label=_("what changed"),
        max_length=300,
        required=False,
        help_text=_("Needed when the content changes."),
    )

    class Meta:
        model = Playbook
        fields = ["from_step", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            current = selectors.playbook_current(self.instance)
            if current is not None:
                for name in ("goal", "actions", "content"):
                    self.fields[name].initial = getattr(current, name)
        else:
            del self.fields["note"]

    def content_changed(self) -> bool:
        return any(name in self.changed_data for name in ("goal", "actions", "content"))

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk is not None
            and self.content_changed()
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", gettext("Say what changed in this version."))
        return cleaned


class PlaybookVersionInline(ReadOnlyTabularInline):
    model = PlaybookVersion
    fields = ["number", "goal", "note", "created_by", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Playbook)
class PlaybookAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = PlaybookForm
    list_display = [
        "from_step",
        "journey",
        "owner",
        "version_count",
        "last_reviewed_on",
    ]
    list_filter = ["from_step__journey", "owner", "last_reviewed_on"]
    list_select_related = ["from_step__journey", "owner"]
    search_fields = [
        "from_step__name",
        "from_step__journey__name",
        "versions__goal",
        "versions__content",
    ]
    autocomplete_fields = ["owner", "from_step"]
    readonly_fields = ["last_reviewed_on"]
    inlines = [PlaybookVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(version_total=Count("versions", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["from_step", "last_reviewed_on"]
        return ["last_reviewed_on"]

    def get_fields(self, request, obj=None):
        fields = ["from_step", "owner", "goal", "actions", "content"]
        if obj is not None:
            fields += ["note", "last_reviewed_on"]
        return fields

    @admin.display(description=_("journey"), ordering="from_step__journey__name")
    def journey(self, obj):
        return obj.from_step.journey

    @admin.display(description=_("versions"), ordering="version_total")
    def version_count(self, obj):
        return obj.version_total

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                playbook = services.playbook_create(
                    from_step=data["from_step"],
                    owner=data["owner"],
                    goal=data["goal"],
                    actions=data["actions"],
                    content=data.get("content", ""),
                    by=request.user,
                )
                obj.pk = playbook.pk
                return
            if "owner" in form.changed_data:
                Playbook.objects.filter(pk=obj.pk).update(owner=data["owner"])
            if form.content_changed():
                services.playbook_revise(
                    playbook=obj,
                    by=request.user,
                    goal=data["goal"],
                    actions=data["actions"],
                    content=data.get("content", ""),
                    note=data["note"],
                )
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(ReadOnlyAdmin):
    list_display = ["playbook", "number", "note", "created_by", "created_at"]
    list_filter = ["playbook__from_step__journey", "created_by"]
    list_select_related = ["playbook__from_step", "created_by"]
    search_fields = ["goal", "actions", "content", "note"]
    date_hierarchy = "created_at"


# --- Training -----------------------------------------------------------------------


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    fields = ["position", "text"]
    extra = 0
    show_change_link = True


@admin.register(TrainingModule)
class TrainingModuleAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "from_step",
        "pass_mark",
        "question_count",
        "is_required",
        "is_active",
    ]
    list_filter = ["from_step__journey", "is_required", "is_active"]
    list_select_related = ["from_step__journey"]
    search_fields = ["title", "material", "from_step__name"]
    autocomplete_fields = ["from_step"]
    inlines = [QuizQuestionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(question_total=Count("quiz_questions", distinct=True))
        )

    @admin.display(description=_("quiz questions"), ordering="question_total")
    def question_count(self, obj):
        return obj.question_total


class QuizChoiceInline(admin.TabularInline):
    model = QuizChoice
    fields = ["text", "is_correct"]
    extra = 0


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "module", "position"]
    list_filter = ["module"]
    list_select_related = ["module"]
    search_fields = ["text", "module__title"]
    inlines = [QuizChoiceInline]


@admin.register(QuizChoice)
class QuizChoiceAdmin(admin.ModelAdmin):
    list_display = ["text", "question", "is_correct"]
    list_filter = ["is_correct", "question__module"]
    list_select_related = ["question"]
    search_fields = ["text", "question__text"]


class TrainingAssignmentForm(forms.ModelForm):
    class Meta:
        model = TrainingAssignment
        fields = ["module", "member", "team", "due_date"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and (cleaned.get("member") is None) == (
            cleaned.get("team") is None
        ):
            self.add_error(
                "member", gettext("Assign the module either to a member or to a team.")
            )
        return cleaned


@admin.register(TrainingAssignment)
class TrainingAssignmentAdmin(admin.ModelAdmin):
    form = TrainingAssignmentForm
    list_display = [
        "module",
        "member",
        "team",
        "due_date",
        "assigned_by",
        "assigned_at",
    ]
    list_filter = ["module__from_step__journey", "module", "team", "due_date"]
    list_select_related = ["module", "member", "team", "assigned_by"]
    search_fields = [
        "module__title",
        "member__username",
        "member__family_name",
        "member__given_name",
        "team__name",
    ]
    autocomplete_fields = ["module", "member", "team"]
    date_hierarchy = "due_date"

    def get_readonly_fields(self, request, obj=None):
        # Another module or assignee is another assignment; only the date moves.
        return ["module", "member", "team", "assigned_by"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean(exclude=["assigned_by"])
            obj.save(update_fields=["due_date"])
            return
        data = form.cleaned_data
        try:
            assignment = services.training_assign(
                module=data["module"],
                due_date=data["due_date"],
                by=request.user,
                member=data.get("member"),
                team=data.get("team"),
            )
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
        else:
            obj.pk = assignment.pk


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(ReadOnlyAdmin):
    list_display = ["member", "module", "completed_at", "score", "passed"]
    list_filter = ["passed", "module__from_step__journey", "module"]
    list_select_related = ["member", "module"]
    search_fields = [
        "member__username",
        "member__family_name",
        "member__given_name",
        "module__title",
    ]
    date_hierarchy = "completed_at"


@admin.register(PracticumReflection)
class PracticumReflectionAdmin(ReadOnlyAdmin):
    list_display = ["member", "step", "completed_at", "updated_at"]
    list_filter = [
        "step__journey",
        ("completed_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["member", "step__journey"]
    search_fields = [
        "member__username",
        "member__family_name",
        "member__given_name",
        "step__name",
        "what_was_hard",
        "where_stuck",
        "what_would_help",
    ]


@admin.register(PlaybookActionTick)
class PlaybookActionTickAdmin(ReadOnlyAdmin):
    """Who ticked which playbook action for which account: a record, read only
    (ticks are made while working through a playbook on an account)."""

    list_display = [
        "account",
        "version",
        "action_number",
        "action_text",
        "is_done",
        "ticked_by",
        "ticked_at",
    ]
    list_filter = ["is_done", "version__playbook__from_step__journey"]
    list_select_related = ["account", "version__playbook__from_step", "ticked_by"]
    search_fields = ["account__name", "account__external_id", "action_text"]
    date_hierarchy = "ticked_at"


# --- Pools and customer accounts ------------------------------------------------------


class PoolMembershipInline(admin.TabularInline):
    model = PoolMembership
    fields = ["user", "start_date", "end_date"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Pool)
class PoolAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "team", "member_count", "account_count"]
    list_filter = ["kind", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "team__name"]
    autocomplete_fields = ["team"]
    inlines = [PoolMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # A pool's figures count for its team: moving it would move its history.
        return ["team"] if obj is not None else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count(
                    "memberships",
                    filter=Q(memberships__end_date__isnull=True),
                    distinct=True,
                ),
                account_total=Count(
                    "coverage",
                    filter=Q(coverage__ended_at__isnull=True),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("current members"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description=_("accounts"), ordering="account_total")
    def account_count(self, obj):
        return obj.account_total


@admin.register(PoolMembership)
class PoolMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "pool", "start_date", "end_date"]
    list_filter = ["pool", ("end_date", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "pool"]
    search_fields = ["user__username", "user__family_name", "pool__name"]
    autocomplete_fields = ["user", "pool"]


class CurrentCoverageFilter(admin.SimpleListFilter):
    title = _("current coverage")
    parameter_name = "covered"

    def lookups(self, request, model_admin):
        return CoverageModel.choices

    def queryset(self, request, queryset):
        if self.value() in CoverageModel.values:
            return queryset.filter(
                coverage__ended_at__isnull=True, coverage__model=self.value()
            )
        return queryset


class CurrentPoolFilter(admin.SimpleListFilter):
    title = _("current pool")
    parameter_name = "pool"

    def lookups(self, request, model_admin):
        return [(pool.pk, pool.name) for pool in Pool.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                coverage__ended_at__isnull=True, coverage__pool_id=self.value()
            )
        return queryset


class CustomerAccountForm(forms.ModelForm):
    """The account's details; its coverage changes through the services, which close
    the open period and start the next one."""

    owner = forms.ModelChoiceField(
        label=_("new dedicated owner"),
        queryset=None,
        required=False,
        help_text=_("Closes the current coverage period and opens one for the owner."),
    )
    pool = forms.ModelChoiceField(
        label=_("new pool"),
        queryset=Pool.objects.all(),
        required=False,
        help_text=_("Closes the current coverage period and opens one for the pool."),
    )
    confirm_not_ready = forms.BooleanField(
        label=_("assign although the owner is not ready"), required=False
    )

    class Meta:
        model = CustomerAccount
        fields = ["name", "external_id", "segment", "arr", "journey", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            groups__name=Role.MEMBER.value, is_active=True
        ).order_by("family_name_reading", "given_name_reading", "username")

    def clean(self):
        cleaned = super().clean()
        owner, pool = cleaned.get("owner"), cleaned.get("pool")
        if owner is not None and pool is not None:
            self.add_error("pool", gettext("Choose an owner or a pool, not both."))
        elif self.instance.pk is None and owner is None and pool is None:
            self.add_error(
                "owner", gettext("Give the account either a dedicated owner or a pool.")
            )
        journey = cleaned.get("journey") or getattr(self.instance, "journey", None)
        if (
            owner is not None
            and journey is not None
            and has_role(owner, Role.MEMBER)
            and not cleaned.get("confirm_not_ready")
            and not selectors.is_ready_for_accounts(owner, journey)
        ):
            self.add_error(
                "confirm_not_ready",
                gettext(
                    "%(name)s has not finished the practicum and required training "
                    "yet. Confirm to assign the account anyway."
                )
                % {"name": owner.display_name},
            )
        return cleaned


class CoverageInline(ReadOnlyTabularInline):
    model = Coverage
    fields = [
        "model",
        "owner",
        "pool",
        "started_at",
        "ended_at",
        "assigned_by",
        "owner_not_ready_confirmed",
    ]
    readonly_fields = fields
    ordering = ["started_at"]


class StepEventInline(ReadOnlyTabularInline):
    model = StepEvent
    fields = [
        "step",
        "reached_at",
        "source",
        "recorded_by",
        "note",
        "voided_at",
        "void_reason",
    ]
    readonly_fields = fields
    ordering = ["reached_at", "id"]
    show_change_link = True


@admin.register(CustomerAccount)
class CustomerAccountAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = CustomerAccountForm
    list_display = [
        "name",
        "external_id",
        "segment",
        "arr",
        "journey",
        "covered_by",
        "is_active",
    ]
    list_filter = [
        "journey",
        CurrentCoverageFilter,
        CurrentPoolFilter,
        "segment",
        "is_active",
    ]
    list_select_related = ["journey"]
    search_fields = ["name", "external_id", "segment"]
    readonly_fields = ["created_at"]
    inlines = [CoverageInline, StepEventInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "coverage",
                    queryset=Coverage.objects.filter(
                        ended_at__isnull=True
                    ).select_related("owner", "pool"),
                    to_attr="open_coverage",
                )
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # The journey is fixed once the account exists: its events are on its steps.
        return ["journey", "created_at"] if obj is not None else ["created_at"]

    def get_fields(self, request, obj=None):
        fields = ["name", "external_id", "segment", "arr", "journey", "is_active"]
        return [*fields, "owner", "pool", "confirm_not_ready"]

    @admin.display(description=_("covered by"))
    def covered_by(self, obj):
        periods = getattr(obj, "open_coverage", None)
        if periods is None:
            periods = list(obj.coverage.filter(ended_at__isnull=True))
        if not periods:
            return "—"
        return periods[0].owner or periods[0].pool

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        owner, pool = data.get("owner"), data.get("pool")
        confirm = bool(data.get("confirm_not_ready"))
        try:
            if not change:
                account = services.account_create(
                    name=data["name"],
                    external_id=data["external_id"],
                    journey=data["journey"],
                    by=request.user,
                    segment=data.get("segment", ""),
                    arr=data.get("arr"),
                    owner=owner,
                    pool=pool,
                    confirm_not_ready=confirm,
                )
                if not data.get("is_active", True):
                    CustomerAccount.objects.filter(pk=account.pk).update(
                        is_active=False
                    )
                obj.pk = account.pk
                return
            super().save_model(request, obj, form, change)
            if owner is not None:
                services.account_assign_owner(
                    account=obj,
                    owner=owner,
                    by=request.user,
                    confirm_not_ready=confirm,
                )
            elif pool is not None:
                services.account_move_to_pool(account=obj, pool=pool, by=request.user)
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)


@admin.register(Coverage)
class CoverageAdmin(ReadOnlyAdmin):
    list_display = [
        "account",
        "model",
        "owner",
        "pool",
        "started_at",
        "ended_at",
        "owner_not_ready_confirmed",
    ]
    list_filter = [
        "model",
        ("ended_at", admin.EmptyFieldListFilter),
        "owner_not_ready_confirmed",
        "pool",
    ]
    list_select_related = ["account", "owner", "pool"]
    search_fields = [
        "account__name",
        "account__external_id",
        "owner__username",
        "owner__family_name",
        "pool__name",
    ]
    date_hierarchy = "started_at"


@admin.register(StepEvent)
class StepEventAdmin(ReadOnlyAdmin):
    """Append-only: a wrong event is voided, with a reason, on the account's page."""

    list_display = [
        "account",
        "step",
        "reached_at",
        "source",
        "recorded_by",
        "is_void",
    ]
    list_filter = [
        "source",
        ("voided_at", admin.EmptyFieldListFilter),
        "step__journey",
        "step",
    ]
    list_select_related = ["account", "step", "recorded_by"]
    search_fields = ["account__name", "account__external_id", "step__name", "note"]
    date_hierarchy = "reached_at"

    @admin.display(description=_("void"), boolean=True)
    def is_void(self, obj):
        return obj.voided_at is not None


@admin.register(ARRSnapshot)
class ARRSnapshotAdmin(ReadOnlyMixin, AuditedAdmin):
    """Read here, with each snapshot's history (who changed it, when, the values
    before and after). Recorded and corrected on the account's page, by import or
    through the API (`journeys.revenue`), which reclassify the account's later
    months."""

    list_display = [
        "account",
        "month",
        "arr",
        "previous_arr",
        "movement",
        "stated_movement",
        "source",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = [
        "movement",
        "source",
        ("stated_movement", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["account", "recorded_by"]
    search_fields = ["account__name", "account__external_id"]
    date_hierarchy = "month"


# --- Success plans ------------------------------------------------------------------


class SuccessMeasureInline(ReadOnlyTabularInline):
    model = SuccessMeasure
    fields = [
        "position",
        "name",
        "unit",
        "baseline",
        "baseline_on",
        "target",
        "target_on",
    ]


@admin.register(SuccessPlan)
class SuccessPlanAdmin(ReadOnlyMixin, AuditedAdmin):
    """Read here, with each plan's history (its outcome as it was worded before).
    Written on the account's page or through the API
    (`journeys.success_services`), by those who work with the account."""

    list_display = ["account", "outcome_kind", "customer_owner", "updated_at"]
    list_filter = ["outcome_kind"]
    list_select_related = ["account"]
    search_fields = ["account__name", "account__external_id", "outcome"]
    inlines = [SuccessMeasureInline]


@admin.register(SuccessMeasure)
class SuccessMeasureAdmin(ReadOnlyMixin, AuditedAdmin):
    """Read here, with each measure's history (baseline, target, value points)."""

    list_display = ["name", "plan", "baseline", "target", "target_on"]
    list_select_related = ["plan__account"]
    search_fields = ["name", "plan__account__name"]


@admin.register(SuccessProgress)
class SuccessProgressAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Append-only readings: a correction is a later entry for the same day."""

    list_display = ["measure", "measured_on", "value", "recorded_by", "recorded_at"]
    list_select_related = ["measure__plan__account", "recorded_by"]
    search_fields = ["measure__name", "measure__plan__account__name"]
    date_hierarchy = "measured_on"


# --- Success stories ----------------------------------------------------------------


@admin.register(SuccessStory)
class SuccessStoryAdmin(admin.ModelAdmin):
    """Read here: a story is its author's own writing, written, published and
    featured on the story pages or through the API (`journeys.story_services`).
    An admin may delete one (a story that should not be shared)."""

    list_display = [
        "title",
        "author",
        "account",
        "from_step",
        "status",
        "published_at",
        "featured_month",
    ]
    list_filter = ["status", "from_step__journey"]
    list_select_related = ["author", "account", "from_step"]
    search_fields = ["title", "account__name", "author__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Account health -----------------------------------------------------------------


class HealthPolicyAdminForm(forms.ModelForm):
    class Meta:
        model = HealthPolicy
        fields = list(POLICY_FIELDS)

    def _post_clean(self):
        # The policy's checks (`journeys.health.policy_errors`), each on its field.
        super()._post_clean()
        for name, errors in policy_errors(self.instance).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)


@admin.register(HealthPolicy)
class HealthPolicyAdmin(NoDeleteMixin, AuditedAdmin):
    """The latest policy applies (also on the page Health policy, with the rules
    in words). Each change is kept in the history: who, when, before and after."""

    form = HealthPolicyAdminForm
    list_display = [
        "__str__",
        "weight_pace",
        "weight_value_points",
        "weight_recency",
        "weight_arr_trend",
        "weight_plan",
        "healthy_from",
        "critical_below",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AccountHealth)
class AccountHealthAdmin(ReadOnlyAdmin):
    """Recorded by `journeys.health.record_health` (with each rollup run)."""

    list_display = [
        "account",
        "day",
        "score",
        "band",
        "pace",
        "value_points",
        "recency",
        "arr_trend",
        "plan",
    ]
    list_filter = ["band", "day"]
    list_select_related = ["account"]
    search_fields = ["account__name", "account__external_id"]
    date_hierarchy = "day"
