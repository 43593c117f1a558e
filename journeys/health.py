"""Account health: one score from 0 to 100 per account and day, from five parts, so
that a member sees which accounts need them and why.

The rules, written once (the policy's pages show them in words; the account list,
the account page, the homes and the API read the rows this module records):

- **A part** scores 0–100, linearly between its "good" threshold (100) and its "bad"
  threshold (0), clipped to 0–100 and rounded half up to a whole number. A part
  that does not apply is empty. The thresholds and weights are the latest
  `HealthPolicy` (its defaults when there is none).
- **Journey pace**: r = days at the current step / that step's conversion window.
  The current step and its first reach are those of the account list
  (`journeys.selectors.account_list`); days are calendar days in `TIME_ZONE` from
  the first reach to the day. 100 when r ≤ `pace_good`, 0 when r ≥ `pace_bad`.
  Does not apply before any step is reached, nor at the journey's last step.
- **Overdue value points**: the number of the journey's value points that are
  overdue (deadline = first reach of step 1 + target_days × 24 h has passed, not
  reached: `journeys.selectors.overdue_value_point_conditions`, the account
  list's rule). 100 at 0, 0 at `overdue_bad` or more. Does not apply before the
  journey started (no step 1 reached).
- **Recency**: calendar days since the last non-void step event (any step). 100
  at `recency_good_days` or fewer, 0 at `recency_bad_days` or more. Does not apply
  without any event.
- **ARR trend**: the change of ARR over the last `arr_trend_months` months: ARR
  now (the latest snapshot up to the day's month) against the ARR carried at the
  start of the span (the latest snapshot up to the month `arr_trend_months`
  before the day's month), as a percentage of the latter. 100 when it did not
  drop (≥ 0 %), 0 at a drop of `arr_drop_bad_percent` or more, so a churned
  account (ARR now 0 after more than 0: −100 %) scores 0. Does not apply without
  a snapshot at or before the start of the span, nor when the ARR then was 0
  (a change from nothing is no percentage).
- **Success-plan progress**: measures on track or reached
  (`journeys.success.measures_with_status` on the day) / measures × 100. Does not
  apply without a success plan with measures.
- **Score** = Σ weight × part / Σ weight over the parts that apply, rounded half
  up; a weight of 0 leaves its part out. No part applies: no score and no band.
- **Band**: score ≥ `healthy_from`: healthy; score < `critical_below`: critical;
  otherwise at risk.

Worked example, with the default policy (weights pace 3, value points 3, recency
2, ARR trend 2, plan 3; pace 0.75/1.50, overdue bad from 2, recency 30/90 days,
ARR over 3 months with a drop of 20 % bad, healthy from 70, critical below 40):
an account 90 days at a step with a 60-day window (r = 1.5: pace 0), one value
point overdue (50), last event 45 days ago (100 × (90 − 45) / 60 = 75), ARR from
1,000,000 to 900,000 (−10 %: 50) and 2 of its 3 measures on track (66.7 → 67):
score = (3·0 + 3·50 + 2·75 + 2·50 + 3·67) / 13 = 601 / 13 = 46.2 → 46, at risk.
Without a success plan: (0 + 150 + 150 + 100) / 10 = 40, at risk (exactly
`critical_below` is not critical).

`record_health` computes every active account's row for a day in the database:
one `INSERT … SELECT` of the inputs with the parts (their arithmetic, below, in SQL
expressions), the score and the band computed from them, then one UPDATE of the
accounts' latest score and band. Recording a day again replaces its rows.
Each rollup run calls `refresh_health`: every account on the day's first run, later
runs only the accounts whose inputs changed since the last run.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor, TruncDate
from django.db.models.lookups import (
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.queries import DaysBetween, analyze_tables

from .models import (
    AccountHealth,
    ARRSnapshot,
    CustomerAccount,
    HealthBand,
    HealthPolicy,
    Step,
    SuccessMeasure,
    SuccessPlan,
    SuccessProgress,
)
from .revenue import add_months, month_start
from .selectors import (
    _annotated_accounts,
    _live_events,
    events_changed_since,
    overdue_value_point_conditions,
)
from .success import ON_TRACK, REACHED, measures_with_status

# Added before rounding half up, so that a half computed in floating point as
# 62.4999999… still rounds to 63.
_EPSILON = 1e-9

PARTS = ("pace", "value_points", "recency", "arr_trend", "plan")

PART_LABELS = {
    "pace": _("Journey pace"),
    "value_points": _("Overdue value points"),
    "recency": _("Days since the last step event"),
    "arr_trend": _("ARR trend"),
    "plan": _("Success-plan progress"),
}


def current_policy() -> HealthPolicy:
    """The policy that applies: the latest one, else the defaults (not saved)."""
    return HealthPolicy.objects.order_by("-updated_at", "-id").first() or HealthPolicy()


def weights(policy: HealthPolicy) -> dict[str, int]:
    return {
        "pace": policy.weight_pace,
        "value_points": policy.weight_value_points,
        "recency": policy.weight_recency,
        "arr_trend": policy.weight_arr_trend,
        "plan": policy.weight_plan,
    }


# --- The arithmetic, in SQL ----------------------------------------------------------


def round_half_up(value):
    """A non-negative number rounded half up to a whole number (62.5 → 63)."""
    return Cast(Floor(value + Value(0.5 + _EPSILON)), IntegerField())


def linear_part(value, *, good: float, bad: float):
    """100 when `value` ≤ `good`, 0 when ≥ `bad`, linear between, rounded half up;
    NULL when `value` is. E.g. 45 days with good 30 and bad 90:
    100 × (90 − 45) / (90 − 30) = 75."""
    good, bad = Value(float(good)), Value(float(bad))
    return Case(
        When(LessThanOrEqual(value, good), then=Value(100)),
        When(GreaterThanOrEqual(value, bad), then=Value(0)),
        default=round_half_up(Value(100.0) * (bad - value) / (bad - good)),
        output_field=IntegerField(),
    )


def _as_float(name: str):
    return Cast(F(name), FloatField())


def part_expressions(policy: HealthPolicy) -> dict:
    """Each part from its inputs (columns of `AccountHealth`)."""
    return {
        "pace": linear_part(
            _as_float("days_at_step") / _as_float("window_days"),
            good=policy.pace_good,
            bad=policy.pace_bad,
        ),
        "value_points": linear_part(
            _as_float("overdue_value_points"), good=0, bad=policy.overdue_bad
        ),
        "recency": linear_part(
            _as_float("days_since_event"),
            good=policy.recency_good_days,
            bad=policy.recency_bad_days,
        ),
        "arr_trend": linear_part(
            -F("arr_change_percent"), good=0, bad=policy.arr_drop_bad_percent
        ),
        "plan": round_half_up(
            Value(100.0) * _as_float("measures_on_track") / _as_float("measures")
        ),
    }


def score_expression(policy: HealthPolicy, parts: dict):
    """Σ weight × part / Σ weight over the parts that apply, rounded half up; each
    part its expression in `parts` (`part_expressions`)."""
    counted = [(part, w) for part, w in weights(policy).items() if w > 0]
    if not counted:
        return Value(None, output_field=IntegerField())

    def weight_if_applies(name, w):
        return Case(When(IsNull(parts[name], False), then=Value(w)), default=Value(0))

    total = sum(
        (Coalesce(parts[name], 0) * Value(w) for name, w in counted[1:]),
        Coalesce(parts[counted[0][0]], 0) * Value(counted[0][1]),
    )
    applying = sum(
        (weight_if_applies(name, w) for name, w in counted[1:]),
        weight_if_applies(*counted[0]),
    )
    return Case(
        When(
            GreaterThanOrEqual(applying, Value(1)),
            then=round_half_up(
                Cast(total, FloatField()) / Cast(applying, FloatField())
            ),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def band_expression(policy: HealthPolicy, score):
    """The band of the `score` expression (`score_expression`)."""
    return Case(
        When(IsNull(score, True), then=Value("")),
        When(
            GreaterThanOrEqual(score, Value(policy.healthy_from)),
            then=Value(HealthBand.HEALTHY),
        ),
        When(
            LessThan(score, Value(policy.critical_below)),
            then=Value(HealthBand.CRITICAL),
        ),
        default=Value(HealthBand.AT_RISK),
    )


# --- The inputs, in SQL ---------------------------------------------------------


def _count(queryset: QuerySet, by: str):
    return Subquery(
        queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _inputs(
    accounts: QuerySet, *, day: date, moment: datetime, policy, now: datetime
) -> QuerySet:
    """`accounts` with each input of `AccountHealth` as an `h_…` annotation, from
    the live events reached by `moment`. Today, when no live event is dated after
    `moment` (a step may be recorded a few minutes ahead of the clock), those are
    every live event, and the current step is read from the progress stored on
    the account (`journeys.progress` keeps it with every event written, and the
    account list reads it) rather than worked out from each account's events."""
    until = moment
    if moment >= now and not _live_events().filter(reached_at__gt=moment).exists():
        until = None
    zone = timezone.get_current_timezone()
    month = month_start(day)
    span_start = add_months(month, -policy.arr_trend_months)
    last_position = (
        Step.objects.filter(journey=OuterRef("journey_id"), retired_at__isnull=True)
        .order_by("-position")
        .values("position")[:1]
    )
    window = Step.objects.filter(pk=OuterRef("current_step_id")).values(
        "conversion_window_days"
    )[:1]
    last_event = (
        _live_events(until)
        .filter(account=OuterRef("pk"))
        .order_by("-reached_at")
        .values("reached_at")[:1]
    )

    def arr_at(last_month: date):
        return Subquery(
            ARRSnapshot.objects.filter(account=OuterRef("pk"), month__lte=last_month)
            .order_by("-month")
            .values("arr")[:1]
        )

    overdue = sum(
        (
            Case(When(condition, then=Value(1)), default=Value(0))
            for condition in overdue_value_point_conditions(moment, until)
        ),
        Value(0),
    )
    measures = measures_with_status(
        SuccessMeasure.objects.filter(plan__account=OuterRef("pk")), today=day
    )
    return (
        _annotated_accounts(accounts, now=moment, today=day, until=until)
        .order_by()
        .annotate(
            h_account=F("pk"),
            h_days_at_step=DaysBetween(
                TruncDate("current_step_since", tzinfo=zone), Value(day)
            ),
            h_window=Case(
                When(
                    current_step_position__lt=Subquery(last_position),
                    then=Subquery(window),
                ),
                default=None,
            ),
            h_overdue=Case(
                When(journey_started_at__isnull=False, then=overdue),
                default=None,
                output_field=IntegerField(),
            ),
            h_days_since_event=DaysBetween(
                TruncDate(Subquery(last_event), tzinfo=zone), Value(day)
            ),
            h_arr_now=Cast(arr_at(month), FloatField()),
            h_arr_start=Cast(arr_at(span_start), FloatField()),
            h_measures=_count(measures, "plan__account"),
            h_on_track=_count(
                measures.filter(status__in=[REACHED, ON_TRACK]), "plan__account"
            ),
        )
        .annotate(
            h_arr_change=Case(
                When(
                    h_arr_start__gt=0,
                    then=Value(100.0)
                    * (F("h_arr_now") - F("h_arr_start"))
                    / F("h_arr_start"),
                ),
                default=None,
                output_field=FloatField(),
            ),
            h_on_track_or_none=Case(
                When(h_measures__isnull=False, then=Coalesce(F("h_on_track"), 0)),
                default=None,
                output_field=IntegerField(),
            ),
        )
    )


# Each input column of AccountHealth and the annotation of `_inputs` it comes from.
_INPUT_COLUMNS = {
    "account_id": "h_account",
    "days_at_step": "h_days_at_step",
    "window_days": "h_window",
    "overdue_value_points": "h_overdue",
    "days_since_event": "h_days_since_event",
    "arr_change_percent": "h_arr_change",
    "measures_on_track": "h_on_track_or_none",
    "measures": "h_measures",
}


def _moment(day: date, now: datetime) -> datetime:
    """The moment a day's health is computed at: now for today, the day's last
    microsecond for a past day."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return min(now, end - timedelta(microseconds=1))


def record_health(day: date | None = None, accounts: QuerySet | None = None) -> int:
    """Record the health of every active account (of `accounts`, default all) on
    `day` (default today), replacing that day's rows, and keep each account's
    latest score and band on the account. Returns the number of rows written.

    >>> record_health()                       # today, every active account
    >>> record_health(date(2026, 11, 1))      # the history of a past day
    """
    now = timezone.now()
    day = day or timezone.localdate(now)
    policy = current_policy()
    moment = _moment(day, now)
    scope = CustomerAccount.objects.filter(is_active=True)
    if accounts is not None:
        scope = scope.filter(pk__in=accounts.order_by().values("pk"))
    inputs = _inputs(scope, day=day, moment=moment, policy=policy, now=now)
    select, params = inputs.values(*_INPUT_COLUMNS.values()).query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(AccountHealth._meta.db_table)
    computed, expressions, expression_params = _computed(policy)
    named = ", ".join(
        f"i.{quote(alias)} AS {quote(column)}"
        for column, alias in _INPUT_COLUMNS.items()
    )
    read = ", ".join(f"{table}.{quote(column)}" for column in _INPUT_COLUMNS)
    columns = ", ".join(
        quote(column) for column in (*_INPUT_COLUMNS, *computed, "day", "computed_at")
    )
    rows = AccountHealth.objects.filter(
        day=day, account__in=scope.order_by().values("pk")
    )
    with transaction.atomic():
        rows.delete()
        with connection.cursor() as cursor:
            # The inputs computed once (a materialized CTE: inlined, each
            # expression would compute them again), named as the table's columns
            # under the table's name, so that the parts, score and band read them
            # as they read a row.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"WITH h AS MATERIALIZED (SELECT {named} FROM ({select}) i) "
                f"SELECT {read}, {expressions}, %s, %s FROM h {table}",
                (
                    *params,
                    *expression_params,
                    connection.ops.adapt_datefield_value(day),
                    connection.ops.adapt_datetimefield_value(now),
                ),
            )
            written = cursor.rowcount
        if accounts is None:
            # A whole day written (the day's first run records every account):
            # once it commits, the planner learns of the day. Until then a day
            # its statistics have not seen is one row to it (every day they know
            # is a common value), and at 100,000 accounts a later run's
            # statements on that day's rows went to nested loops of minutes.
            # Autovacuum analyses the table only once a tenth of it has changed:
            # days later. After the commit, not in the caller's transaction (a
            # rollup's): ANALYZE's lock would keep another ANALYZE of the table
            # waiting until then.
            transaction.on_commit(partial(analyze_tables, table))
        _keep_latest_on_accounts(scope)
    return written


# The parts, score and band in SQL by policy: written once per policy (the band
# nests the score three times and the score each part twice, which Django takes a
# good part of a second to compile), not at every run.
_COMPUTED: dict[tuple, tuple[list[str], str, tuple]] = {}


def _computed(policy: HealthPolicy) -> tuple[list[str], str, tuple]:
    """The columns computed from a row's inputs (each part, the score, the band),
    their expressions in SQL over the table's columns, and their parameters: each
    row is written once, with them. The score reads the parts' expressions and
    the band the score's, not the columns they are written to."""
    key = (
        connection.vendor,
        tuple(field.value_from_object(policy) for field in policy._meta.fields),
    )
    if key not in _COMPUTED:
        parts = part_expressions(policy)
        score = score_expression(policy, parts)
        expressions = {**parts, "score": score, "band": band_expression(policy, score)}
        query = AccountHealth.objects.all().query
        compiler = query.get_compiler(connection=connection)
        sql, params = [], []
        for expression in expressions.values():
            resolved = expression.resolve_expression(query, allow_joins=False)
            text, expression_params = compiler.compile(resolved)
            sql.append(text)
            params.extend(expression_params)
        if len(_COMPUTED) >= 16:
            _COMPUTED.clear()
        _COMPUTED[key] = (list(expressions), ", ".join(sql), tuple(params))
    return _COMPUTED[key]


# More changed accounts than this, and the whole day is recorded again (one query
# instead of a list of ids longer than some SQLite builds accept).
WHOLE_DAY_FROM = 20_000


def refresh_health(
    *,
    day: date,
    since: datetime | None,
    first_of_day: bool = False,
    passed: tuple[datetime, datetime] | None = None,
    also=(),
) -> int:
    """Bring `day`'s health up to date after a rollup run, without recording every
    account again each hour. Every active account when it is the day's first run
    (`first_of_day`: the day alone moves pace, recency and the success-plan
    paths), when there is no earlier run to look back to (`since` None) or when
    the policy changed; otherwise only the accounts whose inputs may have changed
    since (`accounts_changed`, with the deadlines that `passed` between the last
    run's moment and this one's) and `also` (the run's own changed accounts).
    Returns the number of rows written."""
    if since is None or first_of_day:
        return record_health(day)
    changed = accounts_changed(since, day=day, passed=passed)
    if changed is None:
        return record_health(day)
    changed |= set(also)
    if not changed:
        return 0
    if len(changed) > WHOLE_DAY_FROM:
        return record_health(day)
    return record_health(
        day, accounts=CustomerAccount.objects.filter(pk__in=sorted(changed))
    )


def accounts_changed(
    since: datetime, *, day: date, passed: tuple[datetime, datetime] | None = None
) -> set[int] | None:
    """The accounts whose health inputs may have changed since `since` (a
    superset; None for every account: the policy changed): step events recorded
    or voided, ARR snapshots, success plans, measures and readings written or
    deleted, active accounts without `day`'s row, and a value point whose
    deadline (first reach of step 1 + target days,
    `overdue_value_point_conditions`) fell between the two moments of `passed`.
    A handful of queries, whatever the number of accounts."""
    if HealthPolicy.history.filter(history_date__gte=since).exists():
        return None
    sources = [
        events_changed_since(since).values_list("account_id", flat=True),
        # Snapshots written since (their history may carry the month's own date)
        # and deleted since.
        ARRSnapshot.objects.filter(updated_at__gte=since).values_list(
            "account_id", flat=True
        ),
        ARRSnapshot.history.filter(history_date__gte=since).values_list(
            "account_id", flat=True
        ),
        SuccessPlan.history.filter(history_date__gte=since).values_list(
            "account_id", flat=True
        ),
        SuccessPlan.objects.filter(
            pk__in=SuccessMeasure.history.filter(history_date__gte=since).values(
                "plan_id"
            )
        ).values_list("account_id", flat=True),
        SuccessProgress.objects.filter(recorded_at__gte=since).values_list(
            "measure__plan__account_id", flat=True
        ),
        # Accounts without the day's row yet (created or made active since).
        CustomerAccount.objects.filter(is_active=True)
        .exclude(Exists(AccountHealth.objects.filter(account=OuterRef("pk"), day=day)))
        .values_list("pk", flat=True),
    ]
    # A deadline passed between the two moments: step 1 first reached between
    # them less the value point's target days (any event of step 1 then: a
    # superset of the first reaches then).
    low, high = sorted(passed) if passed else (since, since)
    for journey_id, target_days in Step.objects.filter(
        is_value_point=True, retired_at__isnull=True
    ).values_list("journey_id", "target_days"):
        sources.append(
            _live_events(high)
            .filter(
                step__journey_id=journey_id,
                step__position=1,
                reached_at__gte=low - timedelta(days=target_days),
                reached_at__lte=high - timedelta(days=target_days),
            )
            .values_list("account_id", flat=True)
        )
    found: set[int] = set()
    for accounts in sources:
        found.update(accounts.order_by().distinct())
    return found


def _keep_latest_on_accounts(accounts: QuerySet) -> None:
    """Each of `accounts` (the accounts a day's health was just recorded of) gets
    its latest score and band; only the accounts where they changed are written
    (most, from one day to the next, keep them)."""
    latest = AccountHealth.objects.filter(account=OuterRef("pk")).order_by("-day")
    score = Subquery(latest.values("score")[:1])
    band = Coalesce(Subquery(latest.values("band")[:1]), Value(""))
    CustomerAccount.objects.filter(pk__in=accounts.order_by().values("pk")).alias(
        # No score is -1 on both sides, so that "no score" equals "no score".
        kept_score=Coalesce("health_score", -1),
        new_score=Coalesce(score, -1),
        new_band=band,
    ).filter(~Q(kept_score=F("new_score")) | ~Q(health_band=F("new_band"))).update(
        health_score=score, health_band=band
    )


# --- The policy ----------------------------------------------------------------

POLICY_FIELDS = (
    "weight_pace",
    "weight_value_points",
    "weight_recency",
    "weight_arr_trend",
    "weight_plan",
    "pace_good",
    "pace_bad",
    "overdue_bad",
    "recency_good_days",
    "recency_bad_days",
    "arr_trend_months",
    "arr_drop_bad_percent",
    "healthy_from",
    "critical_below",
)
# Each of the policy's constraints, and the field its error shows on.
_CONSTRAINT_FIELDS = {
    "journeys_health_pace_order": "pace_bad",
    "journeys_health_recency_order": "recency_bad_days",
    "journeys_health_band_order": "healthy_from",
}


def policy_update(*, by, **values) -> HealthPolicy:
    """Change the policy that applies (the latest row; the first one is created),
    each change kept in its history. Raises ValidationError naming the fields."""
    policy = HealthPolicy.objects.order_by("-updated_at", "-id").first()
    policy = policy or HealthPolicy()
    for name, value in values.items():
        if name not in POLICY_FIELDS:
            raise ValueError(name)
        setattr(policy, name, value)
    policy.updated_by = by
    errors = policy_errors(policy)
    if errors:
        raise ValidationError(errors)
    policy.save()
    return policy


def policy_errors(policy: HealthPolicy) -> dict[str, list[str]]:
    """What is wrong with the policy's values, by field: each field's own limits,
    and each of the model's constraints on the field it names (not above the
    form)."""
    errors = {}
    try:
        policy.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    for constraint in HealthPolicy._meta.constraints:
        field = _CONSTRAINT_FIELDS[constraint.name]
        if field in errors:
            continue
        try:
            constraint.validate(HealthPolicy, policy)
        except ValidationError as error:
            errors[field] = error.messages
    return errors


# --- Reading -------------------------------------------------------------------------


@dataclass
class HealthPart:
    name: str
    label: str
    score: int | None
    weight: int
    explanation: str
    # What scores 100 and what scores 0, in words.
    scale: str = ""


def health_history(account: CustomerAccount, *, limit: int = 12) -> list:
    """The account's last `limit` recorded days, the latest first."""
    return list(AccountHealth.objects.filter(account=account).order_by("-day")[:limit])


def explain(health: AccountHealth, policy: HealthPolicy, step_name: str = "") -> list:
    """Each part of a recorded health with the inputs it came from, in words."""
    from django.utils.translation import gettext, ngettext

    parts = []
    weight = weights(policy)
    for name in PARTS:
        score = getattr(health, name)
        parts.append(
            HealthPart(
                name=name,
                label=PART_LABELS[name],
                score=score,
                weight=weight[name],
                explanation=_explanation(health, name, step_name, gettext, ngettext),
                scale=_scale(policy, name, gettext),
            )
        )
    return parts


def _scale(policy: HealthPolicy, name: str, gettext) -> str:
    if name == "pace":
        return gettext("100 up to %(good)s of the window, 0 from %(bad)s.") % {
            "good": f"{policy.pace_good:.0%}",
            "bad": f"{policy.pace_bad:.0%}",
        }
    if name == "value_points":
        return gettext("100 with none, 0 from %(bad)s.") % {"bad": policy.overdue_bad}
    if name == "recency":
        return gettext("100 up to %(good)s days, 0 from %(bad)s days.") % {
            "good": policy.recency_good_days,
            "bad": policy.recency_bad_days,
        }
    if name == "arr_trend":
        return gettext(
            "Over %(months)s months: 100 without a drop, 0 from a drop of %(bad)s %%."
        ) % {"months": policy.arr_trend_months, "bad": policy.arr_drop_bad_percent}
    return gettext("The share of measures on track or reached.")


def _explanation(health, name, step_name, gettext, ngettext) -> str:
    if name == "pace":
        if health.days_at_step is None:
            return gettext("No step reached yet.")
        if health.window_days is None:
            return gettext("At the journey's last step.")
        return ngettext(
            "%(days)s day at %(step)s of a %(window)s-day window.",
            "%(days)s days at %(step)s of a %(window)s-day window.",
            health.days_at_step,
        ) % {
            "days": health.days_at_step,
            "step": step_name or gettext("the current step"),
            "window": health.window_days,
        }
    if name == "value_points":
        if health.overdue_value_points is None:
            return gettext("The journey has not started.")
        return ngettext(
            "%(count)s value point overdue.",
            "%(count)s value points overdue.",
            health.overdue_value_points,
        ) % {"count": health.overdue_value_points}
    if name == "recency":
        if health.days_since_event is None:
            return gettext("No step event yet.")
        return ngettext(
            "Last step event %(days)s day ago.",
            "Last step event %(days)s days ago.",
            health.days_since_event,
        ) % {"days": health.days_since_event}
    if name == "arr_trend":
        if health.arr_change_percent is None:
            return gettext("No ARR to compare with at the start of the span.")
        return gettext("ARR changed by %(change)s %% over the span.") % {
            "change": f"{health.arr_change_percent:+.1f}"
        }
    if health.measures is None:
        return gettext("No success plan with measures.")
    return gettext("%(on_track)s of %(measures)s measures on track or reached.") % {
        "on_track": health.measures_on_track,
        "measures": health.measures,
    }


def account_health_context(page) -> dict:
    """What the account page's health section shows (`_account_health.html`): the
    latest recorded health with each part explained, and the history."""
    history = health_history(page.account)
    latest = history[0] if history else None
    policy = current_policy()
    step = page.current_step
    step_name = f"{step.position}. {step.name}" if step is not None else ""
    return {
        "health": latest,
        "health_parts": explain(latest, policy, step_name) if latest else [],
        "health_history": history,
    }


# --- Demo ----------------------------------------------------------------------------


def record_demo_health(today: date | None = None) -> None:
    """Health history for the demo: the 1st of each of the last six months, then
    today (the account page shows it as a small history)."""
    today = today or timezone.localdate()
    month = month_start(today)
    for back in range(6, 0, -1):
        record_health(add_months(month, -back))
    record_health(today)
