from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User
from .services import PROFILE_FIELDS


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct username or email address and password. "
            "The password is case-sensitive."
        ),
    }
    username = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Log in"))


class KataPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Change password"))


class KataPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the reset link"))

    def save(self, **kwargs):
        """Hand the address to a task; Django's own save would look it up and send
        the email here, which takes longer for a known address than an unknown one."""
        services.user_request_password_reset(email=self.cleaned_data["email"])


class KataSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Set password"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))
        self.helper.layout = Layout(
            Row(Column("family_name"), Column("given_name")),
            Row(Column("family_name_reading"), Column("given_name_reading")),
            Field("email"),
            Field("preferred_language"),
        )


class LeaderSinceForm(forms.Form):
    """An admin corrects the day someone started leading (the rule:
    services.user_set_leader_since)."""

    leader_since = forms.DateField(
        label=_("Leader since"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The day this person first led a team; sets the recommended span of "
            "control. Not in the future; it may be before they joined Kata."
        ),
        error_messages={"required": _("Give the day they started leading.")},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save the leader start date"))
        self.helper.form_action = action
