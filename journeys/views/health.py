"""Account health pages: the health policy (admins), with its rules in words and
a "recompute now"; the account list, account page and homes read the recorded
health (`journeys.health`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.views import add_service_errors, posted, require

from .. import health, permissions
from ..forms.health import HealthPolicyForm


@login_required
def health_policy(request):
    require(permissions.manages_journeys(request.user))
    if request.method == "POST" and "recompute" in request.POST:
        count = health.record_health()
        messages.success(
            request,
            ngettext(
                "The health of %(count)s account was recorded for today.",
                "The health of %(count)s accounts was recorded for today.",
                count,
            )
            % {"count": count},
        )
        return redirect("journeys:health_policy")
    form = HealthPolicyForm(posted(request), instance=health.current_policy())
    if request.method == "POST" and form.is_valid():
        try:
            health.policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The health policy was saved. Scores follow it from the next "
                    "recording (the next rollup, or “Recompute now”)."
                ),
            )
            return redirect("journeys:health_policy")
    return render(request, "journeys/health_policy.html", {"form": form})


urlpatterns = [path("health/policy/", health_policy, name="health_policy")]
