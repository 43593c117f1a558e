"""The demo organisation (`manage.py seed_demo`), and the orchestration of every
app's demo.

This module seeds the foundation: an admin, three teams with their managers and
members, interviewers and a recruiter, all with Japanese names. Each pillar owns its
demo data in `<app>/demo.py` and declares it on its AppConfig:

    class HiringConfig(AppConfig):
        demo = "hiring.demo.HiringDemo"
        demo_after = ("accounts",)  # the demos it builds on

`seed()` runs the declared demos in that order (otherwise in INSTALLED_APPS order),
each one `Demo(context).seed()`, sharing one `DemoContext`: the foundation never
imports the pillars, they come to it. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts import services
from accounts.models import Role, Team, User

DEMO_PASSWORD = "kata-demo-2026"
MEMBERS_SINCE = date(2025, 4, 1)


@dataclass(frozen=True)
class Person:
    username: str
    family_name: str
    given_name: str
    family_name_reading: str
    given_name_reading: str
    roles: tuple[Role, ...]
    language: str = "ja"


ADMIN = Person("admin", "山本", "彩", "やまもと", "あや", (Role.ADMIN,))
MANAGERS = [
    Person(
        "tanaka", "田中", "健一", "たなか", "けんいち", (Role.MANAGER, Role.INTERVIEWER)
    ),
    Person(
        "suzuki", "鈴木", "美咲", "すずき", "みさき", (Role.MANAGER, Role.INTERVIEWER)
    ),
    Person("takahashi", "高橋", "誠", "たかはし", "まこと", (Role.MANAGER,), "en"),
]
INTERVIEWERS = [
    Person("ito", "伊藤", "直樹", "いとう", "なおき", (Role.INTERVIEWER,)),
    Person("watanabe", "渡辺", "真由美", "わたなべ", "まゆみ", (Role.INTERVIEWER,)),
]
RECRUITER = Person("kobayashi", "小林", "由佳", "こばやし", "ゆか", (Role.RECRUITER,))
MEMBER_NAMES = [
    ("sato", "佐藤", "翔太", "さとう", "しょうた"),
    ("kato", "加藤", "陽菜", "かとう", "ひな"),
    ("yoshida", "吉田", "大輔", "よしだ", "だいすけ"),
    ("yamada", "山田", "愛", "やまだ", "あい"),
    ("sasaki", "佐々木", "拓也", "ささき", "たくや"),
    ("yamaguchi", "山口", "さくら", "やまぐち", "さくら"),
    ("matsumoto", "松本", "蓮", "まつもと", "れん"),
    ("inoue", "井上", "結衣", "いのうえ", "ゆい"),
    ("kimura", "木村", "悠斗", "きむら", "ゆうと"),
    ("hayashi", "林", "美月", "はやし", "みづき"),
    ("shimizu", "清水", "颯", "しみず", "はやて"),
    ("yamazaki", "山崎", "葵", "やまざき", "あおい"),
    ("mori", "森", "大和", "もり", "やまと"),
    ("abe", "阿部", "凛", "あべ", "りん"),
    ("ikeda", "池田", "陸", "いけだ", "りく"),
    ("hashimoto", "橋本", "芽依", "はしもと", "めい"),
    ("yamashita", "山下", "湊", "やました", "みなと"),
    ("ishikawa", "石川", "花子", "いしかわ", "はなこ"),
    ("nakajima", "中島", "樹", "なかじま", "いつき"),
    ("maeda", "前田", "楓", "まえだ", "かえで"),
]
MEMBERS = [Person(*names, (Role.MEMBER,)) for names in MEMBER_NAMES]

# (team name, manager, years as leader, members in the normal and the small size).
# The second team's leader is new and leads seven: the team page warns about it.
TEAMS = [
    ("エンタープライズCS", MANAGERS[0], 6, 8, 2),
    ("オンボーディング", MANAGERS[1], 0, 7, 2),
    ("SMBプール", MANAGERS[2], 3, 5, 2),
]


@dataclass
class DemoContext:
    """What the demos share: the size, the moment it runs ("now"), the random seed
    (each demo draws from its own `random.Random(seed + n)`), the people by username
    and the teams by name (seeded by AccountsDemo), the logins to print, and the
    members hired through Kata (set by the hiring demo)."""

    small: bool = False
    now: datetime = field(default_factory=timezone.now)
    seed: int = 0
    people: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    hires: list[User] = field(default_factory=list)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def admin(self) -> User:
        return self.people[ADMIN.username]


class AccountsDemo:
    """The organisation: users by username and teams by name are created once."""

    def __init__(self, context: DemoContext):
        self.context = context

    def seed(self) -> None:
        small = self.context.small
        people, logins = self.context.people, self.context.logins
        logins.append((ADMIN.username, "admin (CS operations)"))
        admin = self._user(ADMIN, is_staff=True, is_superuser=True)
        people[admin.username] = admin
        parent = self._team("カスタマーサクセス本部", leader=admin, years_as_leader=8)
        members = iter(MEMBERS)
        for name, manager_person, years, normal_count, small_count in TEAMS:
            manager = people[manager_person.username] = self._user(manager_person)
            team = self.context.teams[name] = self._team(
                name, leader=manager, years_as_leader=years, parent=parent
            )
            logins.append((manager.username, f"manager of {name}"))
            for _ in range(small_count if small else normal_count):
                member = self._user(next(members))
                services.team_membership_start(
                    team=team, user=member, start_date=MEMBERS_SINCE
                )
                logins.append((member.username, f"member of {name}"))
        for person in INTERVIEWERS:
            people[person.username] = self._user(person)
            logins.append((person.username, "interviewer"))
        people[RECRUITER.username] = self._user(RECRUITER)
        logins.append((RECRUITER.username, "recruiter"))

    def _user(self, person: Person, **flags) -> User:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = services.user_create(
                username=person.username,
                email=f"{person.username}@example.com",
                password=DEMO_PASSWORD,
                family_name=person.family_name,
                given_name=person.given_name,
                family_name_reading=person.family_name_reading,
                given_name_reading=person.given_name_reading,
                preferred_language=person.language,
                roles=person.roles,
                send_welcome=False,
                **flags,
            )
        return user

    def _team(
        self,
        name: str,
        *,
        leader: User,
        years_as_leader: int,
        parent: Team | None = None,
    ) -> Team:
        team = Team.objects.filter(name=name).first()
        if team is None:
            team = services.team_create(name=name, parent=parent)
        if team.leader_id != leader.pk:
            since = timezone.localdate() - timedelta(days=365 * years_as_leader + 150)
            services.team_set_leader(team=team, leader=leader, since=since)
        return team


# --- Orchestration ---------------------------------------------------------------


def demo_classes() -> list[type]:
    """The demo of every installed app that declares one (`AppConfig.demo`), each
    after the demos named in its `demo_after`; otherwise in INSTALLED_APPS order."""
    declared = {
        config.label: config
        for config in apps.get_app_configs()
        if getattr(config, "demo", None)
    }
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(label: str) -> None:
        if label in ordered:
            return
        if label in visiting:
            raise ImproperlyConfigured(f"The demos depend on each other: {label}.")
        visiting.add(label)
        for before in getattr(declared[label], "demo_after", ()):
            if before in declared:
                visit(before)
        visiting.discard(label)
        ordered.append(label)

    for label in declared:
        visit(label)
    return [import_string(declared[label].demo) for label in ordered]


def seed(*, small: bool = False) -> DemoContext:
    """Every app's demo, in order, sharing one context (the logins to print)."""
    context = DemoContext(small=small)
    for demo in demo_classes():
        demo(context).seed()
    return context
