"""`config.queries`: `first_and_count`, the first rows of a list and how many there
are in all, as the home page's sections show them ("8 of 9 shown"); and
`OfGroupedColumns`, a text of grouped columns that is not a key of the grouping."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Concat
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from config.queries import OfGroupedColumns, first_and_count

pytestmark = pytest.mark.django_db


def _users(count: int, prefix: str = "fc") -> list[User]:
    return [User.objects.create(username=f"{prefix}{n:02d}") for n in range(count)]


def _named(prefix: str = "fc"):
    return User.objects.filter(username__startswith=prefix).order_by("-username")


def test_the_first_rows_in_order_and_the_count_of_all_in_one_query():
    _users(11)
    with CaptureQueriesContext(connection) as captured:
        rows, count = first_and_count(_named(), 8)
    assert [user.username for user in rows] == [f"fc{n:02d}" for n in range(10, 2, -1)]
    assert count == 11
    assert len(captured.captured_queries) == 1


def test_fewer_rows_than_shown_and_none():
    _users(3)
    rows, count = first_and_count(_named(), 8)
    assert ([user.username for user in rows], count) == (["fc02", "fc01", "fc00"], 3)
    assert first_and_count(_named("nobody"), 8) == ([], 0)


def test_a_distinct_list_counts_each_row_once():
    # Two groups each: joined through both, every user is found twice before
    # DISTINCT; a count taken before DISTINCT would say 8.
    first, second = Group.objects.create(name="fc a"), Group.objects.create(name="fc b")
    for user in _users(4):
        user.groups.add(first, second)
    listed = (
        User.objects.filter(groups__name__startswith="fc ")
        .distinct()
        .order_by("username")
    )
    rows, count = first_and_count(listed, 3)
    assert [user.username for user in rows] == ["fc00", "fc01", "fc02"]
    assert count == 4


def test_values_rows_get_the_count_too():
    _users(5)
    rows, count = first_and_count(_named().values("username"), 2)
    assert (rows, count) == ([{"username": "fc04"}, {"username": "fc03"}], 5)


def _group_by(queryset) -> str:
    sql = str(queryset.query)
    return sql[sql.index(" GROUP BY ") :]


def test_a_text_of_grouped_columns_is_selected_without_being_grouped_by():
    # A figure's metric key ("<family>:<id>") beside the counts of its group: the
    # same rows, and the database groups by the columns alone (a text key made
    # PostgreSQL sort every row by it, on disk at 100,000 accounts).
    for n in range(5):
        User.objects.create(username=f"og{n}", is_staff=n < 2)
    counted = (
        User.objects.filter(username__startswith="og")
        .values("is_staff")
        .annotate(count=Count("pk"))
    )
    key = Concat(Value("staff:"), Cast("is_staff", CharField()))
    wrapped = counted.annotate(key=OfGroupedColumns(key)).order_by("is_staff")
    plain = counted.annotate(key=key).order_by("is_staff")
    rows = list(wrapped.values_list("key", "count"))
    assert rows == list(plain.values_list("key", "count"))
    assert [count for _key, count in rows] == [3, 2]
    assert _group_by(wrapped) == _group_by(counted.order_by("is_staff"))
    assert _group_by(plain) != _group_by(counted.order_by("is_staff"))
