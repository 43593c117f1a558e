"""The API's body formats, both ways: JSON that a hostile body cannot turn into a
server error.

- `JSONParser`: a body nested deeper than Python's recursion limit (a few hundred
  kilobytes of `[`) is a 400 like any other body that is no JSON, not a
  RecursionError.
- `JSONRenderer`: an answer that echoes a lone surrogate back (DRF's "is not a
  valid choice" names the value sent) is written with that character escaped, as
  JSON allows (`\\ud800`), instead of failing to encode as UTF-8.
"""

import copy

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply.")) from None


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            escaped = copy.copy(self)
            escaped.ensure_ascii = True
            return renderers.JSONRenderer.render(
                escaped, data, accepted_media_type, renderer_context
            )
