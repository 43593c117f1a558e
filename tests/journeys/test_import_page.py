"""The CSV import page: linked from the account list and the journeys, template
files to fill in, the allowed values, and a report that lists the lines with
links to what was created."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from journeys.imports import import_accounts, import_step_events
from journeys.models import CustomerAccount, PracticumReflection, StepEvent
from tests.exports import rows
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

URL = reverse("journeys:import_upload")


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3, name="Onboarding")
    steps[0].name, steps[1].name = "Kickoff", "First value"
    steps[0].save()
    steps[1].save()
    pool = PoolFactory(name="SMB pool", team=org.team_a)
    return {"org": org, "journey": journey, "steps": steps, "pool": pool}


def _upload(client, kind, content: str, **extra):
    file = SimpleUploadedFile("file.csv", content.encode(), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": file, **extra})


def test_the_page_is_linked_for_admins_only(client, world):
    org = world["org"]
    for url in (reverse("journeys:account_list"), reverse("journeys:journey_list")):
        client.force_login(org.admin)
        assert f'href="{URL}"' in client.get(url).text
        client.force_login(org.manager_a)
        assert f'href="{URL}"' not in client.get(url).text
    assert client.get(URL).status_code == 403
    template = reverse("journeys:import_template", args=["accounts"])
    assert client.get(template).status_code == 403


def test_the_page_lists_allowed_values_and_formats(client, world):
    client.force_login(world["org"].admin)
    text = client.get(URL).text
    assert "<code>dedicated</code> — Dedicated (one owner)" in text
    assert "<code>pooled</code> — Pooled" in text
    journey = re.search(r'data-testid="allowed-journey">(.*?)</div>', text, re.S)
    assert "<code>Onboarding</code>" in journey.group(1)
    assert "<code>Kickoff</code>, <code>First value</code>" in journey.group(1)
    assert "<code>SMB pool</code>" in text
    assert "2026/04/01 10:30" in text and "Asia/Tokyo" in text


@pytest.mark.parametrize("kind", ["accounts", "events"])
def test_each_template_has_every_column_and_imports_as_it_is(client, world, kind):
    org = world["org"]
    client.force_login(org.admin)
    response = client.get(reverse("journeys:import_template", args=[kind]))
    table = rows(response)
    if kind == "accounts":
        assert table[0] == [
            "external_id",
            "name",
            "segment",
            "arr",
            "journey",
            "coverage",
            "owner",
            "pool",
        ]
        assert [row[5] for row in table[1:]] == ["dedicated", "pooled"]
        assert table[1][4] == "Onboarding"
        report = import_accounts(
            file=b"".join(
                client.get(
                    reverse("journeys:import_template", args=[kind])
                ).streaming_content
            ),
            by=org.admin,
            confirm_not_ready=True,
        )
    else:
        CustomerAccountFactory(external_id="CRM-0001", journey=world["journey"])
        assert table[0] == ["external_id", "step", "reached_at", "note"]
        assert [row[1] for row in table[1:]] == ["Kickoff", "First value"]
        report = import_step_events(
            file=b"".join(
                client.get(
                    reverse("journeys:import_template", args=[kind])
                ).streaming_content
            ),
            by=org.admin,
        )
    assert not report.problems, report.lines()
    assert report.created == 2


def test_the_accounts_template_names_an_owner_ready_for_accounts(client, world):
    """The example row's owner is a member ready for the journey's accounts, so
    that the file imports as it is without the not-ready confirmation (the first
    member by username, not ready, made the template fail in the demo)."""
    org = world["org"]
    for step in world["steps"]:
        PracticumReflection.objects.create(
            member=org.member_b, step=step, completed_at=timezone.now()
        )
    client.force_login(org.admin)
    url = reverse("journeys:import_template", args=["accounts"])
    table = rows(client.get(url))
    assert table[1][6] == org.member_b.username
    assert org.member_a.username < org.member_b.username
    report = import_accounts(
        file=b"".join(client.get(url).streaming_content), by=org.admin
    )
    assert not report.problems, report.lines()
    assert report.created == 2


def test_an_unknown_template_is_404(client, world):
    client.force_login(world["org"].admin)
    url = reverse("journeys:import_template", args=["people"])
    assert client.get(url).status_code == 404


def test_the_report_lists_the_lines_with_links_to_the_accounts(client, world):
    org = world["org"]
    CustomerAccountFactory(
        external_id="A-1", name="Acme", journey=world["journey"], pool=world["pool"]
    )
    client.force_login(org.admin)
    content = (
        "external_id,name,segment,arr,journey,coverage,owner,pool\n"
        "A-1,Acme,SMB,,Onboarding,pooled,,SMB pool\n"
        "A-2,Beta,SMB,1000,Onboarding,pooled,,SMB pool\n"
    )
    response = _upload(client, "accounts", content)
    beta = CustomerAccount.objects.get(external_id="A-2")
    acme = CustomerAccount.objects.get(external_id="A-1")
    table = re.search(r'id="import-rows">(.*?)</table>', response.text, re.S).group(1)
    assert f'href="{beta.get_absolute_url()}">A-2</a>' in table
    assert f'href="{acme.get_absolute_url()}">A-1</a>' in table
    assert "Created" in table and "Already there" in table
    content = "external_id,step,reached_at,note\nA-2,Kickoff,2026-04-01 10:30,\n"
    response = _upload(client, "events", content)
    assert StepEvent.objects.filter(account=beta).count() == 1
    assert f'href="{beta.get_absolute_url()}">A-2</a>' in response.text
    assert "1. Kickoff" in response.text


def test_a_refused_file_lists_no_rows(client, world):
    client.force_login(world["org"].admin)
    content = "external_id,name,journey,coverage\nA-9,Zeta,Nowhere,pooled\n"
    response = _upload(client, "accounts", content)
    assert 'id="import-problems"' in response.text
    assert 'id="import-rows"' not in response.text


def test_a_large_events_file_lists_its_first_lines_and_counts_the_others(client, world):
    account = CustomerAccountFactory(external_id="A-1", journey=world["journey"])
    client.force_login(world["org"].admin)
    content = "external_id,step,reached_at,note\n" + "".join(
        f"A-1,{1 + n % 2},2026-01-{1 + n // 24:02d} {n % 24:02d}:00,\n"
        for n in range(620)
    )

    response = _upload(client, "events", content)

    table = re.search(r'id="import-rows">(.*?)</table>', response.text, re.S).group(1)
    lines = re.findall(r'<tr data-line="(\d+)">', table)
    assert lines == [str(line) for line in range(2, 502)]
    assert f'href="{account.get_absolute_url()}">A-1</a>' in table
    assert "1. Kickoff" in table and "2. First value" in table
    assert "and 120 more lines" in response.text
    assert StepEvent.objects.filter(account=account).count() == 620
