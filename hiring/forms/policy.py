"""The hiring policy's page form; the service checks the values (as for the API)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import HiringPolicy
from ..services import POLICY_FIELDS


class PolicyForm(forms.ModelForm):
    class Meta:
        model = HiringPolicy
        fields = list(POLICY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "policy-form"
        self.helper.add_input(Submit("save", _("Save the policy")))

    def _post_clean(self):
        # The model's own checks run in the service, with the API's limits.
        pass
