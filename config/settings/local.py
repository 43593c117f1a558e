"""A developer's laptop: DEBUG on and a fixed key so that `make run` needs nothing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-local-development-key-never-use-in-production",
)
