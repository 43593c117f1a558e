"""The texts of in-app notices (`models.Notification`), in the reader's language.

A notice stores its kind and parameters; the app that sends a kind registers how
it reads (`register`), so that accounts knows no pillar: recognition registers its
award notices when it is ready. A kind nobody registered (an app removed) reads as
a plain "Notice"."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

_KINDS: dict[str, Callable[[dict], str]] = {}


def register(kind: str, text: Callable[[dict], str]) -> None:
    """`text(params)` returns the notice in the active language."""
    _KINDS[kind] = text


def render(kind: str, params: dict) -> str:
    text = _KINDS.get(kind)
    if text is None:
        return _("Notice")
    try:
        return text(params or {})
    except (KeyError, TypeError, ValueError):
        return _("Notice")


# --- Reads ----------------------------------------------------------------------------


def unread_count(user) -> int:
    """The user's unread notices: one query, then cached until a notice comes or
    is read (`services.notify`, `services.notices_mark_read`)."""
    from django.core.cache import cache

    from .models import Notification
    from .services import notices_unread_cache_key

    if not getattr(user, "is_authenticated", False):
        return 0
    return cache.get_or_set(
        notices_unread_cache_key(user.pk),
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count(),
        timeout=300,
    )


def notices_of(user):
    """The user's notices, newest first."""
    from .models import Notification

    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


class NoticeBadge:
    """For the navigation bar: the unread count, read only when a page shows it."""

    def __init__(self, user):
        self._user = user
        self._count = None

    @property
    def unread(self) -> int:
        if self._count is None:
            # A session's user comes with the count (backends.get_user); others
            # (an API token, a test's user object) read it, then the cache.
            counted = getattr(self._user, "unread_notices", False)
            if counted is not False:
                self._count = counted or 0
            else:
                self._count = unread_count(self._user)
        return self._count
