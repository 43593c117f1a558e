"""Roles are held in dated periods (METRICS.md: a member promoted to manager keeps
the credit for their past accounts); one service changes them, wherever roles are
edited, and keeps the groups (today's roles) and the staff flag in step."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Role, RolePeriod
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


def _periods(user) -> list[tuple]:
    return list(
        RolePeriod.objects.filter(user=user).values_list(
            "role", "started_at", "ended_at"
        )
    )


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_a_user_created_with_roles_holds_them_since_always():
    user = services.user_create(
        username="hanako", roles=[Role.MEMBER, Role.INTERVIEWER], send_welcome=False
    )
    # No start: the history imported for them counts (METRICS.md).
    assert _periods(user) == [("Interviewer", None, None), ("Member", None, None)]
    assert _groups(user) == {"Member", "Interviewer"}


def test_a_promotion_ends_the_member_period_and_starts_the_manager_one():
    user = services.user_create(
        username="sato", roles=[Role.MEMBER], send_welcome=False
    )
    promoted_at = timezone.now() - timedelta(days=3)
    services.user_set_roles(user=user, roles=[Role.MANAGER], at=promoted_at)
    assert _periods(user) == [
        ("Manager", promoted_at, None),
        ("Member", None, promoted_at),
    ]
    # Today's roles, read by every permission check.
    assert _groups(user) == {"Manager"}


def test_setting_the_same_roles_again_changes_nothing():
    user = UserFactory(roles=[Role.MEMBER])
    services.user_set_roles(user=user, roles=[Role.MEMBER])
    assert _periods(user) == [("Member", None, None)]


def test_a_role_given_back_starts_a_new_period_and_keeps_the_gap():
    user = UserFactory(roles=[Role.MEMBER])
    now = timezone.now()
    left, back = now - timedelta(days=30), now - timedelta(days=10)
    services.user_set_roles(user=user, roles=[], at=left)
    services.user_set_roles(user=user, roles=[Role.MEMBER], at=back)
    assert _periods(user) == [("Member", None, left), ("Member", back, None)]


def test_a_role_cannot_start_again_inside_its_past_period_or_in_the_future():
    user = UserFactory(roles=[Role.MEMBER])
    left = timezone.now() - timedelta(days=10)
    services.user_set_roles(user=user, roles=[], at=left)
    with pytest.raises(ValidationError):
        services.user_set_roles(
            user=user, roles=[Role.MEMBER], at=left - timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.user_set_roles(
            user=user, roles=[Role.MEMBER], at=timezone.now() + timedelta(days=1)
        )
    assert _periods(user) == [("Member", None, left)]


def test_the_admin_role_brings_the_admin_pages_and_losing_it_takes_them_away():
    user = UserFactory(roles=[Role.MANAGER])
    assert not user.is_staff
    services.user_set_roles(user=user, roles=[Role.MANAGER, Role.ADMIN])
    user.refresh_from_db()
    assert user.is_staff
    services.user_set_roles(user=user, roles=[Role.MANAGER])
    user.refresh_from_db()
    assert not user.is_staff


def test_a_superuser_losing_the_admin_role_stays_staff():
    user = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    services.user_set_roles(user=user, roles=[])
    user.refresh_from_db()
    assert user.is_staff


def test_groups_that_are_not_roles_are_left_alone():
    user = UserFactory(roles=[Role.MEMBER])
    readers = Group.objects.create(name="Newsletter readers")
    user.groups.add(readers)
    services.user_set_roles(user=user, roles=[Role.MANAGER])
    assert _groups(user) == {"Manager", "Newsletter readers"}


# The Django admin ------------------------------------------------------------------


def _change_form_data(client, user) -> dict:
    """What the admin's user change form posts unchanged: its initial values and
    the inline management forms."""
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("password",) or value is None:
            continue
        if name in ("groups", "user_permissions"):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.date().isoformat()
            data[f"{name}_1"] = local.time().strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for index, each in enumerate(formset.initial_forms):
            data[f"{formset.prefix}-{index}-id"] = each.instance.pk
            data[f"{formset.prefix}-{index}-user"] = user.pk
    return data


@pytest.fixture
def admin_client(client):
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_roles_edited_in_the_django_admin_go_through_the_service(admin_client):
    user = UserFactory(roles=[Role.MEMBER])
    data = _change_form_data(admin_client, user)
    data["groups"] = [Group.objects.get(name=Role.ADMIN.value).pk]
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    roles = {role: (start, end) for role, start, end in _periods(user)}
    # The Member period ended when the admin saved; the Admin one started then.
    assert roles["Member"][0] is None and roles["Member"][1] is not None
    assert roles["Admin"] == (roles["Member"][1], None)
    assert _groups(user) == {"Admin"}
    assert user.is_staff


def test_taking_the_admin_role_away_in_the_django_admin_takes_the_staff_flag(
    admin_client,
):
    user = UserFactory(roles=[Role.ADMIN, Role.MANAGER])
    user.refresh_from_db()
    assert user.is_staff
    data = _change_form_data(admin_client, user)
    data["groups"] = [Group.objects.get(name=Role.MANAGER.value).pk]
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_staff
    assert RolePeriod.objects.get(user=user, role=Role.ADMIN).ended_at is not None


def test_the_role_history_shows_in_the_django_admin(admin_client):
    user = UserFactory(roles=[Role.MEMBER])
    services.user_set_roles(
        user=user, roles=[Role.MANAGER], at=datetime(2026, 4, 1, tzinfo=JST)
    )
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    inline = next(
        each
        for each in page.context["inline_admin_formsets"]
        if each.formset.model is RolePeriod
    )
    assert len(inline.formset.initial_forms) == 2


def test_the_migration_gives_todays_holders_a_period_held_since_always():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0004_role_periods")
    # A user as the groups left them before periods were kept.
    user = UserFactory()
    user.groups.add(
        Group.objects.get_or_create(name=Role.MEMBER.value)[0],
        Group.objects.get_or_create(name=Role.INTERVIEWER.value)[0],
    )
    migration.periods_for_current_roles(apps, schema_editor=None)
    # No start, not `date_joined`: imported history before it stays credited.
    assert _periods(user) == [("Interviewer", None, None), ("Member", None, None)]


def test_the_django_admin_names_the_roles_in_the_page_language(admin_client):
    """The groups of roles are named by the roles' values (English); the user form
    offers them by the roles' translated names, other groups by their own."""
    user = UserFactory(roles=[Role.MEMBER])
    Group.objects.create(name="Newsletter readers")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    admin_client.cookies["django_language"] = "ja"
    form = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ja").context["adminform"].form
    offered = {label for _value, label in form.fields["groups"].choices}
    assert {"メンバー（CSM）", "マネージャー", "Newsletter readers"} <= offered
    assert "Member" not in offered and "Manager" not in offered
    # The list's filter by group too.
    changelist = admin_client.get(
        reverse("admin:accounts_user_changelist"), HTTP_ACCEPT_LANGUAGE="ja"
    ).text
    assert "メンバー（CSM）" in changelist and "Newsletter readers" in changelist
