"""Admin: the role map and the maturity assessments (issue 14), also on their pages.

A standard function of the role map is never deleted and keeps its key. A maturity
assessment is written on the assessment page for the running quarter; here an
admin may correct a past quarter's answers or note (the override the page does not
offer): the level is recomputed from the answers, the evidence stays as it was
seen."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from config.admin_mixins import AuditedAdmin

from .. import organisation
from ..models import MaturityAssessment, RoleFunction
from ..services import organisation as services


@admin.register(RoleFunction)
class RoleFunctionAdmin(AuditedAdmin):
    list_display = ["__str__", "key", "status", "shared_with", "importance", "owner"]
    list_filter = ["status", "importance"]
    ordering = ["position", "pk"]
    search_fields = ["name", "key", "shared_with", "note"]
    raw_id_fields = ["owner"]
    readonly_fields = ["key"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_standard:
            return False
        return super().has_delete_permission(request, obj)


class MaturityAssessmentAdminForm(forms.ModelForm):
    class Meta:
        model = MaturityAssessment
        fields = ["answers", "note"]

    def clean_answers(self):
        answers = self.cleaned_data["answers"]
        try:
            given = services.check_answers(answers)
        except ValidationError as error:
            raise ValidationError(error.message_dict["answers"]) from None
        return {
            key: given.get(key, organisation.NO) for key in organisation.QUESTION_KEYS
        }


@admin.register(MaturityAssessment)
class MaturityAssessmentAdmin(AuditedAdmin):
    form = MaturityAssessmentAdminForm
    list_display = ["quarter", "level", "assessed_by", "assessed_at"]
    list_filter = ["level"]
    ordering = ["-quarter"]
    readonly_fields = ["quarter", "level", "evidence", "assessed_by", "assessed_at"]

    def has_add_permission(self, request):
        # Assessed on the maturity page, for the running quarter, with the evidence.
        return False

    def save_model(self, request, obj, form, change):
        obj.level = organisation.level_reached(obj.answers)
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
