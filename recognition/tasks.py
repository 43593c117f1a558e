"""Periodic management jobs, started by Celery beat.

The rollup's schedule is a row of django-celery-beat (migration recognition 0002,
hourly), so that an admin can change it in the admin; the others are in
config/settings/base.py. Tasks are thin: they call a service that is safe to run
twice or on two workers at once.
"""

from datetime import date, datetime

from celery import shared_task

from .services import rollup as rollup_services


@shared_task
def rollup_metrics() -> int:
    """Incremental rollup of the metrics; returns the number of accounts recomputed
    (none while a full run in shards holds the lock: the next hour catches up)."""
    try:
        return rollup_services.rollup().accounts
    except rollup_services.RollupBusy:
        return 0


# A full rollup in shards (`rollup_services.rollup_sharded`): the rows in shards of
# accounts (on PostgreSQL into staging tables), then the figures in parts (by kind and
# months) into staging tables beside the staged rows' indexes, then the finish that
# swaps them in. Each is one transaction: acknowledged only when it ends
# (acks_late) and given back to the queue when its worker dies
# (reject_on_worker_lost), it runs again whole.


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_shard(token: str, journey_id: int, low: int, high: int, as_of: str) -> int:
    return rollup_services.rollup_shard(
        token, journey_id, low, high, datetime.fromisoformat(as_of)
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_dispatch_figures(
    token: str, started_at: str, as_of: str, shards: list, queue: str | None = None
) -> str:
    return rollup_services.dispatch_figures(
        token, started_at, as_of, [tuple(shard) for shard in shards], queue
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_figures(
    token: str, months: list[str], as_of: str, part: str | None = None
) -> int:
    return rollup_services.rollup_figures(
        token,
        [date.fromisoformat(month) for month in months],
        datetime.fromisoformat(as_of),
        part,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_index_rows(token: str) -> bool:
    return rollup_services.rollup_index_rows(token)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rollup_finish(token: str, started_at: str, as_of: str) -> int | None:
    run = rollup_services.rollup_finish(
        token, datetime.fromisoformat(started_at), datetime.fromisoformat(as_of)
    )
    return run.pk if run else None


@shared_task
def close_award_periods() -> int:
    """Close the ended award periods whose cohorts are final, recording their
    winners, and announce them (an in-app notice and an email to each
    participant); returns how many were closed. Safe twice: a closed period is
    skipped and an announced one is not announced again."""
    from .services.awards import award_periods_close

    return len(award_periods_close())
