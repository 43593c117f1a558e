from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import Opening

OPENING_FIELDS = ("title", "team", "profile", "hiring_manager", "status", "description")


class OpeningForm(forms.ModelForm):
    class Meta:
        model = Opening
        fields = list(OPENING_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hiring_manager"].queryset = selectors.hiring_manager_choices(
            current=self.instance.hiring_manager_id
        )
        self.fields["hiring_manager"].help_text = _(
            "A user with the Manager or Admin role."
        )
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Save") if self.instance.pk else _("Create the opening"))
        )
        self.helper.layout = Layout(
            Row(Column("title", css_class="col-md-8"), Column("status")),
            Row(Column("team"), Column("hiring_manager")),
            Field("profile"),
            Field("description"),
        )
