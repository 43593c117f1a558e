"""/api/v1/arr-snapshots/: the accounts' ARR by month as each role sees the accounts,
filters, recording (400 on the field for a negative ARR, an unknown or hidden
account, a month in the future; nothing written), corrections by PATCH, the import,
never a 500 on garbage, the schema's months, and list query counts that stay flat."""

from datetime import date
from decimal import Decimal

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from journeys import revenue
from journeys.models import ARRSnapshot
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps
from tests.journeys.test_api import BIG, GARBAGE

pytestmark = pytest.mark.django_db

URL = "/api/v1/arr-snapshots/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def w(org):
    """Accounts of member_a (team A) and member_b (team B), each with two months."""
    journey, _steps = journey_with_steps(2)
    own = CustomerAccountFactory(external_id="C-A", journey=journey, owner=org.member_a)
    other = CustomerAccountFactory(
        external_id="C-B", journey=journey, owner=org.member_b
    )
    for account, by in ((own, org.member_a), (other, org.member_b)):
        for month, arr in (
            (date(2025, 1, 1), 1_000_000),
            (date(2025, 2, 1), 1_200_000),
        ):
            revenue.arr_snapshot_record(
                account=account,
                month=month,
                arr=Decimal(arr),
                by=by,
                source=ARRSnapshot.Source.UI,
            )
    return {"own": own, "other": other, "journey": journey}


def _months(response) -> list[tuple[str, str, str]]:
    assert response.status_code == 200, response.content
    return [
        (row["account_external_id"], row["month"], row["movement"])
        for row in response.json()["results"]
    ]


# --- Reading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "accounts"),
    [
        ("admin", {"C-A", "C-B"}),
        ("manager_a", {"C-A"}),
        ("member_a", {"C-A"}),
        ("member_b", {"C-B"}),
        ("interviewer", set()),
    ],
)
def test_each_role_lists_the_months_of_the_accounts_it_sees(org, w, role, accounts):
    response = _client(getattr(org, role)).get(URL)
    assert {external_id for external_id, *_ in _months(response)} == accounts


def test_a_month_reads_as_recorded_with_its_movement(org, w):
    response = _client(org.member_a).get(URL, {"account": w["own"].pk})
    first, second = response.json()["results"]  # newest month first
    assert second["month"] == "2025-01"
    assert (second["arr"], second["previous_arr"], second["change"]) == (
        "1000000",
        None,
        "1000000",
    )
    assert (first["movement"], first["stated_movement"], first["change"]) == (
        "expansion",
        "",
        "200000",
    )
    assert (first["source"], first["recorded_by_name"]) == (
        "ui",
        org.member_a.display_name,
    )


def test_filters_narrow_the_list(org, w):
    client = _client(org.admin)
    assert _months(client.get(URL, {"external_id": "C-B"})) == [
        ("C-B", "2025-02", "expansion"),
        ("C-B", "2025-01", "new"),
    ]
    february = client.get(URL, {"month_from": "2025-02", "month_to": "2025-02"})
    assert {(a, m) for a, m, _t in _months(february)} == {
        ("C-A", "2025-02"),
        ("C-B", "2025-02"),
    }
    january = client.get(URL, {"month_to": "2025-01"})
    assert {m for _a, m, _t in _months(january)} == {"2025-01"}
    assert {t for *_r, t in _months(client.get(URL, {"movement": "new"}))} == {"new"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month_from": "2025-13"}, "month_from"),
        ({"month_to": "2025-01-01"}, "month_to"),
        ({"month_to": "0000-01"}, "month_to"),
        ({"movement": "bigger"}, "movement"),
        ({"account": "x"}, "account"),
        ({"ordering": "arr"}, "ordering"),
    ],
)
def test_a_bad_filter_answers_400_on_it(org, w, params, field):
    response = _client(org.admin).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_teams_month_answers_404(org, w):
    snapshot = ARRSnapshot.objects.get(account=w["other"], month=date(2025, 1, 1))
    client = _client(org.member_a)
    assert client.get(f"{URL}{snapshot.pk}/").status_code == 404
    assert client.patch(f"{URL}{snapshot.pk}/", {"arr": 1}).status_code == 404
    snapshot.refresh_from_db()
    assert snapshot.arr == 1_000_000


# --- Recording ------------------------------------------------------------------------


def test_a_crm_records_a_month_by_external_id(org, w):
    response = _client(org.member_a).post(
        URL,
        {"external_id": "C-A", "month": "2025-03", "arr": 900_000},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["month"], body["arr"], body["movement"], body["source"]) == (
        "2025-03",
        "900000",
        "downsell",
        "api",
    )
    snapshot = ARRSnapshot.objects.get(pk=body["id"])
    assert (snapshot.recorded_by, snapshot.month) == (org.member_a, date(2025, 3, 1))


def test_a_month_by_account_id_with_a_stated_type(org, w):
    response = _client(org.manager_a).post(
        URL,
        {
            "account": w["own"].pk,
            "month": "2025-03",
            "arr": "1500000",
            "movement": "cross_sell",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["movement"] == "cross_sell"


def _future():
    return f"{revenue.add_months(revenue.current_month(), 1):%Y-%m}"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"arr": -1}, "arr", "ARR is never negative."),
        ({"arr": "1.5"}, "arr", None),
        ({"arr": "abc"}, "arr", None),
        ({"external_id": "C-404"}, "account", "There is no such customer account."),
        # Another team's account is no account to this member.
        ({"external_id": "C-B"}, "account", "There is no such customer account."),
        ({"month": "future"}, "month", "This month is in the future."),
        ({"month": "2025-13"}, "month", None),
        ({"month": "0000-01"}, "month", None),
        ({"month": "0001-01"}, "month", "too far in the past"),
        ({"month": "2025-01"}, "month", "already recorded"),
        ({"movement": "upsell", "arr": 100}, "movement", "downsell"),
        ({"movement": "bigger"}, "movement", None),
    ],
)
def test_bad_months_answer_400_on_the_field_and_nothing_is_written(
    org, w, body, field, message
):
    before = list(ARRSnapshot.objects.values_list("pk", "arr", "movement"))
    sent = {"external_id": "C-A", "month": "2025-03", "arr": 1_000_000, **body}
    if sent["month"] == "future":
        sent["month"] = _future()
    response = _client(org.member_a).post(URL, sent, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    if message:
        assert message in response.json()[field][0]
    assert list(ARRSnapshot.objects.values_list("pk", "arr", "movement")) == before


def test_roles_that_do_not_work_with_customers_may_not_record(org, w):
    response = _client(org.interviewer).post(
        URL, {"external_id": "C-A", "month": "2025-03", "arr": 1}, format="json"
    )
    assert response.status_code == 403
    assert ARRSnapshot.objects.count() == 4


# --- Correcting -----------------------------------------------------------------------


def test_patch_corrects_the_arr_and_the_months_after_follow(org, w):
    january = ARRSnapshot.objects.get(account=w["own"], month=date(2025, 1, 1))
    response = _client(org.member_a).patch(
        f"{URL}{january.pk}/", {"arr": 1_500_000}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["arr"] == "1500000"
    february = ARRSnapshot.objects.get(account=w["own"], month=date(2025, 2, 1))
    assert (february.previous_arr, february.movement) == (1_500_000, "downsell")
    assert january.history.latest("history_id").history_user == org.member_a


def test_patch_corrects_the_type_and_back_to_inferred(org, w):
    february = ARRSnapshot.objects.get(account=w["own"], month=date(2025, 2, 1))
    client = _client(org.member_a)
    response = client.patch(f"{URL}{february.pk}/", {"movement": "upsell"})
    assert response.json()["movement"] == "upsell"
    misfit = client.patch(f"{URL}{february.pk}/", {"movement": "churn"})
    assert misfit.status_code == 400
    assert list(misfit.json()) == ["movement"]
    back = client.patch(f"{URL}{february.pk}/", {"movement": ""}, format="json")
    assert (back.json()["movement"], back.json()["stated_movement"]) == (
        "expansion",
        "",
    )


def test_patch_refuses_a_negative_arr_and_changes_nothing(org, w):
    january = ARRSnapshot.objects.get(account=w["own"], month=date(2025, 1, 1))
    response = _client(org.member_a).patch(
        f"{URL}{january.pk}/", {"arr": -5}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"arr": ["ARR is never negative."]}
    january.refresh_from_db()
    assert january.arr == 1_000_000


# --- Import ---------------------------------------------------------------------------


def test_admins_import_a_file_twice_and_the_second_changes_nothing(org, w):
    client = _client(org.admin)
    data = "external_id,month,arr,movement\r\nC-A,2025-03,0,\r\nC-B,2025-03,1,\r\n"

    def upload():
        file = SimpleUploadedFile("arr.csv", data.encode("utf-8-sig"))
        return client.post(f"{URL}import/", {"file": file}, format="multipart")

    first = upload()
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["skipped"]) == (2, 0)
    second = upload()
    assert (second.json()["created"], second.json()["skipped"]) == (0, 2)
    assert ARRSnapshot.objects.get(
        account=w["own"], month=date(2025, 3, 1)
    ).movement == ("churn")


def test_a_bad_import_answers_400_with_the_report(org, w):
    file = SimpleUploadedFile("arr.csv", b"external_id,month,arr\r\nC-A,2025-03,-1\r\n")
    response = _client(org.admin).post(
        f"{URL}import/", {"file": file}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"line": 2, "column": "arr", "reason": "ARR is never negative."}
    ]
    assert ARRSnapshot.objects.count() == 4


def test_only_admins_import(org, w):
    file = SimpleUploadedFile("arr.csv", b"external_id,month,arr\r\nC-A,2025-03,1\r\n")
    response = _client(org.member_a).post(
        f"{URL}import/", {"file": file}, format="multipart"
    )
    assert response.status_code == 403
    assert ARRSnapshot.objects.count() == 4


# --- Never a 500 ----------------------------------------------------------------------


def test_garbage_to_every_write_is_never_a_500(org, w):
    snapshot = ARRSnapshot.objects.filter(account=w["own"]).first()
    valid = {"external_id": "C-A", "month": "2025-03", "arr": 1}
    client = _client(org.member_a)
    for garbage in GARBAGE:
        for body in (
            garbage,
            *({**valid, name: garbage} for name in [*valid, "account", "movement"]),
        ):
            response = client.post(URL, body, format="json")
            assert response.status_code < 500, (body, response.content)
            for name in ("arr", "movement"):
                response = client.patch(
                    f"{URL}{snapshot.pk}/", {name: garbage}, format="json"
                )
                assert response.status_code < 500, (name, garbage, response.content)
    for bad_id in ("²", str(BIG), "9" * 40, "-1", "0"):
        assert client.get(f"{URL}{bad_id}/").status_code == 404


# --- Schema and query counts ----------------------------------------------------------


def test_months_are_documented_as_months_not_dates():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    month = schema["components"]["schemas"]["ARRSnapshot"]["properties"]["month"]
    assert "format" not in month
    validator = jsonschema.Draft7Validator({"pattern": month["pattern"]})
    assert validator.is_valid("2026-04") and not validator.is_valid("2026-13")
    operations = schema["paths"][URL]
    assert {"400", "401", "403"} <= set(operations["post"]["responses"])
    parameters = {p["name"] for p in operations["get"]["parameters"]}
    assert {"account", "external_id", "month_from", "month_to", "movement"} <= (
        parameters
    )


def _grow(org, journey, size):
    for _n in range(size):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        revenue.arr_snapshots_record(
            entries=[
                revenue.ARREntry(account, date(2025, month, 1), Decimal(100 * month))
                for month in (1, 2, 3)
            ],
            by=org.member_a,
            source=ARRSnapshot.Source.IMPORT,
        )


@pytest.mark.parametrize("size", [1, 15])
@pytest.mark.parametrize("user", ["admin", "manager_a", "member_a"])
def test_list_queries_do_not_grow(org, w, django_assert_max_num_queries, user, size):
    _grow(org, w["journey"], size)
    client = _client(getattr(org, user))
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert len(response.json()["results"]) >= 3 * size
