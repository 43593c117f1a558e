from dataclasses import dataclass
from datetime import date

import factory
from django.contrib.auth.models import Group

from accounts.models import Role, Team, TeamMembership, User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    family_name = factory.Faker("last_name", locale="ja_JP")
    given_name = factory.Faker("first_name", locale="ja_JP")
    family_name_reading = factory.Faker("last_kana_name", locale="ja_JP")
    given_name_reading = factory.Faker("first_kana_name", locale="ja_JP")
    preferred_language = "ja"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.set(
                Group.objects.filter(name__in=[Role(r).value for r in extracted])
            )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.MEMBER])
    start_date = date(2025, 4, 1)


@dataclass
class Organisation:
    """Two sibling teams A and B under a parent, with one person of each role.

    `sub_a` is a sub-team of A with its own leader and member.
    """

    admin: User
    manager_a: User
    manager_b: User
    member_a: User
    member_b: User
    sub_leader: User
    sub_member: User
    interviewer: User
    recruiter: User
    team_a: Team
    team_b: Team
    sub_a: Team

    def by_role(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "manager": self.manager_a,
            "member": self.member_a,
            "interviewer": self.interviewer,
            "recruiter": self.recruiter,
        }


def _person(username: str, family_name: str, **kwargs) -> User:
    return UserFactory(
        username=username, family_name=family_name, given_name=username, **kwargs
    )


def build_organisation() -> Organisation:
    # Distinct names: tests check whose name a page shows.
    admin = _person(
        "admin", "管理", roles=[Role.ADMIN], is_staff=True, is_superuser=True
    )
    manager_a = _person("manager_a", "青木", roles=[Role.MANAGER])
    manager_b = _person("manager_b", "馬場", roles=[Role.MANAGER])
    sub_leader = _person("sub_leader", "千葉", roles=[Role.MANAGER])
    team_a = TeamFactory(name="Team A", leader=manager_a)
    team_b = TeamFactory(name="Team B", leader=manager_b)
    sub_a = TeamFactory(name="Team A-1", parent=team_a, leader=sub_leader)
    member_a = TeamMembershipFactory(
        team=team_a, user=_person("member_a", "秋山", roles=[Role.MEMBER])
    ).user
    member_b = TeamMembershipFactory(
        team=team_b, user=_person("member_b", "坂本", roles=[Role.MEMBER])
    ).user
    sub_member = TeamMembershipFactory(
        team=sub_a, user=_person("sub_member", "土屋", roles=[Role.MEMBER])
    ).user
    return Organisation(
        admin=admin,
        manager_a=manager_a,
        manager_b=manager_b,
        member_a=member_a,
        member_b=member_b,
        sub_leader=sub_leader,
        sub_member=sub_member,
        interviewer=_person("interviewer", "二宮", roles=[Role.INTERVIEWER]),
        recruiter=_person("recruiter", "三浦", roles=[Role.RECRUITER]),
        team_a=team_a,
        team_b=team_b,
        sub_a=sub_a,
    )
