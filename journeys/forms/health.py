"""The health policy's page form; the service checks the values (as the admin)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..health import POLICY_FIELDS
from ..models import HealthPolicy


class HealthPolicyForm(forms.ModelForm):
    class Meta:
        model = HealthPolicy
        fields = list(POLICY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "health-policy-form"
        self.helper.layout = Layout(
            Fieldset(_("Weights (0 leaves a part out)"), *POLICY_FIELDS[:5]),
            Fieldset(_("Thresholds"), *POLICY_FIELDS[5:12]),
            Fieldset(_("Bands"), *POLICY_FIELDS[12:]),
        )
        self.helper.add_input(Submit("save", _("Save the policy")))

    def _post_clean(self):
        # The model's own checks run in the service, each error on its field.
        pass
