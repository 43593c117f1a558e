"""MenuSelect writes the HTML Django's Select writes (but for the whitespace between
tags): the chosen option selected, labels and values escaped, option groups."""

import re

import pytest
from django import forms
from django.utils.translation import gettext_lazy as _

from config.widgets import MenuSelect

CHOICES = [
    ("", _("All owners")),
    (3, "Sato <Hanako>"),
    ("a&b", "Quote \" and ' apostrophe"),
    ("Group & co", [(7, "Seven"), (8, "Eight"), (None, "None in a group")]),
    ("", [(9, "In a group without a name")]),
    (None, "Nothing"),
    (3, "Sato again"),
    (0, "Zero"),
]


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", 3, "3", "a&b", 8, 9, 0, "None", "missing"])
def test_a_menu_is_what_djangos_select_writes(value):
    attrs = {
        "id": "id_owner",
        "class": "form-select",
        "data-x": "<y>",
        "required": True,
        "disabled": False,
        "aria-describedby": None,
    }
    django = forms.Select(choices=CHOICES).render("owner", value, dict(attrs))
    ours = MenuSelect(choices=CHOICES).render("owner", value, dict(attrs))
    assert _tags(ours) == _tags(django)


def test_a_menu_selects_the_first_option_of_the_value_only():
    html = MenuSelect(choices=CHOICES).render("owner", 3)
    assert html.count(" selected") == 1
    assert '<option value="3" selected>Sato &lt;Hanako&gt;</option>' in html
    assert '<optgroup label="Group &amp; co">' in html


def test_a_form_field_renders_with_the_menu():
    class Form(forms.Form):
        owner = forms.ChoiceField(
            choices=CHOICES[:3], widget=MenuSelect, required=False
        )

    html = str(Form({"owner": "a&b"})["owner"])
    assert html.startswith('<select name="owner" id="id_owner">')
    assert '<option value="a&amp;b" selected>' in html
