"""Forms of the journey pages: steps and playbooks."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from ..models import PlaybookVersion, Step


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class StepForm(forms.ModelForm):
    """What a step says. On a new step, also where it goes (`last_position` is the
    highest position it may take: after the last current step)."""

    position = forms.IntegerField(label=_("Position"), min_value=1)

    class Meta:
        model = Step
        fields = [
            "name",
            "description",
            "definition_of_done",
            "is_value_point",
            "target_days",
            "conversion_window_days",
        ]
        widgets = {
            "description": _textarea(3),
            "definition_of_done": _textarea(4),
        }

    def __init__(self, *args, last_position: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        window = self.fields["conversion_window_days"]
        window.validators.append(MinValueValidator(1))
        window.widget.attrs["min"] = 1
        fields = []
        if last_position is None:
            del self.fields["position"]
            label = _("Save")
        else:
            self.fields["position"].max_value = last_position
            self.fields["position"].widget.attrs["max"] = last_position
            self.fields["position"].help_text = _(
                "From 1 to %(last)d; the steps from this place on move one place "
                "down. Their recorded events stay with them."
            ) % {"last": last_position}
            self.fields["position"].validators.append(MaxValueValidator(last_position))
            fields.append(Field("position"))
            label = _("Add the step")
        self.helper = _helper(label)
        self.helper.layout = Layout(
            *fields,
            Field("name"),
            Field("description"),
            Field("definition_of_done"),
            Row(
                Column("is_value_point"),
                Column("target_days"),
                Column("conversion_window_days"),
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("is_value_point") and data.get("target_days") is None:
            self.add_error(
                "target_days",
                _("A value point needs a target: days from the start of the journey."),
            )
        return data

    def step_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def present_journey_filters(form: forms.Form) -> forms.Form:
    """The journey list's look of `filters.JourneyFilter`'s form (the API's)."""
    form.fields["active"].label = _("Status")
    form.fields["active"].widget = forms.Select(
        choices=[
            ("", _("All journeys")),
            ("true", _("Active")),
            ("false", _("Inactive")),
        ]
    )
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.form_class = "d-flex flex-wrap align-items-end gap-2"
    form.helper.layout = Layout(Field("active", wrapper_class="mb-0"))
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form


class StepMoveForm(forms.Form):
    position = forms.IntegerField(label=_("New position"), min_value=1)

    def __init__(self, *args, last_position: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        field.max_value = last_position
        field.widget.attrs["max"] = last_position
        field.validators.append(MaxValueValidator(last_position))
        field.help_text = _(
            "From 1 to %(last)d; the steps in between shift by one place. Recorded "
            "events stay with their step."
        ) % {"last": last_position}
        self.helper = _helper(_("Move the step"))


class PlaybookVersionForm(forms.ModelForm):
    """The content of a playbook version; on a new playbook, also its owner."""

    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())

    class Meta:
        model = PlaybookVersion
        fields = ["goal", "actions", "content", "note"]
        widgets = {
            "goal": _textarea(2),
            "actions": _textarea(6),
            "content": _textarea(8),
        }

    def __init__(self, *args, is_new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        first = []
        if is_new:
            del self.fields["note"]
            self.fields["owner"].queryset = (
                User.objects.filter(
                    is_active=True,
                    groups__name__in=[Role.ADMIN, Role.MANAGER, Role.MEMBER],
                )
                .distinct()
                .order_by("family_name_reading", "family_name", "username")
            )
            self.fields["owner"].help_text = _(
                "Keeps the playbook up to date; sees the practicum reflections on "
                "the steps around it."
            )
            first.append(Field("owner"))
            label = _("Create the playbook")
        else:
            del self.fields["owner"]
            self.fields["note"].help_text = _(
                "A line for the version history, e.g. “new email template”."
            )
            label = _("Save as a new version")
        self.helper = _helper(label)
        rest = [Field("note")] if not is_new else []
        self.helper.layout = Layout(
            *first, Field("goal"), Field("actions"), Field("content"), *rest
        )

    def version_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("goal", "actions", "content", "note")
            if name in self.fields
        }
