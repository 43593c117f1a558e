import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from . import audit, permissions, selectors, services
from .forms import (
    KataPasswordChangeForm,
    KataPasswordResetForm,
    KataSetPasswordForm,
    LeaderSinceForm,
    LoginForm,
    ProfileForm,
)
from .models import Role, Team, User

TEAMS_PER_PAGE = 25
AUDIT_ENTRIES_PER_PAGE = 50


def _set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # The user's preferred language becomes the page language after login.
        response = super().form_valid(form)
        return _set_language_cookie(response, form.get_user().preferred_language)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = KataPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = KataPasswordResetForm

    def post(self, request, *args, **kwargs):
        if _password_reset_limited(request):
            return render(
                request, "registration/password_reset_limited.html", status=429
            )
        return super().post(request, *args, **kwargs)


def _password_reset_email(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


def _password_reset_limited(request) -> bool:
    """Resets asked too often for one address, or from one client (named by the
    trusted-proxy rule, RATELIMIT_IP_META_KEY). Known and unknown addresses count
    alike, so the pause tells nothing about who has an account."""
    limits = [
        ("ip", settings.PASSWORD_RESET_RATE_PER_CLIENT),
        (_password_reset_email, settings.PASSWORD_RESET_RATE_PER_ADDRESS),
    ]
    limited = [
        is_ratelimited(
            request, group="password-reset", key=key, rate=rate, increment=True
        )
        for key, rate in limits
    ]
    return any(limited)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = KataSetPasswordForm


def _role_labels(role_names) -> list[str]:
    return [role.label for role in Role if role.value in role_names]


def set_language(request):
    """Django's language switch; for a logged-in user the chosen language also
    becomes their preferred language, for emails and the next login."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.user_set_preferred_language(user=request.user, language=language)
    return response


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        # A copy, so that a refused change does not show in the navigation bar.
        form = ProfileForm(request.POST, instance=copy.copy(user))
        if form.is_valid():
            user = services.user_update_profile(user=form.instance, **form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            return _set_language_cookie(response, user.preferred_language)
    else:
        form = ProfileForm(instance=user)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "my_teams": selectors.current_teams(user=user),
            "led_teams": selectors.led_teams(user=user),
            "role_labels": _role_labels(permissions.roles_of(user)),
        },
    )


@login_required
def audit_history(request):
    """Admins read who changed what judges people, when, before and after."""
    if not permissions.is_admin(request.user):
        raise PermissionDenied
    log = audit.audit_log(viewer=request.user)
    page = Paginator(log, AUDIT_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_history.html", {"page": page})


@login_required
def team_list(request):
    teams = selectors.team_list(viewer=request.user)
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/team_list.html", {"page": page})


@login_required
def team_detail(request, pk: int):
    try:
        page = selectors.team_page(viewer=request.user, pk=pk)
    except Team.DoesNotExist:
        raise Http404 from None
    return render(
        request, "accounts/team_detail.html", {"page": page, "team": page.team}
    )


@login_required
def user_detail(request, pk: int):
    person = _visible_person(request, pk)
    return _user_detail_page(request, person)


@login_required
@require_POST
def user_set_leader_since(request, pk: int):
    """Admins correct the day someone started leading, on the person's page."""
    person = _visible_person(request, pk)
    if not permissions.can_set_leader_since(request.user):
        raise PermissionDenied
    form = LeaderSinceForm(
        request.POST, action=reverse("accounts:user_leader_since", args=[person.pk])
    )
    if form.is_valid():
        try:
            services.user_set_leader_since(
                user=person,
                leader_since=form.cleaned_data["leader_since"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The leader start date was saved."))
            return redirect(person)
    return _user_detail_page(request, person, leader_form=form)


def _visible_person(request, pk: int) -> User:
    try:
        return selectors.user_get(viewer=request.user, pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def _user_detail_page(request, person: User, *, leader_form=None):
    roles = {g.name for g in person.groups.all()}
    context = {
        "person": person,
        "role_labels": _role_labels(roles),
        "today": timezone.localdate(),
    }
    # Only for someone who leads or led a team, or manages: a plain member's page
    # does not ask for a date that means nothing for them.
    leads = (
        person.leader_since is not None
        or Role.MANAGER in roles
        or bool(person.led_teams.all())
    )
    if permissions.can_set_leader_since(request.user) and (leads or leader_form):
        context["leader_form"] = leader_form or LeaderSinceForm(
            initial={"leader_since": person.leader_since},
            action=reverse("accounts:user_leader_since", args=[person.pk]),
        )
        context["leader_history"] = selectors.leader_since_history(user=person)
    return render(request, "accounts/user_detail.html", context)


def login_locked_out(request, credentials, *args, **kwargs):
    """Too many failed logins (django-axes): a page for people, JSON for the API."""
    if request.path.startswith("/api/"):
        message = _("Too many failed logins. Try again later, or reset your password.")
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", status=429)


@require_GET
def healthz(request):
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
