"""Content-Security-Policy allowances for pages of third-party code.

Kata's own pages live under the strict SECURE_CSP of the settings: no inline script
or style at all. A few pages rendered by libraries carry inline styles they cannot
drop; each gets a wider policy on its own responses (what `csp_override` does),
never through the global setting, and never for inline scripts.
"""

from django.conf import settings
from django.utils.csp import CSP
from rest_framework.renderers import BrowsableAPIRenderer


def with_styles(*sources: str) -> dict:
    """The global policy, with these style sources added."""
    return {**settings.SECURE_CSP, "style-src": [CSP.SELF, *sources]}


def allow_inline_styles(response):
    response._csp_config = with_styles(CSP.UNSAFE_INLINE)
    return response


class KataBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API writes style="…" attributes in its page. A page that
    echoes a lone surrogate back (a value sent, or an error naming it) shows it
    escaped (\\ud800), as the JSON does (`config.renderers`): it could not be
    encoded as UTF-8."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            allow_inline_styles(response)
        page = super().render(data, accepted_media_type, renderer_context)
        try:
            page.encode("utf-8")
        except UnicodeEncodeError:
            return page.encode("utf-8", "backslashreplace").decode("utf-8")
        return page


# The one style="…" attribute of django-simple-history's admin history list.
HISTORY_LIST_STYLE = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"


def allow_history_list_style(response):
    response._csp_config = with_styles("'unsafe-hashes'", HISTORY_LIST_STYLE)
    return response
