"""Words: one meaning per translation, one date format per language, the language
switch that sticks, and the API documentation behind the login.

The Japanese of the contexts added here arrives with the merged catalogue
(locale/ja, compiled by the coordinator from /tmp/kata_i18n/words.json).
"""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from accounts.models import User
from journeys.models import CoverageModel, Journey, StepEvent
from tests.factories import TEST_PASSWORD, UserFactory, build_hiring, build_organisation
from tests.test_authorization_matrix import ROLES, UI_MATRIX, WORLDS
from tests.visible import visible_text

ROOT = Path(__file__).resolve().parent.parent

# --- One English word, two ideas: a context for each ----------------------------------


@pytest.mark.parametrize(
    ("context", "msgid", "japanese"),
    [
        # A step event's source is where it was recorded (Kata, API, import) ...
        ("step event", "source", "記録元"),
        ("step event", "Source", "記録元"),
        # ... a training module's title is not an opening's ポジション名 ...
        ("training module", "title", "タイトル"),
        # ... a journey applies to segments, it is not applied to (応募先) ...
        ("journey", "Applies to", "対象"),
        # ... a rollup run starts, nobody writes it (作成開始日時) ...
        ("rollup run", "started at", "開始日時"),
        # ... and the latest assessment is no "current version" (現在の版).
        ("assessment", "Current", "最新"),
    ],
)
def test_a_word_with_two_meanings_reads_right_in_each(context, msgid, japanese):
    with translation.override("ja"):
        assert pgettext(context, msgid) == japanese


def test_the_candidates_source_keeps_its_japanese():
    with translation.override("ja"):
        assert gettext("Source") == "応募経路"
        assert gettext("source") == "応募経路"
        assert str(StepEvent._meta.get_field("source").verbose_name) == "記録元"


# --- One date format per language -----------------------------------------------------

EVENING_IN_TOKYO = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 18:00 JST


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ja",
            {
                "DATETIME_FORMAT": "2026/12/02 18:00",
                "SHORT_DATETIME_FORMAT": "2026/12/02 18:00",
                "DATE_FORMAT": "2026/12/02",
                "SHORT_DATE_FORMAT": "2026/12/02",
                "YEAR_MONTH_FORMAT": "2026年12月",
            },
        ),
        (
            "en",
            {
                "DATETIME_FORMAT": "Dec 2, 2026 18:00",
                "SHORT_DATETIME_FORMAT": "Dec 2, 2026 18:00",
                "DATE_FORMAT": "Dec 2, 2026",
                "SHORT_DATE_FORMAT": "Dec 2, 2026",
                "YEAR_MONTH_FORMAT": "Dec 2026",
            },
        ),
    ],
)
def test_dates_read_one_way_per_language(settings, language, expected):
    settings.TIME_ZONE = "Asia/Tokyo"
    template = engines["django"].from_string(
        " | ".join(f'{{{{ moment|date:"{name}" }}}}' for name in expected)
    )
    with translation.override(language):
        shown = template.render({"moment": EVENING_IN_TOKYO})
    assert shown == " | ".join(expected.values())


def test_no_template_spells_out_a_date_format():
    """Pages name a format (DATE_FORMAT, …); a spelled-out one ("Y-m-d") reads the
    same in both languages and differs from the rest of the page. The value of a
    date input is for the browser, not the reader: ISO 8601."""
    spelled = re.compile(r"""\|(date|time):["'](?![A-Z_]+["'])[^"']*["']""")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for line in path.read_text().splitlines()
        if not re.search(r'type="(date|datetime-local|month)"', line)
        for match in spelled.finditer(line)
    ]
    assert found == []


@pytest.mark.django_db
def test_a_team_page_shows_dates_in_the_readers_format(client, org):
    client.force_login(org.admin)
    team_url = org.team_a.get_absolute_url()
    start = org.team_a.memberships.order_by("start_date").first().start_date
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert start.strftime("%Y/%m/%d") in client.get(team_url).text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = f"{start:%b} {start.day}, {start.year}"
    assert english in client.get(team_url).text


@pytest.mark.django_db
def test_a_month_reads_as_a_month_in_the_period_labels():
    from recognition import metrics

    april = metrics.parse_period("2026-04", today=date(2026, 6, 15))
    with translation.override("ja"):
        assert april.label == "2026年4月"
    with translation.override("en"):
        assert april.label == "Apr 2026"


# --- The language switch is the user's preference -------------------------------------


@pytest.mark.django_db
def test_the_language_switch_becomes_the_preferred_language(client):
    user = UserFactory(preferred_language="ja")
    client.force_login(user)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/teams/"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.preferred_language == "en"


@pytest.mark.django_db
def test_the_next_login_follows_the_switched_language(client):
    user = UserFactory(preferred_language="ja")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("logout"))
    client.cookies.clear()
    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_emails_follow_the_switched_language(client, mailoutbox):
    from accounts import services

    user = UserFactory(preferred_language="en")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    services.user_send_welcome_email(user_id=user.pk)
    assert "様" in mailoutbox[0].body


@pytest.mark.django_db
def test_an_unknown_language_or_an_anonymous_switch_changes_no_preference(client):
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    user = UserFactory(preferred_language="ja")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "ja"


@pytest.mark.django_db
def test_the_profile_says_which_language_is_used(client):
    user = UserFactory(preferred_language="ja")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:profile")).text
    shown = re.search(r'id="profile-language">([^<]*)<', page).group(1)
    assert shown.startswith("English:")


# --- The API documentation ------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_docs_send_an_anonymous_visitor_to_the_login(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/api/docs/"


@pytest.mark.django_db
def test_the_api_docs_link_back_to_kata_under_the_strict_script_policy(client, org):
    client.force_login(org.recruiter)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert f'<a href="{reverse("home")}">← Back to Kata</a>' in response.text
    # Swagger UI comes from our own static files (the sidecar), no CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.text
    assert "cdn" not in response.text.lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "<script>" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_api"),
    [
        ("admin", True),
        ("manager", True),
        ("recruiter", True),
        ("member", False),
        ("interviewer", False),
    ],
)
def test_the_api_link_shows_to_the_roles_that_use_it(client, org, role, sees_api):
    client.force_login(org.by_role()[role])
    page = client.get(reverse("accounts:profile")).text
    assert (f'href="{reverse("api-docs")}"' in page) is sees_api


# --- No raw codes as visible text -----------------------------------------------------

# A code standing where its label belongs (in a cell, after "カバレッジ："), not an
# English word of a sentence (untranslated prose next to other English words).
RAW_CODES = re.compile(
    rf"(?<![A-Za-z] )\b({'|'.join(CoverageModel.values)})\b(?! [A-Za-z])"
)


@pytest.fixture(scope="module")
def _crawl_world(module_data):
    def build():
        org = build_organisation()
        org.hiring = build_hiring(org)
        for build_world in WORLDS:
            build_world(org)
        # Every journey names both coverage models, as stored: codes.
        Journey.objects.update(coverage_models="dedicated,pooled")
        return org

    return module_data(build)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_no_page_shows_a_coverage_code(client, _crawl_world, role):
    """Every page of the authorization matrix a role may open, read in Japanese:
    a coverage model is shown by its label, never by its stored code."""
    user = User.objects.get(pk=_crawl_world.by_role()[role].pk)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    roles_column = ROLES.index(role)
    with translation.override("ja"):
        pooled = str(CoverageModel.POOLED.label)
    shown, labelled = {}, []
    for name, row in UI_MATRIX.items():
        if row is None:
            continue
        method, url, _data, statuses = row
        if method != "get" or statuses.split()[roles_column] != "200":
            continue
        response = client.get(url(_crawl_world))
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            text = visible_text(response.text)
            if found := RAW_CODES.findall(text):
                shown[name] = sorted(set(found))
            if pooled in text:
                labelled.append(name)
    assert shown == {}
    # The crawl did reach pages that show coverage models (by their label).
    assert labelled or role in ("interviewer", "recruiter")
