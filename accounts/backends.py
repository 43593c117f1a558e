from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
        login = username.strip()
        users = user_model._default_manager
        user = (
            users.filter(username__iexact=login).first()
            or users.filter(email__iexact=login).first()
        )
        if user is None:
            # Hash anyway: the timing must not reveal whether a login exists.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
