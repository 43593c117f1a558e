"""The audit history of what judges people: who changed it, when, and the values
before and after (django-simple-history records them, see each model's `history`).

Admins read it here and in the Django admin; nobody edits it. The history is paged
in the database: one UNION of the audited history tables' (id, date, model),
ordered and sliced, counts and picks a page; then each model on the page fetches
its rows of the page with the row before each (to show the values before), in one
query and one more per many-to-many snapshot. Metric criteria name their metric by
its catalogue label and show their threshold in its unit (the catalogue read once
per page). So a page runs a fixed
number of queries and reads a page's worth of rows, whatever the number of changes.
A save that changed nothing shown is counted in the pages but not listed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy

from . import permissions
from .models import User

# app label, model, the field naming what the row belongs to (shown beside it).
# The pillars register their audited models when Django starts (their AppConfig's
# ready(), through `register`): the foundation names no pillar.
AUDITED_MODELS: list[tuple[str, str, str | None]] = []
# Each parent's own foreign keys, joined so that naming it costs no query.
_PARENT_JOINS = {
    "promotion": ["promotion__from_level", "promotion__to_level"],
    "profile": ["profile"],
}
# The field holding a metric key (`step_conversion:12`), shown by the metric's label,
# and the field holding a value of that metric, shown in its unit (60.0 %, not 0.6).
_METRIC_FIELDS: dict[tuple[str, str], tuple[str, str]] = {}
# The metric catalogue that names and formats those values: an object (module) with
# `catalogue(active_only=...)` and `format_value(metric, value)`.
_metrics = None


def register(
    app_label: str,
    model_name: str,
    parent: str | None = None,
    *,
    metric_fields: tuple[str, str] | None = None,
    metrics=None,
) -> None:
    """Audit `app_label.model_name` (a model with simple_history's `history`).

    `parent` names the field shown beside each row; `metric_fields` = (the field
    holding a metric key, the field holding a value of that metric), read through
    `metrics`, the catalogue. Registering twice changes nothing."""
    global _metrics
    if (app_label, model_name, parent) not in AUDITED_MODELS:
        AUDITED_MODELS.append((app_label, model_name, parent))
    if metric_fields is not None:
        _METRIC_FIELDS[(app_label, model_name)] = metric_fields
        _metrics = metrics


EMPTY = "—"
ACTIONS = {
    "+": pgettext_lazy("audit", "Created"),
    "~": pgettext_lazy("audit", "Changed"),
    "-": pgettext_lazy("audit", "Deleted"),
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime
    who: User | None
    kind: str
    about: str
    action: str
    changes: list[Change] = field(default_factory=list)


class AuditLog:
    """Recorded changes, latest first, as a sequence a Paginator pages: its count
    and each slice are read from the database, never the whole history."""

    def __init__(self, rows):
        self._rows = rows

    def count(self) -> int:
        return self._rows.count()

    def __getitem__(self, index: slice) -> list[AuditEntry]:
        if not isinstance(index, slice):
            raise TypeError("An audit log is read by slices (a page).")
        return _entries(list(self._rows[index]))


def audit_log(*, viewer: User) -> AuditLog:
    """Every recorded change for an admin; nothing for anyone else."""
    rows = _history_union()
    return AuditLog(rows if permissions.is_admin(viewer) else rows.none())


def _history_union():
    """(history id, date, index in AUDITED_MODELS) of every history row, latest
    first, as one query over the audited history tables."""
    parts = [
        apps.get_model(app_label, model_name)
        .history.annotate(audited=Value(index))
        .values_list("history_id", "history_date", "audited")
        .order_by()
        for index, (app_label, model_name, _parent) in enumerate(AUDITED_MODELS)
    ]
    return (
        parts[0]
        .union(*parts[1:], all=True)
        .order_by("-history_date", "-audited", "-history_id")
    )


def _entries(rows: list[tuple[int, datetime, int]]) -> list[AuditEntry]:
    """The entries of a page's (history id, date, model index) rows, in their order."""
    ids_by_model: dict[int, list[int]] = {}
    for history_id, _when, index in rows:
        ids_by_model.setdefault(index, []).append(history_id)
    records = {
        index: _records_with_previous(index, ids) for index, ids in ids_by_model.items()
    }
    catalogue = _metrics_by_key(records)
    built = {}
    for index, by_id in records.items():
        app_label, model_name, parent = AUDITED_MODELS[index]
        model = apps.get_model(app_label, model_name)
        renderer = _Renderer(model, parent, catalogue)
        for history_id in ids_by_model[index]:
            record = by_id[history_id]
            previous = by_id.get(record.previous_id)
            built[(index, history_id)] = renderer.entry(record, previous)
    entries = (built[(index, history_id)] for history_id, _when, index in rows)
    return [entry for entry in entries if entry is not None]


def _records_with_previous(index: int, ids: list[int]) -> dict:
    """history id → record, for these history rows and the row before each of the
    same object (its values before the change), each annotated with `previous_id`:
    one query, and one more per many-to-many snapshot."""
    app_label, model_name, parent = AUDITED_MODELS[index]
    model = apps.get_model(app_label, model_name)
    history = model.history.model
    before = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    previous_id = Subquery(
        history.objects.filter(before, id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    previous_ids = (
        history.objects.filter(history_id__in=ids)
        .annotate(previous=previous_id)
        .values("previous")
    )
    fields = _shown_fields(model, parent)
    joins = ["history_user"] + [
        f.name for f in fields if isinstance(f, models.ForeignKey)
    ]
    joins += _PARENT_JOINS.get(parent, [])
    m2m = [_m2m_snapshot(history, f) for f in history._history_m2m_fields]
    records = (
        history.objects.filter(Q(history_id__in=ids) | Q(history_id__in=previous_ids))
        .annotate(previous_id=previous_id)
        .select_related(*joins)
        .prefetch_related(*(f"{accessor}__{target}" for accessor, target in m2m))
    )
    return {record.history_id: record for record in records}


def _metrics_by_key(records: dict) -> dict:
    """Metric key → the catalogue's metric, read once, when the page shows a metric
    key at all."""
    for index in records:
        if AUDITED_MODELS[index][:2] in _METRIC_FIELDS:
            return {m.key: m for m in _metrics.catalogue(active_only=False)}
    return {}


def _shown_fields(model, parent: str | None) -> list:
    # The parent is named beside the row rather than listed as a value.
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.name != parent
    ]


class _Renderer:
    """Turns a model's history records into entries as people read them."""

    def __init__(self, model, parent: str | None, catalogue: dict):
        self.model = model
        self.parent = parent
        self.fields = _shown_fields(model, parent)
        history = model.history.model
        self.m2m = [(f, _m2m_snapshot(history, f)) for f in history._history_m2m_fields]
        key = (model._meta.app_label, model.__name__)
        self.metric_field, self.value_field = _METRIC_FIELDS.get(key, (None, None))
        self.catalogue = catalogue

    def values(self, record) -> dict[str, str]:
        values = {f.verbose_name: self.display(record, f) for f in self.fields}
        for m2m_field, (accessor, target) in self.m2m:
            related = getattr(record, accessor).all()
            values[m2m_field.verbose_name] = (
                ", ".join(sorted(str(getattr(row, target)) for row in related)) or EMPTY
            )
        return values

    def display(self, record, model_field) -> str:
        if self.metric_field and model_field.name in (
            self.metric_field,
            self.value_field,
        ):
            key = getattr(record, self.metric_field)
            metric = self.catalogue.get(key)
            if model_field.name == self.metric_field:
                return str(metric.label) if metric else key or EMPTY
            if metric is not None:
                return _metrics.format_value(metric, getattr(record, self.value_field))
        return _display(record, model_field)

    def about(self, record) -> str:
        if self.metric_field:
            # The model's own name shows the key: name the metric by its label.
            fields = record._meta
            text = " ".join(
                self.display(record, fields.get_field(name))
                for name in (self.metric_field, "comparison", self.value_field)
            )
        else:
            # The model's own name for the row, read from the record (joined).
            text = self.model.__str__(record)
        if self.parent:
            text = f"{getattr(record, self.parent) or EMPTY} · {text}"
        return text

    def entry(self, record, previous) -> AuditEntry | None:
        """None for a save that changed nothing shown (a many-to-many change is
        recorded apart from the save before it)."""
        values = self.values(record)
        before = self.values(previous) if previous is not None else None
        changes = _changes(record.history_type, before, values)
        if record.history_type == "~" and not changes:
            return None
        return AuditEntry(
            when=record.history_date,
            who=record.history_user,
            kind=str(self.model._meta.verbose_name),
            about=self.about(record),
            action=str(ACTIONS[record.history_type]),
            changes=changes,
        )


def _m2m_snapshot(history, m2m_field) -> tuple[str, str]:
    """The accessor of a record's many-to-many snapshot rows, and their target."""
    for relation in history._meta.related_objects:
        if relation.related_model._meta.model_name.endswith(f"_{m2m_field.name}"):
            target = m2m_field.related_model._meta.model_name
            return relation.get_accessor_name(), target
    raise LookupError(m2m_field.name)


def _display(record, model_field) -> str:
    if isinstance(model_field, models.ForeignKey):
        value = getattr(record, model_field.name)
        if value is None and getattr(record, model_field.attname) is not None:
            return f"#{getattr(record, model_field.attname)}"
    else:
        value = getattr(record, model_field.attname)
    if model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    elif isinstance(value, bool):
        value = gettext("Yes") if value else gettext("No")
    elif isinstance(value, datetime):
        value = date_format(timezone.localtime(value), "DATETIME_FORMAT")
    elif isinstance(value, date):
        value = date_format(value, "DATE_FORMAT")
    if value is None or value == "":
        return EMPTY
    return str(value)


def _changes(history_type: str, previous: dict | None, values: dict) -> list[Change]:
    if history_type == "-":
        return [Change(label, value, EMPTY) for label, value in values.items()]
    before = previous or {}
    return [
        Change(label, before.get(label, EMPTY), value)
        for label, value in values.items()
        if history_type == "+" or before.get(label, EMPTY) != value
    ]
