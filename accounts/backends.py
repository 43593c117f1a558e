from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def user_for_login(login: str):
    """The user a login names (a username or an email, either without regard to
    case; a username wins), or None."""
    login = login.strip()
    users = get_user_model()._default_manager
    return (
        users.filter(username__iexact=login).first()
        or users.filter(email__iexact=login).first()
    )


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The name the login lockout counts failures under (AXES_USERNAME_CALLABLE):
    one per person, whatever case they typed it in and whether they typed their
    username or their email, so that varying either does not start a new count.
    A login nobody has counts under itself, without regard to case."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    if not isinstance(typed, str) or not typed.strip():
        return typed
    user = user_for_login(typed)
    return user.username if user is not None else typed.strip().casefold()


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a username or an email address, either without regard to case.

    A username wins over an email, so that nobody can shadow another person's login
    by taking their username as an email address (the model refuses that too).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # Hash anyway: the timing must not reveal whether a login exists.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The user of a session, with the count of their unread notices read in
        the same query (`unread_notices`), for the navigation bar's badge: pages
        run no query more for it."""
        from django.db.models import Count, IntegerField, OuterRef, Subquery

        from .models import Notification

        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("user")
            .annotate(count=Count("pk"))
            .values("count")
        )
        users = get_user_model()._default_manager.annotate(
            unread_notices=Subquery(unread, output_field=IntegerField())
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
