"""Periodic hiring jobs, started by Celery beat (schedule: config/settings/base.py).

Thin: they take ids and call `hiring.services`, whose conditional updates make them
safe to run twice, or on two workers at once.
"""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def send_scorecard_reminders() -> int:
    """Queue a reminder for each overdue scorecard not reminded in the last day."""
    due = services.scorecard_reminders_due(now=timezone.now())
    for scorecard_id in due:
        remind_scorecard.delay(scorecard_id)
    return len(due)


# No retry: a failed send releases its claim, and the next hourly run tries again.
@shared_task
def remind_scorecard(scorecard_id: int) -> bool:
    return services.scorecard_remind(scorecard_id=scorecard_id)


@shared_task
def anonymise_expired_candidates() -> int:
    """Erase the personal data of candidates past the retention period (APPI)."""
    return services.candidates_anonymise_expired()
