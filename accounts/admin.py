from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Role, RolePeriod, Team, TeamMembership, User


class MembershipForm(forms.ModelForm):
    """Applies the service's rule that a user belongs to one team at a time."""

    class Meta:
        model = TeamMembership
        fields = ["team", "user", "start_date", "end_date"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("user") and cleaned.get("start_date"):
            candidate = TeamMembership(
                pk=self.instance.pk,
                team=cleaned.get("team") or getattr(self.instance, "team", None),
                user=cleaned["user"],
                start_date=cleaned["start_date"],
                end_date=cleaned.get("end_date"),
            )
            services.validate_membership(candidate)
        return cleaned


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]
    fk_name = "team"


class RolePeriodInline(admin.TabularInline):
    """The role history, read only: roles change through the groups above, which
    `services.user_set_roles` turns into periods."""

    model = RolePeriod
    fields = ["role", "started_at", "ended_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("role history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def group_label(group) -> str:
    """A group of a role by the role's name in the page's language (the groups
    are named by the roles' values, in English); any other group by its name."""
    return str(Role(group.name).label) if group.name in Role.values else group.name


class RoleGroupFilter(admin.RelatedFieldListFilter):
    """The list's filter by group, the groups of roles by their roles' names."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ["name"]
        groups = field.remote_field.model._default_manager.order_by(*ordering)
        return [(group.pk, group_label(group)) for group in groups]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RolePeriodInline]
    list_display = [
        "username",
        "display_name",
        "email",
        "preferred_language",
        "is_active",
        "is_staff",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "is_superuser",
        ("groups", RoleGroupFilter),
        "preferred_language",
    ]
    search_fields = [
        "username",
        "email",
        "family_name",
        "given_name",
        "family_name_reading",
        "given_name_reading",
    ]
    ordering = ["family_name_reading", "given_name_reading", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    ("family_name", "given_name"),
                    ("family_name_reading", "given_name_reading"),
                    "email",
                    "preferred_language",
                    "leader_since",
                )
            },
        ),
        (
            _("Roles and permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    ("family_name", "given_name"),
                    ("family_name_reading", "given_name_reading"),
                    "email",
                    "preferred_language",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = group_label
        return field

    @admin.display(description=_("name"), ordering="family_name_reading")
    def display_name(self, obj):
        return obj.get_full_name()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "groups" in form.cleaned_data:
            # The groups of roles go through the service: it ends and starts the
            # role periods and keeps the staff flag in step with the Admin role.
            services.user_set_roles(
                user=form.instance,
                roles=[
                    Role(group.name)
                    for group in form.cleaned_data["groups"]
                    if group.name in Role.values
                ],
            )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "parent", "leader"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            services.validate_team_parent(
                team=self.instance, parent=cleaned.get("parent")
            )
        return cleaned


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ["name", "parent", "leader"]
    list_select_related = ["parent", "leader"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "leader"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "leader" in form.changed_data:
            # Starts the leader's experience as leader, as the service does.
            services.team_set_leader(team=obj, leader=obj.leader)


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "team", "start_date", "end_date"]
    list_filter = ["team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "user__family_name", "team__name"]
    autocomplete_fields = ["user", "team"]
    date_hierarchy = "start_date"
