"""Hiring page: the hiring policy (one row), for admins; the API shares its service
and its permission (`permissions.manages_policy`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from config.views import require

from .. import permissions, services
from ..forms.policy import PolicyForm
from ..models import HiringPolicy


@login_required
def policy_edit(request):
    require(permissions.manages_policy(request.user))
    policy = HiringPolicy.current()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The hiring policy was saved."))
            return redirect("hiring:policy")
    return render(
        request,
        "hiring/policy_form.html",
        {"form": form, "limits": services.POLICY_LIMITS},
    )


urlpatterns = [path("policy/", policy_edit, name="policy")]
