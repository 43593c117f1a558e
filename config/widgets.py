"""Form widgets of our own."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    """A tag's attributes as Django's widget templates write them (attrs.html): in
    their order, True as a bare name, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class MenuSelect(forms.Select):
    """A menu (`<select>`) that writes its options in plain Python: Django's Select
    renders two templates per option, which for the menus of a large organisation
    (five hundred owners, every step of every journey) takes longer than the rest
    of the page. The same HTML as Django's Select (option groups, the first chosen
    value selected), but for the whitespace between the tags."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        selected_one = False

        def option(value, label) -> str:
            nonlocal selected_one
            value = str(value)
            selected = value in chosen and not selected_one
            selected_one = selected_one or selected
            return (
                f'<option value="{conditional_escape(value)}"'
                f"{' selected' if selected else ''}>"
                f"{conditional_escape(label)}</option>"
            )

        written = []
        for value_, label in self.choices:
            if not isinstance(label, list | tuple):
                # An empty value is None at the top level only, as in Django's.
                written.append(option("" if value_ is None else value_, label))
                continue
            grouped = "\n".join(option(*pair) for pair in label)
            if value_:
                grouped = (
                    f'<optgroup label="{conditional_escape(value_)}">\n'
                    f"{grouped}\n</optgroup>"
                )
            written.append(grouped)
        options = "\n".join(written)
        return mark_safe(
            f'<select name="{conditional_escape(name)}"{_attributes(attrs)}>\n'
            f"{options}\n</select>"
        )
