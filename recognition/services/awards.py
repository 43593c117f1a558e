"""Writes: award programs, the metric of each period, and closing periods
(`shared/METRICS.md`, Awards).

- Only admins change programs and metrics (`permissions.manages_recognition`); any
  other caller gets PermissionError (403 in the API).
- A period's metric is chosen from the catalogue's metrics with a denominator, ahead
  of time: before the period starts it can be set and changed freely (who and when
  are kept on the period). Once the period has started, setting or changing it
  needs a reason and is recorded (`AwardMetricChange`: who, when, old, new; the old
  metric is empty when none was set before). Once the period is closed its metric is
  locked.
- Closing (`award_periods_close`, run by Celery beat): a period that has ended and
  whose cohorts are all final is closed after a full rollup of its months, under the
  rollup lock, in one transaction: its winners are recorded with rank, value and
  counts, and `closed_at` is set. Closing twice changes nothing; later corrections of
  events change the figures, never the recorded winners.
- Announcing (`award_periods_announce`, after each closing run): every participant
  of a closed period gets an in-app notice (accounts.services.notify, keyed by the
  period) and an email in their preferred language; `announced_at` is claimed
  first, so a period is announced once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import notify
from config.saving import save_unique

from .. import metrics, notices
from ..metrics import Metric
from ..models import (
    AwardMetricChange,
    AwardPeriod,
    AwardProgram,
    AwardWinner,
    RollupLock,
)
from ..permissions import manages_recognition
from ..selectors import awards as selectors
from . import rollup as rollup_services

logger = logging.getLogger(__name__)

PROGRAM_FIELDS = (
    "name",
    "description",
    "cadence",
    "winners",
    "minimum_denominator",
    "larger_denominator_breaks_ties",
    "is_active",
)


def _require_admin(by) -> None:
    if not manages_recognition(by):
        raise PermissionError("Only admins change award programs and their metrics.")


# --- Programs -------------------------------------------------------------------------


def award_program_create(
    *,
    by,
    name: str,
    cadence: str,
    teams,
    winners: int = 3,
    minimum_denominator: int = 5,
    larger_denominator_breaks_ties: bool = False,
    description: str = "",
    is_active: bool = True,
) -> AwardProgram:
    _require_admin(by)
    program = AwardProgram(
        name=name,
        description=description,
        cadence=cadence,
        winners=winners,
        minimum_denominator=minimum_denominator,
        larger_denominator_breaks_ties=larger_denominator_breaks_ties,
        is_active=is_active,
    )
    program._history_user = by  # the audit history's "who"
    return _program_save(program, teams=list(teams))


def award_program_update(
    *, program: AwardProgram, by, teams=None, **fields
) -> AwardProgram:
    """Change the given fields (and the teams, when given). The cadence cannot
    change once periods have metrics: they are months or quarters of it."""
    _require_admin(by)
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown award program fields: {sorted(unknown)}")
    saved_cadence = (
        AwardProgram.objects.filter(pk=program.pk)
        .values_list("cadence", flat=True)
        .first()
    )
    if (
        "cadence" in fields
        and fields["cadence"] != saved_cadence
        and program.periods.exists()
    ):
        raise ValidationError(
            {
                "cadence": _(
                    "The cadence cannot change once periods have a metric: create a "
                    "new program instead."
                )
            }
        )
    for name, value in fields.items():
        setattr(program, name, value)
    program._history_user = by  # the audit history's "who"
    return _program_save(program, teams=None if teams is None else list(teams))


def _program_save(program: AwardProgram, *, teams: list | None) -> AwardProgram:
    errors: dict = {}
    try:
        program.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if teams is not None and not teams:
        errors.setdefault("teams", []).append(
            ValidationError(_("Choose at least one team that takes part."))
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_unique(program)
        if teams is not None:
            program.teams.set(teams)
    return program


def award_program_delete(*, program: AwardProgram, by) -> None:
    """Delete a program that has no winners yet; one with a hall of fame is
    deactivated instead, to keep its history."""
    _require_admin(by)
    if program.periods.filter(closed_at__isnull=False).exists():
        raise ValidationError(
            _(
                "This program has winners in its hall of fame: deactivate it "
                "instead of deleting it."
            )
        )
    program._history_user = by  # the audit history's "who"
    program.delete()


# --- The metric of a period -----------------------------------------------------------


def _award_metric(key: str) -> Metric:
    metric = metrics.metric_by_key(key or "", metrics=metrics.catalogue())
    if metric is None:
        raise ValidationError(
            {
                "metric": _(
                    "Unknown metric “%(key)s”: choose one of the catalogue (its keys "
                    "are listed at /api/v1/metrics/)."
                )
                % {"key": key}
            }
        )
    if not metric.has_denominator:
        raise ValidationError(
            {
                "metric": _(
                    "“%(metric)s” has no denominator, so members cannot be ranked on "
                    "it fairly: choose a conversion, value points on time or "
                    "training completion."
                )
                % {"metric": metric.label}
            }
        )
    return metric


def award_period_check(
    *,
    program: AwardProgram,
    period: str,
    metric: str,
    reason: str = "",
    now: datetime | None = None,
    lock: bool = False,
) -> tuple[metrics.Period, Metric, AwardPeriod | None]:
    """The rules of `award_period_set_metric`, without writing anything: raises
    ValidationError on the field at fault; returns the span, the metric and the
    period when it exists (locked for update with `lock`)."""
    now = now or timezone.now()
    try:
        span = selectors.parse_award_period(
            program.cadence, period, today=timezone.localdate(now)
        )
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    chosen = _award_metric(metric)
    existing = AwardPeriod.objects.filter(program=program, start=span.first_month)
    if lock:
        existing = existing.select_for_update()
    existing = existing.first()
    if existing is not None and existing.closed_at is not None:
        raise ValidationError(
            {
                "metric": _(
                    "%(period)s is closed: its metric is locked, with its winners."
                )
                % {"period": span.label}
            }
        )
    changes = existing is None or existing.metric != chosen.key
    if changes and now >= span.start_at and not (reason or "").strip():
        raise ValidationError(
            {
                "reason": _(
                    "%(period)s has already started: give the reason for the "
                    "change. It is recorded and shown to everyone taking part."
                )
                % {"period": span.label}
            }
        )
    return span, chosen, existing


def award_period_set_metric(
    *,
    program: AwardProgram,
    by,
    period: str,
    metric: str,
    reason: str = "",
    now: datetime | None = None,
) -> AwardPeriod:
    """Set or change the metric of a period of the program (`period`: `2026-04` or
    `FY2026-Q1`, by the program's cadence). See the module docstring for the rules."""
    _require_admin(by)
    now = now or timezone.now()
    with transaction.atomic():
        span, chosen, existing = award_period_check(
            program=program,
            period=period,
            metric=metric,
            reason=reason,
            now=now,
            lock=True,
        )
        if existing is not None and existing.metric == chosen.key:
            return existing
        target = existing or AwardPeriod(
            program=program, start=span.first_month, end=span.last_day
        )
        old_metric = existing.metric if existing is not None else ""
        target.metric = chosen.key
        target.set_by = by
        target.set_at = now
        target.full_clean()
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            # Another admin set it at the same moment.
            raise ValidationError(
                {"period": _("This period already has its metric.")}
            ) from None
        if now >= span.start_at:
            AwardMetricChange.objects.create(
                period=target,
                old_metric=old_metric,
                new_metric=chosen.key,
                reason=reason.strip(),
                changed_by=by,
                changed_at=now,
            )
    return target


# --- Closing --------------------------------------------------------------------------


def award_periods_close(
    *, now: datetime | None = None, email: bool = True
) -> list[int]:
    """Close every ended period whose cohorts are final at `now`, then announce
    the winners (`award_periods_announce`; without emails when `email` is False);
    returns the ids of the periods closed. Periods of the same months share one
    full rollup."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        AwardPeriod.objects.filter(closed_at__isnull=True, end__lt=today)
        .select_related("program")
        .order_by("start", "end", "pk")
    )
    by_span = defaultdict(list)
    for period in due:
        by_span[(period.start, period.end)].append(period)
    closed = []
    for periods in by_span.values():
        closed.extend(_close(periods, now=now))
    award_periods_announce(now=now, email=email)
    return closed


def _final(boards) -> list[int]:
    """The periods whose figures are all final and whose metric is known."""
    ready = []
    for board in boards:
        if board.metric is None:
            logger.warning(
                "Award period %s: metric %s is no longer in the catalogue; not closed.",
                board.period.pk,
                board.period.metric,
            )
        elif not board.open_cohorts:
            ready.append(board.period.pk)
    return ready


def _close(periods: list[AwardPeriod], *, now: datetime) -> list[int]:
    """Close these periods of the same months, those whose cohorts are final."""
    if not _final(selectors.leaderboards(periods=periods, now=now)):
        return []
    span = selectors.span_of(periods[0])
    RollupLock.objects.get_or_create(pk=1)
    closed = []
    with transaction.atomic():
        RollupLock.objects.select_for_update().get(pk=1)
        # Another worker may have closed them meanwhile.
        still_open = list(
            AwardPeriod.objects.select_for_update()
            .filter(pk__in=[period.pk for period in periods], closed_at__isnull=True)
            .select_related("program")
            .order_by("pk")
        )
        if not still_open:
            return []
        rollup_services.rollup(
            full=True, since=span.first_month, until=span.last_month, now=now
        )
        boards = selectors.leaderboards(periods=still_open, now=now)
        ready = set(_final(boards))
        for board in boards:
            if board.period.pk not in ready:
                continue
            claimed = AwardPeriod.objects.filter(
                pk=board.period.pk, closed_at__isnull=True
            ).update(closed_at=now)
            if not claimed:
                continue
            AwardWinner.objects.bulk_create(
                AwardWinner(
                    period=board.period,
                    member=standing.member,
                    rank=standing.rank,
                    value=standing.value,
                    numerator=standing.numerator,
                    denominator=standing.denominator,
                )
                for standing in board.current_winners
            )
            closed.append(board.period.pk)
            logger.info(
                "Award period %s closed with %s winner(s).",
                board.period.pk,
                len(board.current_winners),
            )
    return closed


# --- Announcing the winners -----------------------------------------------------------


def award_periods_announce(
    *, now: datetime | None = None, email: bool = True
) -> list[int]:
    """Announce the winners of every closed period not announced yet: each
    participant gets an in-app notice and (unless `email` is False, as for the
    demo's past periods) an email, in their own language. A period is claimed
    before anything is sent, so that closing twice (or two workers at once)
    announces once. Returns the ids of the periods announced."""
    now = now or timezone.now()
    pending = list(
        AwardPeriod.objects.filter(closed_at__isnull=False, announced_at__isnull=True)
        .select_related("program")
        .order_by("start", "pk")
    )
    announced = []
    for period in pending:
        claimed = AwardPeriod.objects.filter(
            pk=period.pk, announced_at__isnull=True
        ).update(announced_at=now)
        if claimed:
            _announce(period, now=now, email=email)
            announced.append(period.pk)
    return announced


def _announce(period: AwardPeriod, *, now: datetime, email: bool = True) -> None:
    board = selectors.leaderboard(period=period, now=now)
    program = period.program
    span = selectors.span_of(period)
    winners = board.recorded_winners
    won = {standing.member.pk: standing for standing in winners}
    participants = list(
        User.objects.filter(pk__in=board.participant_ids, is_active=True).order_by("pk")
    )
    link = reverse("recognition:award_leaderboard", args=[program.pk])
    link += f"?period={span.key}"
    base = {"program": program.name, "period": span.key}
    key = f"award_period:{period.pk}"
    for standing in winners:
        notify(
            users=[standing.member],
            kind=notices.AWARD_WON,
            params={**base, "rank": standing.rank},
            link=link,
            key=key,
        )
    notify(
        users=[user for user in participants if user.pk not in won],
        kind=notices.AWARD_CLOSED,
        params={
            **base,
            "winners": [[s.rank, s.member.display_name] for s in winners],
        },
        link=link,
        key=key,
    )
    absolute = settings.SITE_URL.rstrip("/") + link
    metric_labels = {}  # language → the metric's label in it
    for user in participants if email else ():
        if not user.email:
            continue
        language = user.preferred_language or settings.LANGUAGE_CODE
        if language not in metric_labels:
            with translation.override(language):
                metric_labels[language] = selectors.metric_label(
                    period.metric, selectors.catalogue_by_key()
                )
        try:
            _send_award_email(
                user,
                language=language,
                board=board,
                metric_label=metric_labels[language],
                mine=won.get(user.pk),
                link=absolute,
            )
        except Exception:
            # One address failing does not keep the others from their email; the
            # period stays announced (sending again would repeat the others').
            logger.exception(
                "Award period %s: the email to user %s failed.", period.pk, user.pk
            )
    logger.info(
        "Award period %s announced to %s participant(s).", period.pk, len(participants)
    )


def _send_award_email(
    user: User, *, language: str, board, metric_label: str, mine, link: str
) -> None:
    with translation.override(language):
        program = board.program
        span = selectors.span_of(board.period)
        context = {
            "user": user,
            "program": program,
            "span": span,
            "mine": mine,
            "winners": board.recorded_winners,
            "metric_label": metric_label,
            "link": link,
        }
        send_mail(
            subject=_("%(program)s: the winners of %(period)s")
            % {"program": program.name, "period": span.label},
            message=render_to_string("recognition/email/award_closed.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
