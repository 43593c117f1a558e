"""Two imports of the same step events at the same moment, on a database with real
concurrent transactions: each event is recorded once, and neither import half-writes
its file."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from journeys.imports import import_step_events
from journeys.models import StepEvent
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = pytest.mark.postgres

RETRY = "Events were recorded at the same time: nothing was imported, try again."


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_record_each_event_once(org):
    journey, _steps = journey_with_steps(3)
    CustomerAccountFactory(external_id="C-1", journey=journey)
    start = datetime(2025, 1, 1, tzinfo=timezone.get_current_timezone())
    data = (
        "\r\n".join(
            ["external_id,step,reached_at,note"]
            + [
                f"C-1,{1 + n % 3},{(start + timedelta(hours=n)).isoformat()},"
                for n in range(3000)
            ]
        )
        + "\r\n"
    ).encode()
    barrier = threading.Barrier(2)
    reports = []

    def run():
        try:
            barrier.wait(timeout=10)
            reports.append(import_step_events(file=data, by=org.admin))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    outcomes = sorted(
        (report.created, report.skipped, [str(p) for p in report.problems])
        for report in reports
    )
    # The other import found every event there, or stopped without writing.
    assert outcomes in (
        [(0, 3000, []), (3000, 0, [])],
        [(0, 0, [RETRY]), (3000, 0, [])],
    )
    assert StepEvent.objects.count() == 3000
