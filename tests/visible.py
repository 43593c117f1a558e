"""The text a reader sees on a page, for assertions about words."""

from html.parser import HTMLParser

_HIDDEN = ("script", "style", "code")


class _VisibleText(HTMLParser):
    """No tags, attributes, scripts or styles; nor values to type in a file
    (<code>), which are codes on purpose. A form's CSRF token or a signed link
    (random letters in attributes) is not text, so a word found here was shown."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            # A stray closing tag must not hide the rest of the page.
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)
