"""What judges people keeps an audit history: promotion criteria, career levels,
award programs, the hiring policy and success-profile weights record who changed
them, when, and the values before and after. Admins read it; nobody edits it."""

import pytest
from django.urls import reverse

from hiring import services as hiring_services
from hiring.models import HiringPolicy, ProfileWeight
from recognition.models import (
    AwardProgram,
    Cadence,
    CareerLevel,
    CompetencyCriterion,
    MetricCriterion,
    PromotionStep,
)
from recognition.services import awards as award_services
from recognition.services import promotion as promotion_services
from tests.factories import CompetencyFactory, SuccessProfileFactory, TeamFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.development_factories import ladder

pytestmark = pytest.mark.django_db


def _step(org, csm, senior, *, value, months=6, competencies=()):
    _journey, steps = journey_with_steps(2)
    key = f"step_conversion:{steps[0].pk}"
    step = promotion_services.step_save(
        step=PromotionStep(),
        by=org.admin,
        from_level=csm,
        to_level=senior,
        required_modules=[],
        metric_criteria=[
            {"metric": key, "comparison": "gte", "value": value, "months": months}
        ],
        competency_criteria=[
            {"competency": competency, "minimum_rating": rating}
            for competency, rating in competencies
        ],
    )
    return step, key


def test_changing_a_criterion_updates_it_in_place_and_records_before_and_after(org):
    csm, senior = ladder("CSM", "Senior CSM")
    empathy = CompetencyFactory(name_en="Empathy")
    step, key = _step(org, csm, senior, value=0.6, competencies=[(empathy, 3)])
    criterion = MetricCriterion.objects.get()

    promotion_services.step_save(
        step=step,
        by=org.admin,
        from_level=csm,
        to_level=senior,
        required_modules=[],
        metric_criteria=[
            {"metric": key, "comparison": "gte", "value": 0.7, "months": 6}
        ],
        competency_criteria=[],
    )

    # The same row, changed: not deleted and recreated.
    assert MetricCriterion.objects.get().pk == criterion.pk
    latest, created = criterion.history.order_by("-history_id")
    assert (latest.history_type, latest.history_user) == ("~", org.admin)
    assert (created.value, latest.value) == (0.6, 0.7)
    assert latest.history_date > created.history_date
    # The competency criterion that went away is recorded as deleted, with who.
    deleted = CompetencyCriterion.history.filter(history_type="-").get()
    assert (deleted.minimum_rating, deleted.history_user) == (3, org.admin)
    assert not CompetencyCriterion.objects.exists()


def test_saving_unchanged_criteria_records_nothing(org):
    csm, senior = ladder("CSM", "Senior CSM")
    step, key = _step(org, csm, senior, value=0.6)
    before = MetricCriterion.history.count(), PromotionStep.history.count()
    promotion_services.step_save(
        step=step,
        by=org.admin,
        from_level=csm,
        to_level=senior,
        required_modules=[],
        metric_criteria=[
            {"metric": key, "comparison": "gte", "value": 0.6, "months": 6}
        ],
        competency_criteria=[],
    )
    assert (MetricCriterion.history.count(), PromotionStep.history.count()) == before


def test_deleting_a_step_up_records_the_step_and_its_criteria(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    step, _key = _step(org, csm, senior, value=0.6)
    client.force_login(org.admin)
    client.post(reverse("recognition:ladder_step_delete", args=[step.pk]))
    assert not PromotionStep.objects.exists()
    step_gone = PromotionStep.history.get(history_type="-")
    criterion_gone = MetricCriterion.history.get(history_type="-")
    assert step_gone.history_user == criterion_gone.history_user == org.admin
    assert criterion_gone.value == 0.6


def test_a_career_level_change_is_recorded_through_the_page(client, org):
    (csm,) = ladder("CSM")
    client.force_login(org.admin)
    response = client.post(
        reverse("recognition:ladder_level_edit", args=[csm.pk]),
        {"name": "CSM I", "name_en": "CSM I", "position": 1, "description": ""},
    )
    assert response.status_code == 302
    change = CareerLevel.history.get(history_type="~")
    assert (change.prev_record.name, change.name) == ("CSM", "CSM I")
    assert change.history_user == org.admin


def test_award_program_settings_and_teams_are_recorded(org):
    program = award_services.award_program_create(
        by=org.admin, name="MVP", cadence=Cadence.MONTHLY, teams=[org.team_a]
    )
    award_services.award_program_update(
        program=program,
        by=org.admin,
        winners=1,
        minimum_denominator=10,
        teams=[org.team_a, org.team_b],
    )
    records = list(AwardProgram.history.order_by("history_id"))
    assert {r.history_user for r in records} == {org.admin}
    changed = [r for r in records if r.history_type == "~"]
    assert (records[0].winners, changed[-1].winners) == (3, 1)
    assert (records[0].minimum_denominator, changed[-1].minimum_denominator) == (
        5,
        10,
    )
    # The program as created (its teams are a record of their own, just after).
    teams_then = {row.team for row in changed[0].teams.all()}
    teams_now = {row.team for row in changed[-1].teams.all()}
    assert (teams_then, teams_now) == ({org.team_a}, {org.team_a, org.team_b})


def test_a_hiring_policy_change_in_the_admin_is_recorded(client, org):
    HiringPolicy.current()
    client.force_login(org.admin)
    response = client.post(
        reverse("admin:hiring_hiringpolicy_change", args=[1]),
        {
            "panel_visibility": HiringPolicy.PanelVisibility.ALWAYS,
            "reminder_after_hours": 48,
            "retention_days": 180,
            "feedback_link_days": 14,
        },
    )
    assert response.status_code == 302, response.text
    change = HiringPolicy.history.latest("history_id")
    assert change.history_user == org.admin
    assert change.prev_record.panel_visibility == "after_submit"
    assert (change.panel_visibility, change.reminder_after_hours) == ("always", 48)


def test_success_profile_weights_are_recorded_through_the_page(client, org):
    empathy = CompetencyFactory(name_en="Empathy")
    logic = CompetencyFactory(name_en="Logic")
    profile = SuccessProfileFactory(weights={empathy: 5, logic: 3})
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:profile_edit", args=[profile.pk]),
        {
            "name": profile.name,
            "name_en": "",
            "description": "",
            f"weight_{empathy.pk}": "4",
            f"weight_{logic.pk}": "",
        },
    )
    assert response.status_code == 302, response.text
    changed = ProfileWeight.history.get(profile=profile, history_type="~")
    assert (changed.prev_record.weight, changed.weight) == (5, 4)
    removed = ProfileWeight.history.get(profile=profile, history_type="-")
    assert (removed.competency, removed.weight) == (logic, 3)
    assert changed.history_user == removed.history_user == org.admin


def test_a_copied_profile_records_its_weights(org):
    empathy = CompetencyFactory(name_en="Empathy")
    profile = SuccessProfileFactory(weights={empathy: 5})
    copy = hiring_services.profile_copy(profile=profile, name="Copy")
    created = ProfileWeight.history.filter(profile=copy, history_type="+")
    assert [record.weight for record in created] == [5]


def test_admins_read_the_history_page_with_who_and_before_and_after(client, org):
    (csm,) = ladder("CSM")
    promotion_services.level_save(level=csm, by=org.admin, name="CSM I", position=1)
    client.force_login(org.admin)
    page = client.get(reverse("accounts:audit_history"))
    assert page.status_code == 200
    table = page.text.split('data-testid="audit-history"')[1]
    assert org.admin.display_name in table
    assert "<del>CSM</del> → <ins>CSM I</ins>" in table
    assert reverse("accounts:audit_history") in page.text  # in the navigation


def test_the_history_page_queries_do_not_grow_with_changes(
    client, org, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org.admin)
    (csm,) = ladder("CSM")
    promotion_services.level_save(level=csm, by=org.admin, name="A", position=1)
    award_services.award_program_create(
        by=org.admin, name="P", cadence=Cadence.MONTHLY, teams=[TeamFactory()]
    )
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:audit_history"))
    for n in range(10):
        promotion_services.level_save(level=csm, by=org.admin, name=f"B{n}", position=1)
        award_services.award_program_create(
            by=org.admin, name=f"P{n}", cadence=Cadence.MONTHLY, teams=[TeamFactory()]
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("accounts:audit_history"))


@pytest.mark.parametrize("role", ["manager", "member", "interviewer", "recruiter"])
def test_others_cannot_read_the_history(client, org, role):
    (csm,) = ladder("CSM")
    promotion_services.level_save(level=csm, by=org.admin, name="CSM I", position=1)
    client.force_login(org.by_role()[role])
    assert client.get(reverse("accounts:audit_history")).status_code == 403
    admin_history = client.get(
        reverse("admin:recognition_careerlevel_history", args=[csm.pk])
    )
    assert admin_history.status_code == 302  # to the admin login: not staff
    assert "CSM I" not in admin_history.text


def test_the_admin_shows_the_history_and_cannot_revert_or_edit_it(client, org):
    (csm,) = ladder("CSM")
    promotion_services.level_save(level=csm, by=org.admin, name="CSM I", position=1)
    client.force_login(org.admin)
    history = client.get(
        reverse("admin:recognition_careerlevel_history", args=[csm.pk])
    )
    assert history.status_code == 200
    assert "CSM I" in history.text
    first = CareerLevel.history.earliest("history_id")
    version = reverse(
        "admin:recognition_careerlevel_simple_history",
        args=[csm.pk, first.history_id],
    )
    assert client.get(version).status_code == 200
    response = client.post(
        version, {"name": "CSM", "name_en": "CSM", "position": 1, "description": ""}
    )
    assert response.status_code == 403
    csm.refresh_from_db()
    assert csm.name == "CSM I"
    # The recorded versions themselves have no admin pages to add, change or delete.
    from django.contrib import admin

    assert CareerLevel.history.model not in admin.site._registry
    assert CareerLevel.history.count() == 2


def test_the_history_page_shows_values_as_people_read_them(client, org):
    program = award_services.award_program_create(
        by=org.admin, name="MVP", cadence=Cadence.MONTHLY, teams=[org.team_a]
    )
    award_services.award_program_update(program=program, by=org.admin, is_active=False)
    client.force_login(org.admin)
    table = client.get(reverse("accounts:audit_history")).text
    assert "<del>Yes</del> → <ins>No</ins>" in table
    assert "<del>—</del> → <ins>Monthly</ins>" in table  # a choice, by its label
    assert "<del>—</del> → <ins>Team A</ins>" in table  # the teams taking part


def _history_rows_read():
    """Counts the history rows the database hands back as records."""
    from django.apps import apps
    from django.db.models.signals import post_init

    from accounts.audit import AUDITED_MODELS

    read = []

    def count(sender, **kwargs):
        read.append(sender)

    senders = [
        apps.get_model(app_label, name).history.model
        for app_label, name, _parent in AUDITED_MODELS
    ]
    for sender in senders:
        post_init.connect(count, sender=sender, weak=False)

    def disconnect():
        for sender in senders:
            post_init.disconnect(count, sender=sender)

    return read, disconnect


def _rename(level, times: int, by, *, prefix: str) -> None:
    for n in range(times):
        promotion_services.level_save(
            level=level, by=by, name=f"{prefix}{n}", position=level.position
        )


def test_the_history_page_is_paged_in_the_database(client, org):
    """Each page reads a page's rows (and the row before each), not the whole
    history, with as many queries at 10 changes as at 130, criteria included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.views import AUDIT_ENTRIES_PER_PAGE

    client.force_login(org.admin)
    csm, senior, lead, head = ladder("CSM", "Senior CSM", "Lead", "Head")
    _step(org, csm, senior, value=0.6)
    _rename(csm, 10, org.admin, prefix="A")
    url = reverse("accounts:audit_history")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _rename(csm, 60, org.admin, prefix="B")
    _step(org, senior, lead, value=0.5)
    _rename(senior, 60, org.admin, prefix="C")
    _step(org, lead, head, value=0.4)
    read, disconnect = _history_rows_read()
    pages, texts = 1, []
    try:
        while len(texts) < pages:
            del read[:]
            with CaptureQueriesContext(connection) as large:
                response = client.get(url, {"page": len(texts) + 1})
            pages = response.context["page"].paginator.num_pages
            texts.append(response.text)
            assert len(read) <= 2 * AUDIT_ENTRIES_PER_PAGE
            # A query per kind of change on the page, at most: the small page
            # holds every kind of this test (and the organisation's weights).
            assert len(large) <= len(small)
    finally:
        disconnect()
    assert pages >= 3
    # Latest first; every change once, on one page, with its values before, also
    # when the change before it is on the next page.
    assert "<del>C58</del> → <ins>C59</ins>" in texts[0]
    changes = [
        f"<del>{before}</del> → <ins>{after}</ins>"
        for names in (
            ["CSM"] + [f"A{n}" for n in range(10)] + [f"B{n}" for n in range(60)],
            ["Senior CSM"] + [f"C{n}" for n in range(60)],
        )
        for before, after in zip(names, names[1:], strict=False)
    ]
    for change in changes:
        assert sum(text.count(change) for text in texts) == 1, change


def test_a_criterion_shows_its_metric_by_label(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    _step_up, key = _step(org, csm, senior, value=0.6)
    client.force_login(org.admin)
    table = client.get(reverse("accounts:audit_history")).text
    assert key not in table
    assert "Conversion 1." in table  # the catalogue's label of the transition
    # Its threshold in the metric's unit, as the ladder reads it.
    assert "<del>—</del> → <ins>60.0 %</ins>" in table
    assert "Conversion 1. Step 1 → 2. Step 2" in table
