"""Periodic management jobs, started by Celery beat.

The rollup's schedule is a row of django-celery-beat (migration recognition 0002,
hourly), so that an admin can change it in the admin; the others are in
config/settings/base.py. Tasks are thin: they call a service that is safe to run
twice or on two workers at once.
"""

from celery import shared_task

from .services import rollup as rollup_services


@shared_task
def rollup_metrics() -> int:
    """Incremental rollup of the metrics; returns the number of accounts recomputed."""
    return rollup_services.rollup().accounts


@shared_task
def close_award_periods() -> int:
    """Close the ended award periods whose cohorts are final, recording their
    winners, and announce them (an in-app notice and an email to each
    participant); returns how many were closed. Safe twice: a closed period is
    skipped and an announced one is not announced again."""
    from .services.awards import award_periods_close

    return len(award_periods_close())
