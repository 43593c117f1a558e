"""Kata's URLs plus the web benchmark's baseline: a minimal JSON view per API list.

`/bench/minimal/<name>/` answers the first 100 rows of the model behind
`/api/v1/<name>/`, every column of it and the related names the API's serializer
shows, straight from `.values()`: no permission scoping, serializer, filtering,
count or pagination. bench/web.py serves both from the same gunicorn and compares.
"""

from functools import cache

from django.apps import apps
from django.http import Http404, JsonResponse
from django.urls import path

from config.urls import urlpatterns as kata_urlpatterns

PAGE = 100
# Columns a list never shows.
_HIDDEN = {"password"}

# API list (its /api/v1/ name) → the model and the related fields its rows name.
MINIMAL_VIEWS = {
    "step-events": (
        "journeys.StepEvent",
        (
            "account__external_id",
            "step__name",
            "step__position",
            "step__journey_id",
            "recorded_by__family_name",
            "recorded_by__given_name",
        ),
    ),
    "customers": ("journeys.CustomerAccount", ()),
    "member-metrics": (
        "recognition.MemberFigure",
        ("member__family_name", "member__given_name"),
    ),
    "team-metrics": ("recognition.TeamFigure", ("team__name",)),
    "users": ("accounts.User", ()),
    "awards": ("recognition.AwardProgram", ()),
    "candidates": ("hiring.Candidate", ()),
    "scorecards": ("hiring.Scorecard", ()),
}


@cache
def _fields(name: str) -> tuple:
    label, related = MINIMAL_VIEWS[name]
    model = apps.get_model(label)
    own = tuple(
        field.attname
        for field in model._meta.concrete_fields
        if field.name not in _HIDDEN
    )
    return model, own + related


def minimal_list(request, name: str):
    if name not in MINIMAL_VIEWS:
        raise Http404
    model, fields = _fields(name)
    rows = list(model.objects.order_by("pk").values(*fields)[:PAGE])
    return JsonResponse(rows, safe=False)


urlpatterns = [
    path("bench/minimal/<slug:name>/", minimal_list, name="bench_minimal"),
    *kata_urlpatterns,
]
