"""Create a realistic demo organisation. Running it again changes nothing."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import services
from accounts.models import Role, Team, TeamMembership, User
from hiring import services as hiring_services
from hiring.demo_questions import QUESTIONS
from hiring.models import (
    Application,
    Candidate,
    Competency,
    Decision,
    Interview,
    InterviewKit,
    Opening,
    Question,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)
from journeys import services as journeys_services
from journeys.models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Pool,
    PoolMembership,
    PracticumReflection,
    QuizChoice,
    QuizQuestion,
    StepEvent,
    TrainingAssignment,
    TrainingModule,
)
from recognition.demo import RecognitionDemo

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


class Command(BaseCommand):
    help = "Create a demo organisation with Japanese names (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["small", "normal"],
            default="normal",
            help="small: two members per team, for tests.",
        )

    def handle(self, *args, size: str, **options):
        with transaction.atomic():
            logins = self._seed(small=size == "small")
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        for username, description in logins:
            self.stdout.write(f"  {username:<12} {description}")

    def _seed(self, *, small: bool) -> list[tuple[str, str]]:
        logins = [(ADMIN.username, "admin (CS operations)")]
        admin = self._user(ADMIN, is_staff=True, is_superuser=True)
        people = {admin.username: admin}
        parent = self._team("カスタマーサクセス本部", leader=admin, years_as_leader=8)
        members = iter(MEMBERS)
        for name, manager_person, years, normal_count, small_count in TEAMS:
            manager = people[manager_person.username] = self._user(manager_person)
            team = self._team(
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
        HiringDemo(people).seed()
        JourneysDemo(people, small=small).seed()
        RecognitionDemo(people, small=small).seed()
        logins.append((HIRED, "member hired through Kata (SMBプール)"))
        return logins

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


# --- Hiring (採用の型化) ------------------------------------------------------------
# Three openings on the starting profiles (migration hiring 0002), the question bank
# of hiring.demo_questions in their kits, and fifteen candidates at every stage,
# written through hiring.services as recruiters and interviewers would. Only the
# timestamps are moved back afterwards, so that the story spreads over weeks.

KIT_GUIDANCE = {
    "first": (
        "最初の5分で自己紹介と面接の流れを伝えます（質問は全員共通で、回答をメモします）。"
        "各質問では状況・行動・結果を具体的に聞き、ルーブリックに照らして評価します。"
        "スコアカードは面接後24時間以内に提出してください。"
    ),
    "final": (
        "一次面接で評価が割れた項目と、重みの高い項目を中心に深掘りします。"
        "最後の10分は候補者からの質問に充て、入社後の働き方を具体的に伝えます。"
    ),
}


@dataclass(frozen=True)
class DemoOpening:
    key: str
    title: str
    team: str
    profile: str  # a starting profile
    hiring_manager: str
    focus: str  # the competency the first interview asks about twice
    description: str


OPENINGS = [
    DemoOpening(
        "onboarding",
        "オンボーディングCSM",
        "オンボーディング",
        "丁寧サポート型",
        "suzuki",
        "丁寧さ",
        "契約直後の顧客に伴走し、初期設定から最初の成果（ファーストバリュー）まで導きます。"
        "多くの顧客を丁寧に、安心感をもって支えられる方を求めています。",
    ),
    DemoOpening(
        "smb",
        "SMBプールCSM（更新・アップセル）",
        "SMBプール",
        "目標達成型",
        "takahashi",
        "数値意識",
        "プール型で中小企業のお客様を担当し、更新率とアップセルに責任を持ちます。"
        "数字を見て自ら打ち手を考え、目標をやり切れる方を求めています。",
    ),
    DemoOpening(
        "enterprise",
        "エンタープライズCSM",
        "エンタープライズCS",
        "コンサルティング型",
        "tanaka",
        "専門知識",
        "大手のお客様を1対1で担当し、業務課題の整理から活用の拡大まで伴走します。"
        "専門知識と論理的な思考で、顧客の意思決定を支えられる方を求めています。",
    ),
]

HIRED = "kondo"


@dataclass(frozen=True)
class Interviewed:
    stage: str  # "first" or "final"
    interviewer: str
    days_ago: int  # negative: still to come
    hour: int | None  # local time; None: the start of this hour, today
    card: str = "submitted"  # "empty", "draft" or "submitted"
    overall: int = 3
    ratings: dict = field(default_factory=dict)  # competency → rating (else: level)
    hours_to_submit: int = 3


@dataclass(frozen=True)
class Corrected:
    stage: str
    interviewer: str
    reason: str
    overall: int
    ratings: dict


@dataclass(frozen=True)
class Decided:
    kind: str
    by: str
    days_ago: int
    reason: str


@dataclass(frozen=True)
class Withdrew:
    days_ago: int


@dataclass(frozen=True)
class Hired:
    by: str
    days_ago: int
    starts_days_ago: int


@dataclass(frozen=True)
class DemoCandidate:
    name: str
    reading: str
    email: str
    source: str
    notes: str
    level: int  # how they answer (1–4) where an interview does not say otherwise
    # (opening key, applied days ago, what happened since)
    applications: tuple


CANDIDATES = [
    DemoCandidate(
        "小川 遥",
        "おがわ はるか",
        "ogawa.haruka@example.net",
        "careers_site",
        "コールセンターのSV経験5年。丁寧な応対で社内表彰歴あり。",
        3,
        (("onboarding", 1, ()),),
    ),
    DemoCandidate(
        "松井 健太",
        "まつい けんた",
        "matsui.kenta@example.net",
        "agency",
        "ITヘルプデスク3年。SaaSのサポート経験あり。",
        3,
        # Today, for ito: the interviewer's demo path starts here.
        (("onboarding", 6, (Interviewed("first", "ito", 0, None, card="empty"),)),),
    ),
    DemoCandidate(
        "中野 美咲",
        "なかの みさき",
        "nakano.misaki@example.net",
        "referral",
        "ホテルのフロント出身。現在はSaaS企業でカスタマーサポート。佐藤さんの紹介。",
        3,
        (
            (
                "onboarding",
                9,
                (
                    Interviewed(
                        "first", "ito", 5, 10, overall=4, ratings={"共感力": 4}
                    ),
                    Interviewed(
                        "first", "watanabe", 5, 11, overall=2, ratings={"共感力": 2}
                    ),
                    Decided(
                        "advance",
                        "suzuki",
                        4,
                        "丁寧さ・安心感は両面接官とも高評価。共感力の評価が割れたため、"
                        "最終面接で具体例を深掘りする。",
                    ),
                    Interviewed("final", "suzuki", -2, 15, card="empty"),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "藤田 翼",
        "ふじた つばさ",
        "fujita.tsubasa@example.net",
        "job_board",
        "EC企業の問い合わせ窓口2年。",
        2,
        (
            (
                "onboarding",
                7,
                (
                    Interviewed("first", "ito", 2, 10, overall=3),
                    # Overdue: the reminder and the recruiters' list show it.
                    Interviewed("first", "watanabe", 2, 11, card="draft"),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "岡本 彩花",
        "おかもと あやか",
        "okamoto.ayaka@example.net",
        "referral",
        "SaaSのカスタマーサポートリーダー。ナレッジベースの立ち上げを経験。",
        4,
        (
            (
                "onboarding",
                16,
                (
                    Interviewed("first", "ito", 12, 10, overall=4),
                    Interviewed(
                        "first", "watanabe", 12, 13, overall=3, ratings={"学習意欲": 3}
                    ),
                    Decided(
                        "advance",
                        "suzuki",
                        11,
                        "一次面接は両面接官とも推薦。丁寧さ・安心感・共感力がいずれも高い。",
                    ),
                    Interviewed("final", "suzuki", 7, 16, overall=4),
                    Decided(
                        "offer",
                        "suzuki",
                        5,
                        "全項目で水準以上。オンボーディングの型化への貢献も期待できる。",
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "村上 大輝",
        "むらかみ だいき",
        "murakami.daiki@example.net",
        "job_board",
        "不動産営業4年。CSへの転職を希望。",
        2,
        (
            (
                "onboarding",
                13,
                (
                    Interviewed(
                        "first",
                        "ito",
                        9,
                        10,
                        overall=2,
                        ratings={"共感力": 1, "主体性": 3},
                    ),
                    # Submitted three days late: calibration counts it.
                    Interviewed(
                        "first",
                        "watanabe",
                        9,
                        14,
                        overall=1,
                        ratings={"共感力": 1},
                        hours_to_submit=70,
                    ),
                    Decided(
                        "reject",
                        "suzuki",
                        6,
                        "重みの高い丁寧さ・共感力がいずれも水準に届かなかった。",
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "近藤 さくら",
        "こんどう さくら",
        "kondo.sakura@example.net",
        "referral",
        "人材サービスの法人営業3年。目標達成率は常に110%以上。",
        3,
        (
            (
                "smb",
                45,
                (
                    Interviewed(
                        "first",
                        "ito",
                        40,
                        10,
                        overall=4,
                        ratings={"数値意識": 4, "目標達成意欲": 4},
                    ),
                    Interviewed(
                        "first", "watanabe", 40, 11, overall=3, ratings={"数値意識": 4}
                    ),
                    Decided(
                        "advance",
                        "takahashi",
                        38,
                        "Both interviewers rate numbers and drive highly; listening to "
                        "be checked in the final interview.",
                    ),
                    Interviewed("final", "takahashi", 33, 15, overall=3),
                    Decided(
                        "offer",
                        "takahashi",
                        30,
                        "Strong on numbers and drive, at the bar on listening.",
                    ),
                    Hired("kobayashi", 25, starts_days_ago=20),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "石田 翔",
        "いしだ しょう",
        "ishida.sho@example.net",
        "agency",
        "広告代理店のアカウントプランナー。数値分析が得意。",
        3,
        (
            (
                "smb",
                10,
                (
                    Interviewed("first", "watanabe", 6, 10, overall=2),
                    Interviewed(
                        "first", "ito", 6, 13, overall=3, ratings={"提案力": 2}
                    ),
                    Corrected(
                        "first",
                        "ito",
                        "提案力の質問の評価を、別の候補者のメモと取り違えていたため"
                        "修正します。",
                        overall=4,
                        ratings={"提案力": 4, "数値意識": 4},
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "坂口 陽菜",
        "さかぐち ひな",
        "sakaguchi.hina@example.net",
        "careers_site",
        "スタートアップでインサイドセールス2年。",
        3,
        (
            (
                "smb",
                4,
                (
                    Interviewed("first", "watanabe", -1, 10, card="empty"),
                    Interviewed("first", "ito", -1, 11, card="empty"),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "平野 拓海",
        "ひらの たくみ",
        "hirano.takumi@example.net",
        "job_board",
        "保険代理店の営業。",
        2,
        (("smb", 18, (Interviewed("first", "ito", 15, 10), Withdrew(12))),),
    ),
    DemoCandidate(
        "横山 恵",
        "よこやま めぐみ",
        "yokoyama.megumi@example.net",
        "direct",
        "ITコンサルティングファーム出身。業務改善プロジェクトのPM経験。",
        3,
        (
            ("smb", 3, ()),
            (
                "enterprise",
                9,
                (
                    Interviewed(
                        "first", "tanaka", 4, 10, overall=3, ratings={"ロジカルさ": 4}
                    ),
                    Interviewed(
                        "first",
                        "watanabe",
                        4,
                        13,
                        overall=3,
                        ratings={"ロジカルさ": 4},
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "宮崎 亮",
        "みやざき りょう",
        "miyazaki.ryo@example.net",
        "agency",
        "SIerでERP導入のコンサルタント5年。",
        3,
        (
            (
                "enterprise",
                5,
                (
                    Interviewed("first", "tanaka", 1, 10, overall=3),
                    Interviewed("first", "ito", 1, 17, card="draft"),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "内田 優子",
        "うちだ ゆうこ",
        "uchida.yuko@example.net",
        "referral",
        "外資系コンサルティング会社で、CS組織の立ち上げを支援。",
        4,
        (
            (
                "enterprise",
                24,
                (
                    Interviewed("first", "ito", 20, 10, overall=4),
                    Interviewed(
                        "first", "watanabe", 20, 14, overall=3, ratings={"数値意識": 3}
                    ),
                    Decided(
                        "advance",
                        "tanaka",
                        18,
                        "専門知識・ロジカルさとも高評価。最終面接で大手顧客の伴走経験を"
                        "確認する。",
                    ),
                    Interviewed("final", "tanaka", 14, 15, overall=4),
                    Decided(
                        "offer",
                        "tanaka",
                        10,
                        "重みの高い専門知識・ロジカルさ・課題発見力がいずれも高い。",
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "菅原 直人",
        "すがわら なおと",
        "sugawara.naoto@example.net",
        "job_board",
        "製造業の生産管理。SaaS業界は未経験。",
        2,
        (
            (
                "enterprise",
                12,
                (
                    Interviewed(
                        "first", "watanabe", 8, 10, overall=1, ratings={"専門知識": 1}
                    ),
                    Interviewed("first", "tanaka", 8, 13, overall=2),
                    Decided(
                        "reject",
                        "tanaka",
                        6,
                        "専門知識とロジカルさが、エンタープライズ顧客を担当する水準に"
                        "届かなかった。",
                    ),
                ),
            ),
        ),
    ),
    DemoCandidate(
        "新井 千尋",
        "あらい ちひろ",
        "arai.chihiro@example.net",
        "careers_site",
        "大学院でデータ分析を専攻。第二新卒。",
        3,
        (("enterprise", 0, ()),),
    ),
]

# What interviewers write, by language, kind of question and rating.
ANSWER_NOTES = {
    "ja": {
        "behavioural": {
            4: "状況・行動・結果を順に具体的に説明。結果を数字で示し、振り返りから次の"
            "行動も変えていた。",
            3: "具体的な経験あり。本人の行動は明確だが、結果の振り返りはやや浅い。",
            2: "経験の話はあるが一般論が中心で、本人が何をしたのかが見えにくい。",
            1: "該当する経験が出てこず、質問の意図とずれた回答。",
        },
        "scenario": {
            4: "まず顧客の状況を確かめ、仮説・打ち手・期限まで具体的。社内連携と再発"
            "防止にも触れた。",
            3: "妥当な進め方を順序立てて説明。顧客への確認も含む。優先順位づけは"
            "もう一歩。",
            2: "方向性は合っているが、具体的な行動や期限が曖昧。",
            1: "顧客の状況を確かめずに解決策へ飛びつく。リスクへの意識が薄い。",
        },
    },
    "en": {
        "behavioural": {
            4: "Situation, action and result in order, with numbers; changed their "
            "approach after reflecting.",
            3: "A concrete example with a clear personal role; reflection on the "
            "result a little thin.",
            2: "Mostly generalities; hard to see what they did themselves.",
            1: "No relevant experience; the answer missed the question.",
        },
        "scenario": {
            4: "Checked the customer's situation first; hypothesis, actions and dates "
            "all concrete, including follow-up inside the company.",
            3: "A sound plan in a sensible order, checking with the customer; "
            "priorities could be sharper.",
            2: "The right direction, but actions and dates stay vague.",
            1: "Jumps to a solution without checking the situation.",
        },
    },
}
SUMMARIES = {
    "ja": {
        4: "回答が一貫して具体的で、再現性のある行動が見えた。強く推薦します。",
        3: "求める水準を満たしている。次の面接では、評価が低めだった項目を"
        "深掘りしたい。",
        2: "良い点もあるが、重みの高い項目で具体的な行動が見えなかった。",
        1: "今回の役割に求める水準との差が大きい。",
    },
    "en": {
        4: "Consistently concrete answers showing repeatable behaviour. Strong yes.",
        3: "Meets the bar. Probe the lower-rated competencies in the next interview.",
        2: "Some strengths, but no concrete behaviour on the heaviest competencies.",
        1: "Far from what this role needs.",
    },
}


class HiringDemo:
    """The hiring demo, written once: existing candidates (by email) are skipped."""

    def __init__(self, people: dict[str, User]):
        self.people = people
        self.recruiter = people[RECRUITER.username]
        self.now = timezone.now()

    def seed(self) -> None:
        bank = self._question_bank()
        openings = {spec.key: self._opening(spec, bank) for spec in OPENINGS}
        for spec in CANDIDATES:
            if Candidate.objects.filter(email=spec.email).exists():
                continue
            candidate = hiring_services.candidate_create(
                by=self.recruiter,
                name=spec.name,
                name_reading=spec.reading,
                email=spec.email,
                source=spec.source,
                notes=spec.notes,
            )
            first_applied = max(days for _key, days, _steps in spec.applications)
            Candidate.objects.filter(pk=candidate.pk).update(
                created_at=self._at(first_applied, 9)
            )
            for key, applied_days_ago, steps in spec.applications:
                self._application(
                    candidate, openings[key], applied_days_ago, steps, spec.level
                )

    # The framework: questions, openings and their kits.

    def _question_bank(self) -> dict[str, list[Question]]:
        competencies = {
            c.name: c
            for c in Competency.objects.filter(
                name__in={q.competency for q in QUESTIONS}
            )
        }
        bank = defaultdict(list)
        for spec in QUESTIONS:
            question = Question.objects.filter(text=spec.text).first()
            if question is None:
                if spec.competency not in competencies:
                    raise CommandError(
                        f"The competency {spec.competency} is missing: run migrate."
                    )
                rubric = {}
                for rating, (text, text_en) in enumerate(spec.rubric, start=1):
                    rubric[f"rubric_{rating}"] = text
                    rubric[f"rubric_{rating}_en"] = text_en
                question = hiring_services.record_save(
                    Question(),
                    competency=competencies[spec.competency],
                    kind=spec.kind,
                    text=spec.text,
                    text_en=spec.text_en,
                    **rubric,
                )
            bank[question.competency.name].append(question)
        return bank

    def _opening(self, spec: DemoOpening, bank) -> Opening:
        opening = Opening.objects.filter(title=spec.title).first()
        if opening is None:
            profile = SuccessProfile.objects.filter(name=spec.profile).first()
            if profile is None:
                raise CommandError(
                    f"The starting profile {spec.profile} is missing: run migrate."
                )
            opening = hiring_services.record_save(
                Opening(),
                title=spec.title,
                team=Team.objects.get(name=spec.team),
                profile=profile,
                hiring_manager=self.people[spec.hiring_manager],
                description=spec.description,
            )
        first, final = self._kit_questions(opening, spec.focus, bank)
        for stage, questions in (("first", first), ("final", final)):
            kit, created = InterviewKit.objects.get_or_create(
                opening=opening, stage=stage, defaults={"guidance": KIT_GUIDANCE[stage]}
            )
            if created:
                hiring_services.kit_set_questions(
                    kit=kit, question_ids=[q.pk for q in questions]
                )
        return opening

    @staticmethod
    def _kit_questions(opening, focus, bank):
        """Every competency of the profile in both kits, the heaviest first; the
        focus is asked twice in the first interview, so no kit has a coverage
        warning."""
        first, final = [], []
        weights = opening.profile.weights.select_related("competency").order_by(
            "-weight", "pk"
        )
        for weight in weights:
            questions = bank.get(weight.competency.name, [])
            if weight.competency.name == focus:
                first += questions[:2]
                final += questions[2:3]
            else:
                first += questions[:1]
                final += questions[1:2]
        return first, final

    # A candidate's story.

    def _at(self, days_ago: int, hour: int | None) -> datetime:
        """Local time `hour` o'clock, `days_ago` days ago; None: this hour, today."""
        if hour is None:
            return timezone.localtime(self.now).replace(
                minute=0, second=0, microsecond=0
            )
        day = timezone.localdate(self.now) - timedelta(days=days_ago)
        when = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
        return min(when, self.now) if days_ago >= 0 else when

    def _application(self, candidate, opening, applied_days_ago, steps, level):
        application = hiring_services.application_create(
            candidate=candidate, opening=opening, by=self.recruiter
        )
        stage_changed_at = applied = self._at(applied_days_ago, 9)
        interviews = {}
        for step in steps:
            if isinstance(step, Interviewed):
                when = self._at(step.days_ago, step.hour)
                if application.stage == Application.Stage.APPLIED:
                    stage_changed_at = min(when, self.now)
                interview = hiring_services.interview_schedule(
                    application=application,
                    kit=opening.kits.get(stage=step.stage),
                    interviewer=self.people[step.interviewer],
                    scheduled_at=when,
                    by=self.recruiter,
                )
                interviews[step.stage, step.interviewer] = interview
                self._scorecard(interview, step, level)
            elif isinstance(step, Corrected):
                self._correct(interviews[step.stage, step.interviewer], step, level)
            elif isinstance(step, Decided):
                decision = hiring_services.decision_record(
                    application=application,
                    kind=step.kind,
                    reason=step.reason,
                    by=self.people[step.by],
                )
                stage_changed_at = self._at(step.days_ago, 18)
                Decision.objects.filter(pk=decision.pk).update(
                    decided_at=stage_changed_at
                )
            elif isinstance(step, Withdrew):
                hiring_services.application_withdraw(
                    application=application, by=self.recruiter
                )
                stage_changed_at = self._at(step.days_ago, 12)
            elif isinstance(step, Hired):
                self._hire(application, step)
                stage_changed_at = self._at(step.days_ago, 12)
        Application.objects.filter(pk=application.pk).update(
            created_at=applied, stage_changed_at=stage_changed_at
        )

    def _answers(self, interview, level, ratings):
        """Notes and ratings for every kit question, and the proposed competency
        ratings. A competency's second question is rated a notch lower; the mean
        still rounds (half up) to the competency's rating."""
        language = interview.interviewer.preferred_language
        answers = {}
        by_competency = defaultdict(list)
        for kit_question in interview.kit.kit_questions.select_related(
            "question__competency"
        ):
            question = kit_question.question
            rated = by_competency[question.competency_id]
            target = ratings.get(question.competency.name, level)
            rating = max(1, target - len(rated) % 2)
            rated.append(rating)
            answers[question.pk] = {
                "notes": ANSWER_NOTES[language][question.kind][rating],
                "rating": rating,
            }
        proposed = {
            competency_id: hiring_services.proposed_rating(rated)
            for competency_id, rated in by_competency.items()
        }
        return answers, proposed

    def _scorecard(self, interview: Interview, step: Interviewed, level: int):
        if step.card == "empty":
            return
        scorecard = interview.scorecard
        interviewer = interview.interviewer
        answers, proposed = self._answers(interview, level, step.ratings)
        if step.card == "draft":
            # Halfway through: the first questions noted and rated, nothing else.
            started = dict(list(answers.items())[: len(answers) // 2])
            hiring_services.scorecard_save_draft(
                scorecard=scorecard, by=interviewer, answers=started
            )
            return
        hiring_services.scorecard_save_draft(
            scorecard=scorecard,
            by=interviewer,
            answers=answers,
            competency_ratings=proposed,
            overall=step.overall,
            summary=SUMMARIES[interviewer.preferred_language][step.overall],
        )
        hiring_services.scorecard_submit(scorecard=scorecard, by=interviewer)
        submitted_at = min(
            interview.scheduled_at
            + timedelta(minutes=interview.duration_minutes, hours=step.hours_to_submit),
            self.now,
        )
        ScorecardRevision.objects.filter(scorecard=scorecard).update(
            created_at=interview.scheduled_at,
            saved_at=submitted_at,
            submitted_at=submitted_at,
        )
        Scorecard.objects.filter(pk=scorecard.pk).update(
            first_submitted_at=submitted_at
        )

    def _correct(self, interview: Interview, step: Corrected, level: int):
        scorecard = Scorecard.objects.get(pk=interview.scorecard.pk)
        interviewer = interview.interviewer
        hiring_services.scorecard_start_correction(
            scorecard=scorecard, by=interviewer, reason=step.reason
        )
        answers, proposed = self._answers(interview, level, step.ratings)
        hiring_services.scorecard_save_draft(
            scorecard=scorecard,
            by=interviewer,
            answers=answers,
            competency_ratings=proposed,
            overall=step.overall,
        )
        hiring_services.scorecard_submit(scorecard=scorecard, by=interviewer)
        corrected_at = min(scorecard.first_submitted_at + timedelta(days=1), self.now)
        scorecard.refresh_from_db()
        ScorecardRevision.objects.filter(pk=scorecard.current_id).update(
            created_at=corrected_at, saved_at=corrected_at, submitted_at=corrected_at
        )

    def _hire(self, application: Application, step: Hired):
        candidate = application.candidate
        # The new member's account exists already (IT prepared it, with the Member
        # role: held since always, so that the demo history of the weeks since the
        # start date credits them): the hire links it.
        if not User.objects.filter(email=candidate.email).exists():
            family_name, given_name = candidate.name.split(" ")
            family_reading, given_reading = candidate.name_reading.split(" ")
            services.user_create(
                username=HIRED,
                email=candidate.email,
                password=DEMO_PASSWORD,
                family_name=family_name,
                given_name=given_name,
                family_name_reading=family_reading,
                given_name_reading=given_reading,
                roles=[Role.MEMBER],
                send_welcome=False,
            )
        hiring_services.candidate_hire(
            application=application,
            by=self.people[step.by],
            start_date=timezone.localdate(self.now)
            - timedelta(days=step.starts_days_ago),
        )


# --- Journeys (育成の型化) ----------------------------------------------------------
# Two journeys of five steps (dedicated accounts, and the pooled tech-touch segment),
# a playbook and a training module with a quiz for every transition, assignments and
# attempts (some failed, then passed), practicum reflections, two pools, and customer
# accounts with coverage history and twelve months of step events. The definitions
# and a handful of representative writes go through journeys.services; the volume
# (accounts, coverage, events) is written in bulk so that the demo stays fast.


@dataclass(frozen=True)
class DemoStep:
    name: str
    description: str
    done: str  # the definition of done, one check per line
    target_days: int | None = None  # a value point's target
    window_days: int = 90


@dataclass(frozen=True)
class DemoTransition:
    goal: str
    actions: str
    content: str
    owner: str  # a demo manager
    quiz: tuple  # (question, (choices…), index of the correct one)


@dataclass(frozen=True)
class DemoJourney:
    key: str
    name: str
    description: str
    segments: str
    coverage_models: str
    steps: tuple
    transitions: tuple
    # Of the accounts at step k, how many reach step k+1 (the drop-off), and the days
    # it takes (low, high).
    reach: tuple
    days: tuple


def _quiz(*items):
    return tuple(items)


JOURNEYS = [
    DemoJourney(
        "dedicated",
        "エンタープライズ・サクセスジャーニー",
        "1対1で担当するエンタープライズ・ミッドマーケット顧客の標準ジャーニー。"
        "契約からキックオフ、初期設定、最初の成果、定着、拡大までを5つのステップで示します。",
        "エンタープライズ, ミッドマーケット",
        "dedicated",
        (
            DemoStep(
                "キックオフ",
                "契約後のキックオフ会議で、導入の目的と成功の定義を顧客と合意する。",
                "導入目的と成功指標を顧客と合意した\n"
                "顧客側の推進担当者が決まった\n"
                "導入スケジュールを共有した",
                window_days=30,
            ),
            DemoStep(
                "初期設定完了",
                "アカウント・権限・データ連携など、使い始めるための設定が終わる。",
                "管理者アカウントを発行した\nデータ連携を設定した\n利用者を招待した",
                window_days=45,
            ),
            DemoStep(
                "ファーストバリュー",
                "顧客が最初の成果を実感する（例：最初のレポートを経営会議で使う）。",
                "合意した成功指標で最初の成果が出た\n顧客が成果を言葉にできた",
                target_days=45,
                window_days=90,
            ),
            DemoStep(
                "定着",
                "主要な業務で毎週使われ、利用者が自走している。",
                "週次アクティブ率が70%を超えた\n定例会が顧客主導で回っている",
                target_days=120,
                window_days=120,
            ),
            DemoStep(
                "拡大",
                "他部署への展開や上位プランへの移行で、利用が広がる。",
                "追加部署または上位プランの合意を得た",
                target_days=300,
            ),
        ),
        (
            DemoTransition(
                "初回のキックオフから2週間以内に、使い始めるための設定を終える。",
                "キックオフ議事録を24時間以内に送る\n"
                "初期設定チェックリストを顧客と共有する\n"
                "データ連携の担当者と日程を決める\n"
                "1週間後に進捗確認の電話をする",
                "【メールテンプレート】\n"
                "件名：{customer_name}様 キックオフのお礼と初期設定のご案内\n"
                "{customer_name}様\n本日はキックオフにお時間をいただきありがとうございました。"
                "合意した導入目的と、初期設定チェックリストをお送りします。\n"
                "資料：初期設定ガイド https://example.com/docs/setup",
                "tanaka",
                _quiz(
                    (
                        "キックオフ議事録はいつまでに送りますか？",
                        ("24時間以内", "1週間以内", "次回の定例会で"),
                        0,
                    ),
                    (
                        "初期設定で最初に決めるべきことは？",
                        ("データ連携の担当者と日程", "上位プランの提案", "解約理由"),
                        0,
                    ),
                    (
                        "進捗確認の連絡はいつしますか？",
                        ("1週間後", "3か月後", "顧客から連絡が来たら"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "設定完了から45日以内に、合意した成功指標で最初の成果を出す。",
                "成功指標のベースラインを測る\n"
                "最初の成果につながる1つの業務に絞って活用を支援する\n"
                "成果を数字で示すレポートを一緒に作る",
                "【成果レポートの型】\n{customer_name}様の導入目的：…\n"
                "ベースライン → 現在の値 → 次の目標\n"
                "資料：活用事例集 https://example.com/docs/cases",
                "suzuki",
                _quiz(
                    (
                        "最初の成果を出すために絞るものは？",
                        ("1つの業務", "全部署の業務", "契約金額"),
                        0,
                    ),
                    (
                        "成果を示すときに必要なものは？",
                        ("ベースラインとの比較", "機能一覧", "価格表"),
                        0,
                    ),
                    (
                        "ファーストバリューの目標は開始から何日ですか？",
                        ("45日", "7日", "365日"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "最初の成果を、毎週の業務での定着につなげる。",
                "利用状況ダッシュボードを毎週確認する\n"
                "利用が少ない部署に個別の勉強会を開く\n"
                "定例会の進行を顧客側の推進担当者に引き継ぐ",
                "【勉強会案内テンプレート】\n{customer_name}様 各部署のご担当者様\n"
                "30分の活用勉強会を開催します。日程候補：…\n"
                "資料：定着チェックリスト https://example.com/docs/adoption",
                "suzuki",
                _quiz(
                    (
                        "定着の目安となる週次アクティブ率は？",
                        ("70%以上", "10%以上", "100%"),
                        0,
                    ),
                    (
                        "利用が少ない部署にはまず何をしますか？",
                        ("個別の勉強会", "契約の見直し", "何もしない"),
                        0,
                    ),
                    (
                        "定例会は最終的に誰が進行しますか？",
                        ("顧客側の推進担当者", "CSMの上長", "営業担当"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "定着した成果を他部署への展開や上位プランにつなげる。",
                "成果事例を経営層向けにまとめる\n"
                "展開候補の部署を推進担当者と洗い出す\n"
                "営業担当と拡大提案の作戦会議を開く",
                "【経営層向けサマリーの型】\n{customer_name}様での成果：…\n"
                "次に展開する部署と期待効果：…\n"
                "資料：拡大提案テンプレート https://example.com/docs/expansion",
                "tanaka",
                _quiz(
                    (
                        "拡大提案の前に用意するものは？",
                        ("経営層向けの成果事例", "値引き案", "解約防止策"),
                        0,
                    ),
                    (
                        "展開候補の部署は誰と洗い出しますか？",
                        ("顧客側の推進担当者", "競合他社", "採用担当"),
                        0,
                    ),
                    (
                        "拡大提案で連携する社内の相手は？",
                        ("営業担当", "経理", "法務だけ"),
                        0,
                    ),
                ),
            ),
        ),
        reach=(0.93, 0.82, 0.7, 0.42),
        days=((5, 20), (15, 45), (40, 90), (60, 150)),
    ),
    DemoJourney(
        "pooled",
        "SMBテックタッチ・ジャーニー",
        "プールで担当する中小企業向けのジャーニー。メールとウェビナーを中心に、"
        "少ない接点で最初の成果と定着まで導きます。",
        "SMB",
        "pooled",
        (
            DemoStep(
                "アカウント開設",
                "契約が完了し、管理者アカウントが開設される。",
                "ウェルカムメールが届いた\n管理者が初回ログインした",
                window_days=14,
            ),
            DemoStep(
                "初期設定完了",
                "セルフオンボーディングで基本設定が終わる。",
                "基本設定ウィザードを完了した\n利用者を2名以上招待した",
                window_days=30,
            ),
            DemoStep(
                "ファーストバリュー",
                "最初のレポートを作り、成果を実感する。",
                "最初のレポートを作成した",
                target_days=30,
                window_days=60,
            ),
            DemoStep(
                "定着",
                "毎週ログインして業務で使っている。",
                "4週連続で週次ログインがある",
                target_days=90,
                window_days=120,
            ),
            DemoStep(
                "拡大",
                "利用者の追加や上位プランへの移行。",
                "利用者を追加した、または上位プランに移行した",
                target_days=240,
            ),
        ),
        (
            DemoTransition(
                "開設から2週間以内にセルフオンボーディングを終えてもらう。",
                "ウェルカムメールの開封を確認する\n"
                "未開封なら3日後にリマインドを送る\n"
                "オンボーディングウェビナーに招待する",
                "【ウェルカムメール】\n件名：{customer_name}様 ご利用開始のご案内\n"
                "{customer_name}様\nご契約ありがとうございます。まずは設定ウィザードから"
                "始めましょう（所要時間15分）。\nウェビナー：毎週水曜 14:00",
                "takahashi",
                _quiz(
                    (
                        "ウェルカムメールが未開封のときは？",
                        ("3日後にリマインド", "すぐに電話", "何もしない"),
                        0,
                    ),
                    (
                        "セルフオンボーディングの目標期間は？",
                        ("2週間", "半年", "1日"),
                        0,
                    ),
                    (
                        "オンボーディングウェビナーの目的は？",
                        ("基本設定を終えてもらう", "価格交渉", "解約手続き"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "設定完了から30日以内に最初のレポートを作ってもらう。",
                "レポートテンプレートをメールで送る\n"
                "利用状況スコアが低い顧客に15分の個別相談を案内する",
                "【レポートテンプレート案内】\n{customer_name}様\n"
                "3分で作れるレポートのテンプレートをご用意しました：https://example.com/templates",
                "takahashi",
                _quiz(
                    (
                        "個別相談を案内するのはどの顧客ですか？",
                        (
                            "利用状況スコアが低い顧客",
                            "全顧客",
                            "契約更新直前の顧客だけ",
                        ),
                        0,
                    ),
                    (
                        "ファーストバリューの目標は開始から何日ですか？",
                        ("30日", "300日", "3日"),
                        0,
                    ),
                    (
                        "最初に案内するものは？",
                        ("レポートテンプレート", "上位プラン", "請求書"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "最初の成果から、毎週の利用習慣につなげる。",
                "週次の活用ヒントメールを配信する\n"
                "2週ログインがない顧客にリマインドを送る\n"
                "ユーザー会に招待する",
                "【活用ヒントメール】\n{customer_name}様\n今週の活用ヒント：…\n"
                "ユーザー会のご案内：https://example.com/community",
                "suzuki",
                _quiz(
                    (
                        "リマインドを送る条件は？",
                        ("2週ログインがない", "毎日", "契約から1年後"),
                        0,
                    ),
                    (
                        "定着の定義は？",
                        ("4週連続の週次ログイン", "1回のログイン", "請求の支払い"),
                        0,
                    ),
                    (
                        "定着を後押しする場は？",
                        ("ユーザー会", "解約面談", "価格改定の説明会"),
                        0,
                    ),
                ),
            ),
            DemoTransition(
                "定着した顧客に、利用者の追加や上位プランを案内する。",
                "利用者数が上限に近い顧客を抽出する\n"
                "上位プランの事例をメールで紹介する\n"
                "関心を示した顧客を営業に引き継ぐ",
                "【アップセル案内】\n{customer_name}様\n"
                "ご利用者数が上限に近づいています。上位プランの事例：…",
                "takahashi",
                _quiz(
                    (
                        "アップセルの対象として抽出するのは？",
                        ("利用者数が上限に近い顧客", "未ログインの顧客", "全顧客"),
                        0,
                    ),
                    (
                        "関心を示した顧客は誰に引き継ぎますか？",
                        ("営業", "経理", "サポート"),
                        0,
                    ),
                    (
                        "案内に使うものは？",
                        ("上位プランの事例", "解約手続き", "請求書"),
                        0,
                    ),
                ),
            ),
        ),
        reach=(0.88, 0.68, 0.55, 0.3),
        days=((2, 14), (7, 30), (20, 70), (60, 160)),
    ),
]

POOLS = [
    ("SMBプール（東日本）", "region"),
    ("SMBプール（西日本）", "region"),
]
PRACTICUM_NOTES = [
    (
        "顧客側の推進担当者が決まらないまま進めてしまいそうになった。",
        "導入目的を顧客の言葉で書き取るところで手が止まった。",
        "キックオフで聞くべき質問のリストがあると助かる。",
    ),
    (
        "データ連携の設定で、顧客側に何を準備してもらうかが分かりにくかった。",
        "権限設定の画面で迷った。",
        "顧客に送る準備物チェックリスト。",
    ),
    (
        "成果を数字で示すためのベースラインを取り忘れていた。",
        "どの業務から始めるかを顧客と決められなかった。",
        "業種別の活用事例。",
    ),
    (
        "利用が少ない部署の理由を聞き出すのが難しかった。",
        "",
        "勉強会の台本。",
    ),
    ("拡大の話をどのタイミングで出すか迷った。", "", "営業との役割分担の表。"),
]
COMPANY_HEADS = [
    "青葉", "朝日", "東", "泉", "稲穂", "大空", "桜", "翠", "光", "葵",
    "北斗", "若葉", "常盤", "白鷺", "富士", "紅葉", "菱", "旭", "港", "銀河",
    "未来", "日の出", "双葉", "瑞穂", "明星", "山河", "新緑", "月光", "鳳", "千代田",
]  # fmt: skip
COMPANY_TAILS = [
    "商事", "物産", "工業", "電機", "製作所", "システムズ", "フーズ",
    "ホールディングス", "ロジスティクス", "メディカル", "不動産", "建設",
    "ソリューションズ", "テクノロジー", "リテール", "化学", "精密", "薬品",
    "観光", "デザイン",
]  # fmt: skip
VOID_REASON = "別の顧客の記録を誤って入力したため取り消し。"


class JourneysDemo:
    """The journeys demo. Each part is skipped when it exists already (journeys by
    name, modules by title, pools by name, accounts by external id), so that a
    second run changes nothing."""

    def __init__(self, people: dict[str, User], *, small: bool):
        self.people = people
        self.admin = people[ADMIN.username]
        self.small = small
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.random = random.Random(4)
        self.teams = {name: Team.objects.get(name=name) for name, *_rest in TEAMS}
        self.members = {
            name: [
                m.user
                for m in TeamMembership.objects.filter(team=team, end_date__isnull=True)
                .select_related("user")
                .order_by("start_date", "user__pk")
            ]
            for name, team in self.teams.items()
        }
        # The newest members: hired through Kata, and the last of オンボーディング.
        self.newest = {
            member
            for member in (
                User.objects.filter(username=HIRED).first(),
                self.members["オンボーディング"][-1],
            )
            if member is not None
        }

    def seed(self) -> None:
        journeys = {spec.key: self._journey(spec) for spec in JOURNEYS}
        dedicated_teams = ["エンタープライズCS", "オンボーディング"]
        self._training(journeys["dedicated"], JOURNEYS[0], dedicated_teams)
        self._training(journeys["pooled"], JOURNEYS[1], ["SMBプール"])
        pools = self._pools()
        self._practicum(journeys, dedicated_teams)
        self._accounts(journeys, pools, dedicated_teams)

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(
            day, time(hour, minute), tzinfo=timezone.get_current_timezone()
        )

    # Journeys, playbooks and training.

    def _journey(self, spec: DemoJourney) -> Journey:
        journey = Journey.objects.filter(name=spec.name).first()
        if journey is not None:
            return journey
        journey = Journey.objects.create(
            name=spec.name,
            description=spec.description,
            segments=spec.segments,
            coverage_models=spec.coverage_models,
        )
        steps = [
            journeys_services.step_insert(
                journey=journey,
                position=position,
                name=step.name,
                description=step.description,
                definition_of_done=step.done,
                is_value_point=step.target_days is not None,
                target_days=step.target_days,
                conversion_window_days=step.window_days,
            )
            for position, step in enumerate(spec.steps, start=1)
        ]
        for step, transition in zip(steps, spec.transitions, strict=False):
            playbook = journeys_services.playbook_create(
                from_step=step,
                owner=self.people[transition.owner],
                goal=transition.goal,
                actions=transition.actions,
                content=transition.content,
                by=self.people[transition.owner],
            )
            if step.position == 1:
                # A revision, so that the version history shows something.
                journeys_services.playbook_revise(
                    playbook=playbook,
                    by=self.admin,
                    goal=transition.goal,
                    actions=transition.actions
                    + "\n推進担当者の上長にも議事録を共有する",
                    content=transition.content,
                    note="現場の振り返りを受けて、上長への共有を追加",
                )
            module = TrainingModule.objects.create(
                from_step=step,
                title=f"{step.name} → {spec.steps[step.position].name}",
                material=(
                    f"このモジュールでは「{step.name}」から"
                    f"「{spec.steps[step.position].name}」へ進めるプレイブックの使い方を"
                    f"学びます。\n\nゴール：{transition.goal}\n\n推奨アクション：\n"
                    f"{transition.actions}\n\n確認テストは6割以上で合格です。"
                ),
                pass_mark=60,
            )
            for position, (text, choices, correct) in enumerate(
                transition.quiz, start=1
            ):
                question = QuizQuestion.objects.create(
                    module=module, position=position, text=text
                )
                QuizChoice.objects.bulk_create(
                    QuizChoice(question=question, text=choice, is_correct=i == correct)
                    for i, choice in enumerate(choices)
                )
        return journey

    def _answers(self, module: TrainingModule, right: int) -> dict[int, int]:
        """Answers with the first `right` questions correct."""
        answers = {}
        for index, question in enumerate(module.quiz_questions.all()):
            choices = list(question.choices.all())
            good = [c for c in choices if c.is_correct]
            bad = [c for c in choices if not c.is_correct]
            answers[question.pk] = (good if index < right else bad)[0].pk
        return answers

    def _training(self, journey, spec, team_names) -> None:
        modules = list(
            TrainingModule.objects.filter(from_step__journey=journey)
            .prefetch_related("quiz_questions__choices")
            .order_by("from_step__position")
        )
        if TrainingAssignment.objects.filter(module__in=modules).exists():
            return
        start = self.today - timedelta(days=330)
        for index, module in enumerate(modules):
            due = start + timedelta(days=14 * (index + 1))
            for name in team_names:
                # To a team: joiners get the module too.
                journeys_services.training_assign(
                    module=module,
                    due_date=due,
                    by=self.teams[name].leader,
                    team=self.teams[name],
                )
        # The team modules were assigned four weeks before they were due.
        for assignment in TrainingAssignment.objects.filter(module__in=modules):
            assignment.assigned_at = self._at(
                assignment.due_date - timedelta(days=28), 9
            )
            assignment.save(update_fields=["assigned_at"])
        for name in team_names:
            for position, member in enumerate(self.members[name]):
                newest = member in self.newest
                for index, module in enumerate(modules):
                    if newest:
                        # The newest: half of it done. The hire joined after the
                        # team's due dates: their own assignments.
                        if member.username == HIRED:
                            journeys_services.training_assign(
                                module=module,
                                due_date=self.today + timedelta(days=7 * index - 3),
                                by=self.teams[name].leader,
                                member=member,
                            )
                        if index >= len(modules) // 2:
                            continue
                        when = self.now - timedelta(days=10 - index, hours=3)
                    else:
                        when = self._at(
                            start + timedelta(days=14 * index + 3 + position % 9), 16
                        )
                    if (position + index) % 4 == 1:
                        # Failed first, passed on the retry two days later.
                        journeys_services.training_complete(
                            module=module,
                            member=member,
                            answers=self._answers(module, 1),
                            now=when,
                        )
                        when += timedelta(days=2)
                    journeys_services.training_complete(
                        module=module,
                        member=member,
                        answers=self._answers(module, 3 - (position + index) % 2),
                        now=when,
                    )

    def _pools(self) -> list[Pool]:
        team = self.teams["SMBプール"]
        pools = []
        for name, kind in POOLS:
            pool, created = Pool.objects.get_or_create(
                name=name, defaults={"kind": kind, "team": team}
            )
            pools.append(pool)
            if not created:
                continue
            for member in self.members["SMBプール"]:
                since = TeamMembership.objects.filter(user=member, team=team).latest(
                    "start_date"
                )
                PoolMembership.objects.create(
                    pool=pool, user=member, start_date=since.start_date
                )
        return pools

    def _practicum(self, journeys, dedicated_teams) -> None:
        for name in [*dedicated_teams, "SMBプール"]:
            journey = journeys["pooled" if name == "SMBプール" else "dedicated"]
            steps = list(journey.steps.filter(retired_at__isnull=True))
            for member in self.members[name]:
                if PracticumReflection.objects.filter(member=member).exists():
                    continue
                if member in self.newest:
                    # Walked through the services, the last steps still to come.
                    for index, step in enumerate(steps[:3]):
                        hard, stuck, help_ = PRACTICUM_NOTES[index]
                        journeys_services.practicum_save(
                            member=member,
                            step=step,
                            checks_done=step.done_checks()[: 1 if index == 2 else None],
                            what_was_hard=hard,
                            where_stuck=stuck,
                            what_would_help=help_,
                            complete=index < 2,
                            now=self.now - timedelta(days=12 - index),
                        )
                    continue
                done_at = self._at(MEMBERS_SINCE + timedelta(days=10), 17)
                PracticumReflection.objects.bulk_create(
                    PracticumReflection(
                        member=member,
                        step=step,
                        checks_done=step.done_checks(),
                        what_was_hard=PRACTICUM_NOTES[index][0],
                        where_stuck=PRACTICUM_NOTES[index][1],
                        what_would_help=PRACTICUM_NOTES[index][2],
                        completed_at=done_at,
                    )
                    for index, step in enumerate(steps)
                )

    # Customer accounts, coverage and step events.

    def _accounts(self, journeys, pools, dedicated_teams) -> None:
        total = 60 if self.small else 2000
        if CustomerAccount.objects.filter(external_id=_external_id(1)).exists():
            return
        owners = [
            member
            for name in dedicated_teams
            for member in self.members[name]
            if member not in self.newest
        ]
        pool_members = {
            pool.pk: [
                (m.user, m.start_date)
                for m in pool.memberships.select_related("user").order_by("user__pk")
            ]
            for pool in pools
        }
        steps = {
            key: list(journey.steps.filter(retired_at__isnull=True))
            for key, journey in journeys.items()
        }
        specs = {spec.key: spec for spec in JOURNEYS}
        rng = self.random
        accounts, periods, events = [], [], []
        # Accounts: two thirds dedicated, a third pooled; the first few through the
        # services (below), the rest in bulk.
        for number in range(1, total + 1):
            pooled = number % 3 == 0
            key = "pooled" if pooled else "dedicated"
            # Every eleventh account goes far and skips a middle step (below).
            skips = number % 11 == 0
            started = self.today - timedelta(
                days=rng.randint(250, 365) if skips else rng.randint(3, 365)
            )
            if pooled:
                segment = "SMB"
                arr = rng.randint(3, 24) * 100_000
            elif number % 3 == 1:
                segment = "エンタープライズ"
                arr = rng.randint(10, 60) * 1_000_000
            else:
                segment = "ミッドマーケット"
                arr = rng.randint(30, 100) * 100_000
            accounts.append(
                (
                    CustomerAccount(
                        name=_company(number),
                        external_id=_external_id(number),
                        segment=segment,
                        arr=arr,
                        journey=journeys[key],
                    ),
                    key,
                    started,
                )
            )
        CustomerAccount.objects.bulk_create(
            [account for account, _key, _started in accounts], batch_size=500
        )
        for number, (account, key, started) in enumerate(accounts, start=1):
            begin = self._at(started - timedelta(days=3), 10)
            # Who covers it, from when to when.
            coverage = []
            if key == "pooled":
                pool = pools[number % 2]
                coverage.append((begin, None, pool))
                if number % 27 == 0 and started < self.today - timedelta(days=60):
                    # Moved to the other pool (a change of region).
                    moved = self._at(started + timedelta(days=40), 11)
                    coverage.append((moved, None, pools[(number + 1) % 2]))
            else:
                owner = owners[number % len(owners)]
                coverage.append((begin, owner, None))
                if number % 9 == 1 and started < self.today - timedelta(days=90):
                    # A new owner (a member moved accounts around).
                    changed = self._at(started + timedelta(days=rng.randint(30, 80)), 9)
                    other = owners[(number + 5) % len(owners)]
                    coverage.append((changed, other, None))
            for index, (start, owner, pool) in enumerate(coverage):
                end = coverage[index + 1][0] if index + 1 < len(coverage) else None
                periods.append(
                    Coverage(
                        account=account,
                        model=CoverageModel.POOLED if pool else CoverageModel.DEDICATED,
                        owner=owner,
                        pool=pool,
                        started_at=start,
                        ended_at=end,
                        assigned_by=self.admin if owner else None,
                    )
                )
            events += self._events(
                account,
                number,
                steps[key],
                specs[key],
                started,
                coverage,
                pool_members,
            )
        Coverage.objects.bulk_create(periods, batch_size=1000)
        StepEvent.objects.bulk_create(events, batch_size=1000)
        # bulk_create stamps "recorded at" now; the demo records events as they happen.
        StepEvent.objects.filter(account__external_id__startswith="DEMO-").update(
            recorded_at=F("reached_at")
        )
        self._representative_writes(journeys, pools, owners)

    def _events(self, account, number, steps, spec, started, coverage, pool_members):
        rng = self.random
        events = []
        when = self._at(started, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        reached = [(steps[0], when)]
        skips = number % 11 == 0
        for index in range(1, len(steps)):
            if rng.random() > spec.reach[index - 1] and not (skips and index < 4):
                break  # the drop-off: the account stays where it is
            low, high = spec.days[index - 1]
            when = when + timedelta(
                days=rng.randint(low, high), hours=rng.randint(-3, 3)
            )
            if when > self.now:
                break
            reached.append((steps[index], when))
        # Some accounts skip a middle step (the event was never recorded).
        if len(reached) >= 4 and skips:
            del reached[rng.choice((1, 2))]
        for step, at in reached:
            owner, pool = _covering(coverage, at)
            if owner is not None:
                by, source = (
                    owner,
                    (StepEvent.Source.API if number % 5 == 0 else StepEvent.Source.UI),
                )
            elif number % 2 == 0 and (
                members := [
                    user
                    for user, since in pool_members[pool.pk]
                    if since <= timezone.localdate(at)
                ]
            ):
                by, source = members[number % len(members)], StepEvent.Source.UI
            else:
                by, source = None, StepEvent.Source.IMPORT
            events.append(
                StepEvent(
                    account=account,
                    step=step,
                    reached_at=at,
                    recorded_by=by,
                    source=source,
                )
            )
        if number % 97 == 7 and len(reached) >= 2:
            # Recorded by mistake, then voided with the reason.
            step, at = reached[-1]
            events.append(
                StepEvent(
                    account=account,
                    step=step,
                    reached_at=at - timedelta(days=1),
                    recorded_by=self.admin,
                    source=StepEvent.Source.UI,
                    voided_at=at,
                    voided_by=self.admin,
                    void_reason=VOID_REASON,
                )
            )
        return events

    def _representative_writes(self, journeys, pools, owners) -> None:
        """A few accounts written as the app writes them: created with an owner,
        steps recorded, the owner changed, a wrong event voided."""
        journey = journeys["dedicated"]
        steps = list(journey.steps.filter(retired_at__isnull=True))
        owner, other = owners[0], owners[1 % len(owners)]
        start = self.now - timedelta(days=40)
        account = journeys_services.account_create(
            name="株式会社カタ・デモ",
            external_id="DEMO-LIVE-1",
            journey=journey,
            by=self.admin,
            segment="エンタープライズ",
            arr=24_000_000,
            owner=owner,
            at=start,
        )
        for index, step in enumerate(steps[:3]):
            journeys_services.step_event_record(
                account=account,
                step=step,
                reached_at=start + timedelta(days=2 + 12 * index, hours=3),
                by=owner,
                source=StepEvent.Source.UI,
                note="キックオフ完了。推進担当者は情報システム部の山田様。"
                if index == 0
                else "",
            )
        wrong = journeys_services.step_event_record(
            account=account,
            step=steps[3],
            reached_at=self.now - timedelta(days=2),
            by=owner,
            source=StepEvent.Source.UI,
        )
        journeys_services.step_event_void(
            event=wrong,
            by=owner,
            reason="定着の条件をまだ満たしていなかったため取り消し。",
        )
        journeys_services.account_assign_owner(
            account=account, owner=other, by=self.admin, at=self.now - timedelta(days=5)
        )
        pooled = journeys_services.account_create(
            name="合同会社カタ・スモール",
            external_id="DEMO-LIVE-2",
            journey=journeys["pooled"],
            by=self.admin,
            segment="SMB",
            arr=600_000,
            pool=pools[0],
            at=self.now - timedelta(days=20),
        )
        journeys_services.step_event_record(
            account=pooled,
            step=journeys["pooled"].steps.get(position=1),
            reached_at=self.now - timedelta(days=19),
            by=None,
            source=StepEvent.Source.API,
        )


def _external_id(number: int) -> str:
    return f"DEMO-{number:05d}"


def _company(number: int) -> str:
    head = COMPANY_HEADS[number % len(COMPANY_HEADS)]
    tail = COMPANY_TAILS[(number // len(COMPANY_HEADS)) % len(COMPANY_TAILS)]
    name = f"{head}{tail}"
    round_ = number // (len(COMPANY_HEADS) * len(COMPANY_TAILS))
    return [f"株式会社{name}", f"{name}株式会社", f"{name}合同会社", f"有限会社{name}"][
        round_ % 4
    ]


def _covering(coverage, at):
    """The owner and pool covering the account at `at` (the periods in order)."""
    current = coverage[0]
    for period in coverage:
        if period[0] <= at:
            current = period
    return current[1], current[2]
