"""The audit history of what judges people: who changed it, when, and the values
before and after (django-simple-history records them, see each model's `history`).

Admins read it here and in the Django admin; nobody edits it. Reads run a fixed
number of queries whatever the number of changes: each audited model's history in
one query, its many-to-many snapshots in one more.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy

from . import permissions
from .models import User

# app label, model, the field naming what the row belongs to (shown beside it).
AUDITED_MODELS = [
    ("recognition", "CareerLevel", None),
    ("recognition", "PromotionStep", None),
    ("recognition", "MetricCriterion", "promotion"),
    ("recognition", "CompetencyCriterion", "promotion"),
    ("recognition", "AwardProgram", None),
    ("hiring", "HiringPolicy", None),
    ("hiring", "ProfileWeight", "profile"),
]
# Each parent's own foreign keys, joined so that naming it costs no query.
_PARENT_JOINS = {
    "promotion": ["promotion__from_level", "promotion__to_level"],
    "profile": ["profile"],
}
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


def audit_entries(*, viewer: User) -> list[AuditEntry]:
    """Every recorded change, latest first; nothing for anyone but an admin."""
    if not permissions.is_admin(viewer):
        return []
    entries = []
    for app_label, model_name, parent in AUDITED_MODELS:
        model = apps.get_model(app_label, model_name)
        entries.extend(_model_entries(model, parent))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _model_entries(model, parent: str | None) -> list[AuditEntry]:
    history = model.history.model
    # The parent is named beside the row rather than listed as a value.
    fields = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.name != parent
    ]
    m2m = [(f, _m2m_snapshot(history, f)) for f in history._history_m2m_fields]
    joins = ["history_user"] + [
        f.name for f in fields if isinstance(f, models.ForeignKey)
    ]
    joins += _PARENT_JOINS.get(parent, [])
    records = model.history.select_related(*joins).prefetch_related(
        *(f"{accessor}__{target}" for _field, (accessor, target) in m2m)
    )
    entries = []
    previous_by_object = {}
    for record in records.order_by("history_date", "history_id"):
        previous = previous_by_object.get(record.id)
        values = {f.verbose_name: _display(record, f) for f in fields}
        for m2m_field, (accessor, target) in m2m:
            related = getattr(record, accessor).all()
            values[m2m_field.verbose_name] = (
                ", ".join(sorted(str(getattr(row, target)) for row in related)) or EMPTY
            )
        previous_by_object[record.id] = values
        changes = _changes(record.history_type, previous, values)
        if record.history_type == "~" and not changes:
            continue
        # The model's own name for the row, read from the record (joined above).
        about = model.__str__(record)
        if parent:
            about = f"{getattr(record, parent) or EMPTY} · {about}"
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=record.history_user,
                kind=str(model._meta.verbose_name),
                about=about,
                action=str(ACTIONS[record.history_type]),
                changes=changes,
            )
        )
    return entries


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
