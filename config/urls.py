from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from config import home as home_views
from config.csp import allow_inline_styles


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a file (the split view: no inline
    script), and the inline styles of its page and its components (config.csp).
    Anonymous visitors log in first and come back; the page links back to Kata."""

    template_name = "api_docs.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return allow_inline_styles(response)


admin.site.site_header = "Kata"
admin.site.site_title = "Kata"

auth_patterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("", include(auth_patterns)),
    path("", include("accounts.urls")),
    path("hiring/", include("hiring.urls")),
    path("journeys/", include("journeys.urls")),
    path("management/", include("recognition.urls")),
    # Django's language switch, which also keeps a logged-in user's preference.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("healthz/", account_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("hiring.api_urls")),
    path("api/v1/", include("journeys.api_urls")),
    path("api/v1/", include("recognition.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        ApiDocsView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]
