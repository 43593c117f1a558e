"""Japanese for the third-party apps that ship none (django-axes, django-simple-history,
django-celery-beat, django-filter): config/vendor_locale, after Kata's own locale/ in
LOCALE_PATHS; every entry translated, with its msgid's placeholders; the .mo current."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "config/vendor_locale"
PO = VENDOR / "ja/LC_MESSAGES/django.po"
MO = VENDOR / "ja/LC_MESSAGES/django.mo"

# %s, %(name)s, {0}, {}, {name}; a JSON example in braces counts as one, kept as is.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]|\{[^{}]*\}")
# "{0} task{1} {2} successfully run": {1} is an English plural "s" and {2}
# "was"/"were"; the Japanese needs neither (and says so with no-python-brace-format).
DROPPED = {"{0} task{1} {2} successfully run": ["{1}", "{2}"]}


def _vendor(msgid: str) -> str:
    """The active language's translation of a third-party app's msgid: called
    through a name, so that `make messages` does not take it for one of Kata's."""
    return translation.gettext(msgid)


def _placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_the_catalogue_comes_after_katas_own_which_still_wins():
    paths = [Path(path).resolve() for path in settings.LOCALE_PATHS]
    assert VENDOR.resolve() in paths
    assert paths.index((ROOT / "locale").resolve()) < paths.index(VENDOR.resolve())
    with translation.override("ja"):
        # django-celery-beat's "Name" is 名前 here, Kata's own 氏名 wins.
        assert _vendor("Name") == "氏名"
        assert _vendor("Periodic Tasks") == "定期タスク"


def test_every_entry_is_translated_with_its_placeholders():
    catalogue = polib.pofile(str(PO))
    assert catalogue.metadata["Language"] == "ja"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []
    assert len(catalogue) > 200
    wrong = []
    for entry in catalogue:
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], entry.msgid
            translated = entry.msgstr_plural[0]
            expected = _placeholders(entry.msgid)
            assert expected == _placeholders(entry.msgid_plural), entry.msgid
        else:
            translated = entry.msgstr
            expected = _placeholders(entry.msgid)
        for dropped in DROPPED.get(entry.msgid, []):
            expected.remove(dropped)
        if _placeholders(translated) != expected:
            wrong.append(entry.msgid)
    assert wrong == []
    for msgid in DROPPED:
        assert "no-python-brace-format" in catalogue.find(msgid).flags


def test_the_committed_mo_holds_every_translation():
    compiled = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for entry in polib.pofile(str(PO)):
        if entry.msgid_plural:
            shown = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            expected = entry.msgstr_plural[0]
        else:
            shown = compiled.gettext(entry.msgid)
            expected = entry.msgstr
        if shown != expected:
            stale.append(entry.msgid)
    assert stale == [], f"run `make messages` (or msgfmt) and commit {MO}"


def test_axes_lockout_records_read_japanese():
    from axes.admin import IsLockedOutFilter
    from axes.models import AccessAttempt, AccessLog

    with translation.override("ja"):
        assert str(AccessAttempt._meta.verbose_name) == "アクセス試行"
        assert str(AccessLog._meta.verbose_name_plural) == "アクセスログ"
        failures = AccessAttempt._meta.get_field("failures_since_start")
        assert str(failures.verbose_name) == "ログイン失敗回数"
        assert str(IsLockedOutFilter.title) == "ロックアウト中"


def test_simple_history_reads_japanese():
    from hiring.models import HiringPolicy

    history_type = HiringPolicy.history.model._meta.get_field("history_type")
    with translation.override("ja"):
        assert _vendor("View history: %s") % "x" == "変更履歴: x"
        assert str(dict(history_type.choices)["~"]) == "変更"
        # Not Kata's "Deleted" of erasing a candidate (削除される情報).
        assert str(dict(history_type.choices)["-"]) == "削除"
        assert _vendor("Change reason") == "変更理由"


def test_celery_beat_reads_japanese():
    from django_celery_beat.admin import PeriodicTaskAdmin
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    with translation.override("ja"):
        assert str(PeriodicTask._meta.verbose_name_plural) == "定期タスク"
        last_run = PeriodicTask._meta.get_field("last_run_at")
        assert str(last_run.verbose_name) == "最終実行日時"
        assert str(IntervalSchedule(every=5, period="minutes")) == "5 分ごと"
        enable = PeriodicTaskAdmin.enable_tasks.short_description
        assert str(enable) == "選択されたタスクの有効化"


def test_django_filter_forms_read_japanese():
    import django_filters
    from django_celery_beat.models import PeriodicTask

    with translation.override("ja"):
        # Declared here: an ordering filter words its choices when it is built.
        class Tasks(django_filters.FilterSet):
            ran = django_filters.DateRangeFilter(field_name="last_run_at")
            order = django_filters.OrderingFilter(
                fields=["total_run_count"], field_labels={"total_run_count": "回数"}
            )

            class Meta:
                model = PeriodicTask
                fields = {"total_run_count": ["gte"]}

        tasks = Tasks(queryset=PeriodicTask.objects.none())
        html = render_to_string(
            "django_filters/rest_framework/form.html", {"filter": tasks}
        )
    assert "項目での絞り込み" in html  # Field filters
    assert "送信" in html  # Submit
    assert "実行回数の合計 以上" in html  # … is greater than or equal to
    assert "並び順" in html  # Ordering
    assert "回数（降順）" in html  # %s (descending)
    assert "昨日" in html  # Yesterday


@pytest.mark.django_db
def test_the_periodic_tasks_admin_page_reads_japanese(client, org):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_five = IntervalSchedule.objects.create(every=5, period="minutes")
    PeriodicTask.objects.create(
        name="rollup", task="journeys.tasks.rollup", interval=every_five
    )
    client.force_login(org.admin)
    page = client.get(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert page.status_code == 200
    text = page.text
    assert "<h1>変更する 定期タスク を選択</h1>" in text
    for heading in ("最終実行日時", "開始日時", "1 回限りのタスク", "間隔スケジュール"):
        assert heading in text, heading
    assert "選択されたタスクの有効化" in text  # an action
    assert "5 分ごと" in text
    assert "Periodic Tasks" not in text
    assert "Last Run Datetime" not in text


@pytest.mark.django_db
def test_an_audit_history_admin_page_reads_japanese(client, org):
    from hiring.models import HiringPolicy

    policy = HiringPolicy.current()
    policy.retention_days += 1
    policy.save()
    client.force_login(org.admin)
    page = client.get(
        reverse("admin:hiring_hiringpolicy_history", args=[policy.pk]),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert page.status_code == 200
    text = page.text
    assert "<h1>変更履歴: " in text
    table = text.split('id="change-history"')[1].split("</table>")[0]
    for heading in (
        "オブジェクト",
        "日付/時刻",
        "操作",
        "変更者",
        "変更理由",
        "変更内容",
    ):
        assert f'<th scope="col">{heading}</th>' in table, heading
    assert "Change reason" not in table
