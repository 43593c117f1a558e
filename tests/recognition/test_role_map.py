"""The role map (issue 14): the standard CS functions made on first use, the four
quadrants with "needs a dedicated person next" highlighted, admins' edits with
errors on the fields, managers reading, the other roles refused, and a page whose
queries do not grow with the functions."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from recognition import organisation
from recognition.models import RoleFunction, RoleImportance, RoleStatus
from recognition.services import organisation as services

pytestmark = pytest.mark.django_db

PAGE = reverse("recognition:role_map")


def _standard(key: str) -> RoleFunction:
    services.role_functions_ensure()
    return RoleFunction.objects.get(key=key)


def _quadrant_names(response, quadrant: str) -> list[str]:
    cell = next(c for c in response.context["quadrants"] if c.quadrant.key == quadrant)
    return [str(f.display_name) for f in cell.functions]


def test_the_standard_functions_are_made_once_on_first_use(client, org):
    client.force_login(org.admin)
    assert RoleFunction.objects.count() == 0
    response = client.get(PAGE)
    assert response.status_code == 200
    for function in organisation.STANDARD_FUNCTIONS:
        assertContains(response, str(function.name))
    client.get(PAGE)
    assert RoleFunction.objects.count() == len(organisation.STANDARD_FUNCTIONS)
    # Nothing is important now yet: every function sits in "later".
    assert len(_quadrant_names(response, organisation.LATER_OPEN)) == len(
        organisation.STANDARD_FUNCTIONS
    )


def test_important_now_without_a_dedicated_person_needs_one_next(client, org):
    services.role_function_save(
        function=_standard("onboarding"),
        by=org.admin,
        status=RoleStatus.DEDICATED,
        importance=RoleImportance.NOW,
        owner=org.manager_a,
    )
    services.role_function_save(
        function=_standard("operations"),
        by=org.admin,
        status=RoleStatus.SHARED,
        shared_with="the team leaders",
        importance=RoleImportance.NOW,
    )
    services.role_function_save(
        function=_standard("community"),
        by=org.admin,
        status=RoleStatus.DEDICATED,
        importance=RoleImportance.LATER,
    )
    client.force_login(org.manager_a)
    response = client.get(PAGE)
    assert _quadrant_names(response, organisation.NEEDS_PERSON) == ["CS operations"]
    assert _quadrant_names(response, organisation.COVERED) == ["Onboarding"]
    assert _quadrant_names(response, organisation.LATER_COVERED) == ["Community"]
    assertContains(response, "1 function important now has no dedicated person.")
    assertContains(response, "Shared with the team leaders")
    assertContains(response, 'data-quadrant="needs_person"')
    # The highlighted quadrant is the first one and carries the warning style.
    html = response.content.decode()
    needs = html.index('data-quadrant="needs_person"')
    assert "role-quadrant-next" in html[needs - 120 : needs]
    # Managers read only.
    assertNotContains(response, reverse("recognition:role_function_create"))


def test_an_admin_adds_an_own_function_and_errors_stay_on_the_fields(client, org):
    client.force_login(org.admin)
    client.get(PAGE)
    url = reverse("recognition:role_function_create")
    response = client.post(
        url,
        {
            "name": "",
            "status": "shared",
            "shared_with": "",
            "importance": "now",
            "note": "Renewal desk idea",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["A function of your own needs a name."]
    assert form.errors["shared_with"] == ["Say which role shares this function."]
    assertContains(response, "Renewal desk idea")
    assert not RoleFunction.objects.filter(key="").exists()
    assert RoleFunction.objects.count() == len(organisation.STANDARD_FUNCTIONS)

    response = client.post(
        url,
        {
            "name": "Professional services",
            "status": "shared",
            "shared_with": "Solutions engineers",
            "importance": "now",
            "owner": org.manager_b.pk,
        },
    )
    assert response.status_code == 302
    own = RoleFunction.objects.get(name="Professional services")
    assert (own.key, own.shared_with, own.owner) == (
        "",
        "Solutions engineers",
        org.manager_b,
    )
    # Placed after the standard functions.
    assert own.position > max(
        RoleFunction.objects.exclude(pk=own.pk).values_list("position", flat=True)
    )
    assert own.history.first().history_user == org.admin


def test_who_shares_is_forgotten_once_the_function_is_no_longer_shared(org):
    function = services.role_function_save(
        function=_standard("renewal"),
        by=org.admin,
        status=RoleStatus.SHARED,
        shared_with="Sales",
        importance=RoleImportance.NOW,
    )
    services.role_function_save(
        function=function,
        by=org.admin,
        status=RoleStatus.DEDICATED,
        shared_with="Sales",
        importance=RoleImportance.NOW,
    )
    function.refresh_from_db()
    assert function.shared_with == ""


def test_functions_are_still_added_after_one_placed_at_the_last_position(org):
    """A function moved to the largest position the column holds: those added
    after it go there too, listed by creation, instead of being refused."""

    def add(name):
        return services.role_function_save(
            function=RoleFunction(),
            by=org.admin,
            name=name,
            status=RoleStatus.NOT_STARTED,
            importance=RoleImportance.LATER,
        )

    last = add("Moved last")
    last.position = services.LAST_POSITION
    last.save(update_fields=["position"])
    after = [add("After it"), add("And another")]
    assert [f.position for f in after] == [services.LAST_POSITION] * 2
    assert list(RoleFunction.objects.filter(position=services.LAST_POSITION)) == [
        last,
        *after,
    ]


def test_a_standard_function_is_renamed_but_never_deleted(client, org):
    function = _standard("digital")
    client.force_login(org.admin)
    response = client.post(
        reverse("recognition:role_function_edit", args=[function.pk]),
        {
            "name": "Tech-touch programmes",
            "status": "not_started",
            "importance": "later",
        },
    )
    assert response.status_code == 302
    function.refresh_from_db()
    assert function.display_name == "Tech-touch programmes"
    response = client.post(
        reverse("recognition:role_function_delete", args=[function.pk]), follow=True
    )
    assertContains(response, "A standard function stays on the map")
    assert RoleFunction.objects.filter(pk=function.pk).exists()


def test_an_own_function_is_deleted(client, org):
    own = services.role_function_save(
        function=RoleFunction(),
        by=org.admin,
        name="Partner success",
        status=RoleStatus.NOT_STARTED,
        importance=RoleImportance.LATER,
    )
    client.force_login(org.admin)
    response = client.post(reverse("recognition:role_function_delete", args=[own.pk]))
    assert response.status_code == 302
    assert not RoleFunction.objects.filter(pk=own.pk).exists()


def test_managers_read_admins_write_the_others_are_refused(client, org):
    function = _standard("adoption")
    edit = reverse("recognition:role_function_edit", args=[function.pk])
    client.force_login(org.manager_a)
    assert client.get(PAGE).status_code == 200
    response = client.post(edit, {"status": "dedicated", "importance": "now"})
    assert response.status_code == 403
    function.refresh_from_db()
    assert function.status == RoleStatus.NOT_STARTED
    with pytest.raises(PermissionError):
        services.role_function_save(
            function=function,
            by=org.manager_a,
            status=RoleStatus.DEDICATED,
            importance=RoleImportance.NOW,
        )
    for user in (org.member_a, org.interviewer, org.recruiter):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403


def test_the_page_queries_do_not_grow_with_the_functions(
    client, org, django_assert_max_num_queries
):
    client.force_login(org.admin)
    client.get(PAGE)
    with django_assert_max_num_queries(9):
        assert client.get(PAGE).status_code == 200
    for number in range(15):
        services.role_function_save(
            function=RoleFunction(),
            by=org.admin,
            name=f"Own {number}",
            status=RoleStatus.DEDICATED,
            importance=RoleImportance.NOW,
            owner=org.manager_a if number % 2 else org.manager_b,
        )
    with django_assert_max_num_queries(9):
        response = client.get(PAGE)
    assertContains(response, "Own 14")


def test_the_admins_bulk_delete_refuses_a_selection_with_a_standard_function(
    client, org
):
    # Django's "delete selected" asks has_delete_permission(obj) of each object:
    # a standard function in the selection refuses the whole deletion.
    standard = _standard("renewal")
    own = services.role_function_save(
        function=RoleFunction(),
        by=org.admin,
        name="Community",
        status=RoleStatus.NOT_STARTED,
        importance=RoleImportance.LATER,
    )
    client.force_login(org.admin)
    changelist = reverse("admin:recognition_rolefunction_changelist")
    selection = {"action": "delete_selected", "_selected_action": [standard.pk, own.pk]}
    assertContains(client.post(changelist, selection), "Cannot delete")
    confirmed = client.post(changelist, {**selection, "post": "yes"})
    assert confirmed.status_code == 403
    assert RoleFunction.objects.filter(pk__in=[standard.pk, own.pk]).count() == 2
    # The admin's own functions alone are deleted.
    client.post(changelist, {**selection, "_selected_action": [own.pk], "post": "yes"})
    assert not RoleFunction.objects.filter(pk=own.pk).exists()
    assert RoleFunction.objects.filter(pk=standard.pk).exists()
