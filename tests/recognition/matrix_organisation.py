"""Authorization-matrix rows (see tests/test_authorization_matrix.py): the role map
and the maturity self-assessment (issue 14).

Statuses in the order anonymous admin manager(manager_a) member(member_a)
interviewer recruiter. Both are the organisation's: admins read and write,
managers read (403 on writes), members, interviewers and recruiters get 403.

The world (`organisation_world`, built once for the module): the standard
functions, an own function "Matrix function" (deletable), and the running
quarter's maturity assessment. Creating an assessment for the running quarter
needs that quarter free: the create row's URL removes the world's assessment first
(inside the test's transaction, rolled back after it).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from recognition import organisation
from recognition.models import (
    MaturityAssessment,
    RoleFunction,
    RoleImportance,
    RoleStatus,
)
from recognition.services import organisation as services

V1 = "/api/v1"

READERS = "302 200 200 403 403 403"
ADMINS = "302 200 403 403 403 403"
API_READ = "401 200 200 403 403 403"
API_ADMIN_CREATES = "401 201 403 403 403 403"
API_ADMIN_CHANGES = "401 200 403 403 403 403"
API_ADMIN_DELETES = "401 204 403 403 403 403"


@dataclass
class OrganisationWorld:
    function: RoleFunction
    assessment: MaturityAssessment


def organisation_world(org) -> OrganisationWorld:
    world = getattr(org, "organisation_world", None)
    if world is None:
        services.role_functions_ensure()
        function = services.role_function_save(
            function=RoleFunction(),
            by=org.admin,
            name="Matrix function",
            status=RoleStatus.SHARED,
            shared_with="Team leaders",
            importance=RoleImportance.NOW,
        )
        assessment = services.maturity_assessment_save(
            assessment=MaturityAssessment(), by=org.admin, answers={}
        )
        world = OrganisationWorld(function=function, assessment=assessment)
        org.organisation_world = world
    return world


def _function(org) -> int:
    return organisation_world(org).function.pk


def _quarter(org) -> str:
    return organisation_world(org).assessment.quarter


def _free_running_quarter(org) -> str:
    organisation_world(org)
    running = organisation.quarter_key(timezone.localdate())
    MaturityAssessment.objects.filter(quarter=running).delete()
    return f"{V1}/maturity-assessments/"


UI_ROWS = {
    "recognition:role_map": (
        "get",
        lambda org: reverse("recognition:role_map"),
        None,
        READERS,
    ),
    "recognition:role_function_create": (
        "get",
        lambda org: reverse("recognition:role_function_create"),
        None,
        ADMINS,
    ),
    "recognition:role_function_edit": (
        "get",
        lambda org: reverse("recognition:role_function_edit", args=[_function(org)]),
        None,
        ADMINS,
    ),
    "recognition:role_function_delete": (
        "get",
        lambda org: reverse("recognition:role_function_delete", args=[_function(org)]),
        None,
        ADMINS,
    ),
    "recognition:maturity": (
        "get",
        lambda org: reverse("recognition:maturity"),
        None,
        READERS,
    ),
    "recognition:maturity_assess": (
        "get",
        lambda org: reverse("recognition:maturity_assess"),
        None,
        ADMINS,
    ),
    "recognition:maturity_detail": (
        "get",
        lambda org: reverse("recognition:maturity_detail", args=[_quarter(org)]),
        None,
        READERS,
    ),
    # The API's own URL names: their operations are checked in API_ROWS.
    "role-function-list": None,
    "role-function-detail": None,
    "maturity-assessment-list": None,
    "maturity-assessment-detail": None,
}

API_ROWS = {
    (f"{V1}/role-map/", "GET"): (lambda org: f"{V1}/role-map/", None, API_READ),
    (f"{V1}/role-map/", "POST"): (
        lambda org: f"{V1}/role-map/",
        {"name": "Partner success", "status": "not_started", "importance": "later"},
        API_ADMIN_CREATES,
    ),
    (f"{V1}/role-map/{{id}}/", "GET"): (
        lambda org: f"{V1}/role-map/{_function(org)}/",
        None,
        API_READ,
    ),
    (f"{V1}/role-map/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/role-map/{_function(org)}/",
        {"status": "dedicated"},
        API_ADMIN_CHANGES,
    ),
    (f"{V1}/role-map/{{id}}/", "DELETE"): (
        lambda org: f"{V1}/role-map/{_function(org)}/",
        None,
        API_ADMIN_DELETES,
    ),
    (f"{V1}/maturity-assessments/", "GET"): (
        lambda org: f"{V1}/maturity-assessments/",
        None,
        API_READ,
    ),
    (f"{V1}/maturity-assessments/", "POST"): (
        _free_running_quarter,
        {"answers": {"journey_defined": "yes", "structured_hiring": "partly"}},
        API_ADMIN_CREATES,
    ),
    (f"{V1}/maturity-assessments/{{id}}/", "GET"): (
        lambda org: (
            f"{V1}/maturity-assessments/{organisation_world(org).assessment.pk}/"
        ),
        None,
        API_READ,
    ),
    (f"{V1}/maturity-assessments/{{id}}/", "PATCH"): (
        lambda org: (
            f"{V1}/maturity-assessments/{organisation_world(org).assessment.pk}/"
        ),
        {"note": "Reviewed with the leaders."},
        API_ADMIN_CHANGES,
    ),
}
