from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from ..models import Opening

OPENING_FIELDS = ("title", "team", "profile", "hiring_manager", "status", "description")


class OpeningForm(forms.ModelForm):
    class Meta:
        model = Opening
        fields = list(OPENING_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Managers and admins decide on hires; a hiring manager who has since lost
        # the role stays selectable, so that an unrelated edit is not refused.
        self.fields["hiring_manager"].queryset = (
            User.objects.filter(
                Q(is_active=True, groups__name__in=[Role.MANAGER, Role.ADMIN])
                | Q(pk=self.instance.hiring_manager_id)
            )
            .distinct()
            .order_by("family_name_reading", "given_name_reading", "username")
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
