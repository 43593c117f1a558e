"""Step retrospectives: a member looks back on a month at a transition (offered
worst conversion first), the member's leader comments; one per member, month and
transition; who reads, writes and comments."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recognition import metrics
from recognition.models import StepRetrospective
from recognition.selectors import dashboard as selectors
from recognition.services import retrospectives as services
from tests.journeys.factories import StepFactory
from tests.recognition.dashboard_factories import APRIL, build_dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return build_dashboard_world(org)


def _write(member, step, *, period=APRIL, by=None, **texts):
    texts = texts or {"went_well": "キックオフを早めた"}
    return services.retrospective_write(
        member=member, by=by or member, period=period, from_step=step, **texts
    )


def _next_month() -> str:
    return f"{metrics.add_months(metrics.this_month(), 1):%Y-%m}"


# --- Services -----------------------------------------------------------------------


def test_a_member_writes_a_retrospective_of_a_month_at_a_transition(org, world):
    retrospective = _write(
        org.member_a,
        world.s1,
        went_well=" 早めに連絡した ",
        went_badly="設定が遅れた",
        next_time="チェックリストを先に送る",
    )
    retrospective.refresh_from_db()
    assert (retrospective.member, retrospective.period, retrospective.from_step) == (
        org.member_a,
        APRIL,
        world.s1,
    )
    assert retrospective.went_well == "早めに連絡した"
    assert retrospective.manager_comment == ""


def test_one_retrospective_per_member_month_and_transition(org, world):
    _write(org.member_a, world.s1)
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, world.s1)
    assert "already a retrospective on this transition for this period" in str(
        error.value
    )
    # Another month, another transition or another member is fine.
    _write(org.member_a, world.s1, period="2026-05")
    _write(org.member_a, world.s2)
    _write(world.member_c, world.s1)
    assert StepRetrospective.objects.count() == 4


@pytest.mark.parametrize(
    "period, message",
    [
        ("2026-13", "Unknown period"),
        ("garbage", "Unknown period"),
        ("FY2026-Q1", "about one month"),
        ("last-3", "about one month"),
    ],
)
def test_the_period_is_a_past_or_current_month(org, world, period, message):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, world.s1, period=period)
    assert message in " ".join(error.value.message_dict["period"])


def test_a_future_month_is_refused(org, world):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, world.s1, period=_next_month())
    assert "looks back" in " ".join(error.value.message_dict["period"])


def test_the_last_step_or_a_retired_step_is_no_transition(org, world):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, world.steps[2])
    assert "from_step" in error.value.message_dict
    retired = StepFactory(
        journey=world.journey, position=None, retired_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        _write(org.member_a, retired)


def test_something_must_be_written(org, world):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, world.s1, went_well="  ", went_badly="", next_time="")
    assert "Write at least one" in str(error.value)
    assert not StepRetrospective.objects.exists()


def test_members_write_only_their_own(org, world):
    with pytest.raises(PermissionError):
        _write(org.member_a, world.s1, by=org.manager_a)
    with pytest.raises(PermissionError):
        _write(org.manager_a, world.s1)  # not a member
    assert not StepRetrospective.objects.exists()


def test_the_author_changes_the_texts_and_the_comment_stays(org, world):
    retrospective = _write(org.member_a, world.s1)
    services.retrospective_comment(
        retrospective=retrospective, by=org.manager_a, comment="いいね"
    )
    services.retrospective_update(
        retrospective=retrospective,
        by=org.member_a,
        went_well="",
        went_badly="遅れた",
        next_time="",
    )
    retrospective.refresh_from_db()
    assert (retrospective.went_well, retrospective.went_badly) == ("", "遅れた")
    assert retrospective.manager_comment == "いいね"
    with pytest.raises(PermissionError):
        services.retrospective_update(
            retrospective=retrospective, by=org.manager_a, went_well="x"
        )


def test_the_member_s_leader_comments_without_changing_when_it_was_written(org, world):
    retrospective = _write(org.member_a, world.s1)
    written_at = retrospective.written_at
    services.retrospective_comment(
        retrospective=retrospective, by=org.manager_a, comment="  次はデモを先に  "
    )
    retrospective.refresh_from_db()
    assert retrospective.manager_comment == "次はデモを先に"
    assert retrospective.commented_by == org.manager_a
    assert retrospective.commented_at is not None
    assert retrospective.written_at == written_at


@pytest.mark.parametrize("who", ["member_a", "manager_b", "sub_leader"])
def test_only_the_member_s_leaders_and_admins_comment(org, world, who):
    retrospective = _write(org.member_a, world.s1)
    with pytest.raises(PermissionError):
        services.retrospective_comment(
            retrospective=retrospective, by=getattr(org, who), comment="x"
        )
    services.retrospective_comment(
        retrospective=retrospective, by=org.admin, comment="admin"
    )


def test_an_empty_comment_is_refused(org, world):
    retrospective = _write(org.member_a, world.s1)
    with pytest.raises(ValidationError) as error:
        services.retrospective_comment(
            retrospective=retrospective, by=org.manager_a, comment="   "
        )
    assert "manager_comment" in error.value.message_dict


def test_retrospectives_are_read_by_the_member_their_leaders_and_admins(org, world):
    retrospective = _write(org.member_a, world.s1)
    for reader in (org.member_a, org.manager_a, org.admin):
        assert retrospective in selectors.visible_retrospectives(reader)
    for outsider in (org.manager_b, world.member_c, org.sub_leader, org.interviewer):
        assert retrospective not in selectors.visible_retrospectives(outsider)


def test_transitions_are_offered_worst_conversion_first(org, world):
    """member_c in April: 1 → 2 is 100 % (3 of 3), 2 → 3 is 33.3 % (1 of 3)."""
    choices = selectors.retrospective_transitions(
        member=world.member_c, period=metrics.parse_period(APRIL)
    )
    assert [choice.transition.step for choice in choices] == [world.s2, world.s1]
    # member_a: both 50 %; the larger cohort (1 → 2, 4 accounts) first.
    choices = selectors.retrospective_transitions(
        member=org.member_a, period=metrics.parse_period(APRIL)
    )
    assert [choice.transition.step for choice in choices] == [world.s1, world.s2]
    # A month without cohorts lists them all, in journey order.
    choices = selectors.retrospective_transitions(
        member=org.member_a, period=metrics.parse_period("2026-07")
    )
    assert [choice.transition.step for choice in choices] == [world.s1, world.s2]
    assert choices[0].figure.value is None


# --- Pages ---------------------------------------------------------------------------


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="from_step".*?</select>', html, re.S)[0]
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)
    ]


def test_the_form_offers_the_worst_transitions_of_the_month_first(client, org, world):
    client.force_login(world.member_c)
    html = client.get(
        reverse("recognition:retrospective_create") + f"?period={APRIL}"
    ).text
    assert _options(html)[1:] == [
        "2. Step 2 → 3. Step 3 (オンボーディング): 33.3 % (1 of 3)",
        "1. Step 1 → 2. Step 2 (オンボーディング): 100.0 % (3 of 3)",
    ]
    assert "Month: Apr 2026" in html


def test_a_member_writes_one_from_the_form_and_reads_it(client, org, world):
    client.force_login(org.member_a)
    url = (
        reverse("recognition:retrospective_create")
        + f"?period={APRIL}&step={world.s1.pk}"
    )
    assert f'<option value="{world.s1.pk}" selected>' in client.get(url).text
    response = client.post(
        url,
        {
            "from_step": world.s1.pk,
            "went_well": "",
            "went_badly": "ワークショップが遅れた",
            "next_time": "日程を先に押さえる",
        },
    )
    retrospective = StepRetrospective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "recognition:retrospective_detail", args=[retrospective.pk]
    )
    assert (retrospective.period, retrospective.from_step) == (APRIL, world.s1)
    html = client.get(response["Location"]).text
    assert "ワークショップが遅れた" in html and "日程を先に押さえる" in html
    assert "No comment yet." in html
    assert 'name="manager_comment"' not in html


def test_a_second_retrospective_on_the_same_transition_keeps_what_was_typed(
    client, org, world
):
    _write(org.member_a, world.s1)
    client.force_login(org.member_a)
    url = reverse("recognition:retrospective_create") + f"?period={APRIL}"
    response = client.post(
        url, {"from_step": world.s1.pk, "next_time": "二度目のふりかえり"}
    )
    assert response.status_code == 200
    assert "already a retrospective on this transition" in response.text
    assert "二度目のふりかえり" in response.text
    assert StepRetrospective.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"from_step": "", "went_well": "x"}, "This field is required."),
        ({"from_step": "999999", "went_well": "x"}, "Choose one of the transitions"),
        ({"from_step": "abc", "went_well": "x"}, "Choose one of the transitions"),
        ({"from_step": "{s1}"}, "Write at least one"),
    ],
)
def test_the_form_explains_what_is_wrong(client, org, world, data, message):
    client.force_login(org.member_a)
    data = {key: value.format(s1=world.s1.pk) for key, value in data.items()}
    response = client.post(reverse("recognition:retrospective_create"), data)
    assert response.status_code == 200
    assert message in response.text
    assert not StepRetrospective.objects.exists()


def test_a_wrong_month_in_the_address_falls_back_to_last_month(client, org, world):
    client.force_login(org.member_a)
    last_month = metrics.add_months(metrics.this_month(), -1)
    for wrong in ("2026-99", _next_month(), "FY2026-Q1"):
        html = client.get(
            reverse("recognition:retrospective_create") + f"?period={wrong}"
        ).text
        assert f"Month: {last_month:%b %Y}" in html
        assert 'class="alert alert-warning' in html


def test_only_members_write_retrospectives(client, org, world):
    for who in (org.manager_a, org.admin, org.interviewer):
        client.force_login(who)
        response = client.get(reverse("recognition:retrospective_create"))
        assert response.status_code == 403


def test_the_leader_comments_from_the_retrospective_page(client, org, world):
    retrospective = _write(org.member_a, world.s1)
    url = reverse("recognition:retrospective_detail", args=[retrospective.pk])
    client.force_login(org.manager_a)
    assert client.post(url, {"manager_comment": ""}).status_code == 200
    response = client.post(url, {"manager_comment": "デモの順番を変えてみよう"})
    assert response.status_code == 302
    retrospective.refresh_from_db()
    assert retrospective.manager_comment == "デモの順番を変えてみよう"
    client.force_login(org.member_a)
    html = client.get(url).text
    assert "デモの順番を変えてみよう" in html
    assert "青木" in html  # manager_a's name


def test_the_member_cannot_comment_and_outsiders_do_not_find_it(client, org, world):
    retrospective = _write(org.member_a, world.s1)
    url = reverse("recognition:retrospective_detail", args=[retrospective.pk])
    client.force_login(org.member_a)
    assert client.post(url, {"manager_comment": "self"}).status_code == 403
    for outsider in (org.manager_b, world.member_c):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"manager_comment": "x"}).status_code == 404
    retrospective.refresh_from_db()
    assert retrospective.manager_comment == ""


def test_the_author_changes_it_and_nobody_else(client, org, world):
    retrospective = _write(org.member_a, world.s1)
    url = reverse("recognition:retrospective_edit", args=[retrospective.pk])
    client.force_login(org.manager_a)
    assert client.get(url).status_code == 403
    client.force_login(org.manager_b)
    assert client.get(url).status_code == 404
    client.force_login(org.member_a)
    response = client.post(url, {"went_well": "", "went_badly": "", "next_time": ""})
    assert "Write at least one" in response.text
    response = client.post(url, {"went_well": "更新した"})
    assert response.status_code == 302
    retrospective.refresh_from_db()
    assert retrospective.went_well == "更新した"


def test_the_list_pages_a_member_s_retrospectives(client, org, world):
    for month in range(1, 10):
        _write(org.member_a, world.s1, period=f"2026-{month:02d}")
    for month in range(1, 10):
        _write(org.member_a, world.s2, period=f"2026-{month:02d}")
    _write(world.member_c, world.s1)
    url = reverse("recognition:retrospective_list", args=[org.member_a.pk])
    client.force_login(org.manager_a)
    html = client.get(url).text
    assert html.count('data-testid="retrospective"') == 18
    html = client.get(url + "?page=2").text  # beyond: the last page
    assert html.count('data-testid="retrospective"') == 18
    _write(org.member_a, world.s1, period="2025-12")
    _write(org.member_a, world.s2, period="2025-12")
    _write(org.member_a, world.s1, period="2025-11")
    html = client.get(url + "?page=2").text
    assert html.count('data-testid="retrospective"') == 1
    client.force_login(org.manager_b)
    assert client.get(url).status_code == 404
