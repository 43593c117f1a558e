"""View building blocks shared by the apps: role checks and service errors on forms."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from rest_framework import exceptions as api_exceptions


def require(allowed: bool) -> None:
    """403 unless the viewer's role allows the page (objects out of the viewer's
    scope answer 404 through the apps' scoped querysets instead)."""
    if not allowed:
        raise PermissionDenied


def add_service_errors(form, error: ValidationError, rename=None) -> None:
    """Show a service's errors on the fields they name (through `rename` when the
    service and the form call a field differently), the others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, texts in error.message_dict.items():
        name = rename(key) if rename else key
        form.add_error(name if name in form.fields else None, texts)


def posted(request):
    """The POST data for a bound form, or None on GET."""
    return request.POST if request.method == "POST" else None


def page_not_found(request, exception):
    """The 404 of an address no page or API answers: the API's in JSON, as its
    own 404s are (`{"detail": "Not found."}`, translated), pages with the 404
    template."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(api_exceptions.NotFound.default_detail)}, status=404
        )
    return defaults.page_not_found(request, exception)


def favicon(request):
    """`/favicon.ico`, which browsers ask for on pages without an icon link (the
    Django admin, the API's JSON): Kata's icon. A temporary redirect: the icon's
    static name carries its hash, which a browser must not keep for ever."""
    return HttpResponseRedirect(static("favicon.svg"))
