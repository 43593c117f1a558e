"""Change capture for the rollup: every write the figures depend on leaves a
`RollupChange` naming what it touched, before and after the write.

The figures depend on team memberships, Member role periods, coverage, the journey
of an account, and training assignments and completions. Those are written by
services, but also by the Django admin (inline formsets, deletes through
querysets) and by cascades (deleting a team or a user), which no service and no
`save()` sees; a deleted row leaves nothing to compare either. So the changes are
captured here, from the model signals, whatever path a write takes. This is
bookkeeping for a derived table, not a business rule (STYLE.md keeps rules out of
signals): it decides nothing, it only tells the next incremental run where to look.

`QuerySet.update()` and `bulk_create()` send no signals: no code writes these
models that way, except imports creating coverage of new accounts, which the
rollup finds by `Coverage.updated_at`, and imports changing accounts' segments,
which send `journeys.signals.segments_changed`.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from accounts.models import Role, RolePeriod, TeamMembership
from journeys.models import (
    Coverage,
    CustomerAccount,
    TrainingAssignment,
    TrainingCompletion,
)
from journeys.signals import segments_changed

from . import metrics
from .models import RollupChange

Kind = RollupChange.Kind


def _membership(before, after) -> list[RollupChange]:
    rows = [row for row in (before, after) if row is not None]
    since = metrics.day_start(min(row.start_date for row in rows))
    return [
        RollupChange(kind=Kind.TEAM, user_id=user_id, since=since)
        for user_id in {row.user_id for row in rows}
    ]


def _role_period(before, after) -> list[RollupChange]:
    rows = [
        row for row in (before, after) if row is not None and row.role == Role.MEMBER
    ]
    if not rows:
        return []  # Only the Member role changes figures.
    if len(rows) == 2 and (before.user_id, before.started_at) == (
        after.user_id,
        after.started_at,
    ):
        # Only the end moved: the figures change from the earlier end on.
        ends = [end for end in (before.ended_at, after.ended_at) if end]
        since = min(ends) if ends else None
        return [RollupChange(kind=Kind.ROLE, user_id=after.user_id, since=since)]
    starts = [row.started_at for row in rows]
    since = None if None in starts else min(starts)
    return [
        RollupChange(kind=Kind.ROLE, user_id=user_id, since=since)
        for user_id in {row.user_id for row in rows}
    ]


def _coverage(before, after) -> list[RollupChange]:
    accounts = {row.account_id for row in (before, after) if row is not None}
    return [RollupChange(kind=Kind.ACCOUNT, account_id=pk) for pk in accounts]


def _account(before, after) -> list[RollupChange]:
    # A new account has no rows yet; a saved one matters when it moves journeys,
    # and when it changes segment: a segment's revenue figures are cached against
    # this log (`selectors.revenue`).
    if before is None:
        return []
    if after is not None and (after.journey_id, after.segment) == (
        before.journey_id,
        before.segment,
    ):
        return []
    return [RollupChange(kind=Kind.ACCOUNT, account_id=before.pk)]


def _segments_changed(sender, account_ids, **kwargs) -> None:
    _record([RollupChange(kind=Kind.ACCOUNT, account_id=pk) for pk in account_ids])


def _assignment(before, after) -> list[RollupChange]:
    # Member, team, module or due date: figures change from its assignment on.
    since = min(row.assigned_at for row in (before, after) if row is not None)
    return [RollupChange(kind=Kind.TRAINING, since=since)]


def _completion(before, after) -> list[RollupChange]:
    since = min(row.completed_at for row in (before, after) if row is not None)
    return [RollupChange(kind=Kind.TRAINING, since=since)]


CAPTURED = {
    TeamMembership: _membership,
    RolePeriod: _role_period,
    Coverage: _coverage,
    CustomerAccount: _account,
    TrainingAssignment: _assignment,
    TrainingCompletion: _completion,
}


def _remember_before(sender, instance, raw=False, **kwargs):
    before = None
    if instance.pk is not None and not instance._state.adding:
        before = sender._base_manager.filter(pk=instance.pk).first()
    instance._rollup_before = before


def _saved(sender, instance, **kwargs):
    before = instance.__dict__.pop("_rollup_before", None)
    _record(CAPTURED[sender](before, instance))


def _deleted(sender, instance, **kwargs):
    _record(CAPTURED[sender](instance, None))


def _record(changes: list[RollupChange]) -> None:
    if changes:
        RollupChange.objects.bulk_create(changes)


def connect() -> None:
    """Called once, from the app's ready()."""
    for model in CAPTURED:
        uid = f"recognition.changes:{model._meta.label}"
        pre_save.connect(_remember_before, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    segments_changed.connect(
        _segments_changed,
        sender=CustomerAccount,
        dispatch_uid="recognition.changes:segments",
    )
