"""Every visible string ships in Japanese, and the committed .mo matches the .po."""

import gettext
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/ja/LC_MESSAGES/django.po"
MO = ROOT / "locale/ja/LC_MESSAGES/django.mo"


def test_every_japanese_string_is_translated_and_not_fuzzy():
    catalogue = polib.pofile(str(PO))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert len(catalogue) > 100


def test_compiled_catalogue_holds_every_translation():
    compiled = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for entry in polib.pofile(str(PO)).translated_entries():
        context = entry.msgctxt
        if entry.msgid_plural:
            shown = (
                compiled.npgettext(context, entry.msgid, entry.msgid_plural, 1)
                if context
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            )
            expected = entry.msgstr_plural[0]
        else:
            shown = (
                compiled.pgettext(context, entry.msgid)
                if context
                else compiled.gettext(entry.msgid)
            )
            expected = entry.msgstr
        if shown != expected:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` and commit locale/ja/LC_MESSAGES/django.mo"
