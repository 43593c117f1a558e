"""Data built once for a module (tests/conftest.py `module_data`) is the same for
every test: what one test changes is rolled back before the next."""

import copy

import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture(scope="module")
def _kept(module_data):
    return module_data(lambda: UserFactory(username="kept", family_name="As built"))


@pytest.fixture
def kept(_kept, db):
    return copy.deepcopy(_kept)


@pytest.mark.parametrize("turn", ["first", "second", "third"])
def test_each_test_finds_the_module_data_as_built(kept, turn):
    assert User.objects.get(username="kept").family_name == "As built"
    assert not User.objects.filter(username="added").exists()
    assert not hasattr(kept, "seen_by")
    # Changes of every kind, none of which the next test may see.
    User.objects.filter(pk=kept.pk).update(family_name=f"Changed by the {turn}")
    UserFactory(username="added")
    kept.seen_by = turn
