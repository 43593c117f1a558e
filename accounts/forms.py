from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils import translation
from django.utils.translation import gettext_lazy as _

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

    def get_users(self, email):
        """Active users with this address, including those who never set a password
        (created by an admin, their welcome link expired): this is how they set one."""
        return User._default_manager.filter(email__iexact=email, is_active=True)

    def send_mail(
        self, subject_template_name, email_template_name, context, *args, **kwargs
    ):
        # The email speaks the recipient's language, not the requester's.
        with translation.override(context["user"].preferred_language):
            super().send_mail(
                subject_template_name, email_template_name, context, *args, **kwargs
            )


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
