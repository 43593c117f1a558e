from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import include, path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts import views as account_views
from config import home as home_views
from config import views as config_views
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


class SchemaView(SpectacularAPIView):
    """`/api/schema/`: the schema generated once per language and API version in
    each process, not at every request — it changes with the code alone (or a
    test's settings), and generating it takes seconds of CPU. Only Kata's
    languages and allowed versions are kept (a made-up `?lang=` is not)."""

    _generated: dict[tuple, dict] = {}

    def _get_schema_response(self, request):
        version = (
            self.api_version or request.version or self._get_version_parameter(request)
        )
        key = (translation.get_language(), version)
        schema = self._generated.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            if key[0] in dict(settings.LANGUAGES) and (
                version is None or version in (api_settings.ALLOWED_VERSIONS or ())
            ):
                self._generated[key] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


@receiver(setting_changed)
def _forget_generated_schemas(**kwargs) -> None:
    SchemaView._generated.clear()


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
    path("favicon.ico", config_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("hiring.api_urls")),
    path("api/v1/", include("journeys.api_urls")),
    path("api/v1/", include("recognition.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        ApiDocsView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

# An address under /api/ that nothing answers gets the API's JSON 404.
handler404 = "config.views.page_not_found"
