"""The hiring demo (採用の型化), run by `manage.py seed_demo` (accounts/demo.py) after
the organisation: three openings on the starting profiles (migration hiring 0002),
the question bank of hiring.demo_questions in their kits, and fifteen candidates at
every stage, written through hiring.services as recruiters and interviewers would.
Only the timestamps are moved back afterwards, so that the story spreads over weeks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from accounts import services
from accounts.demo import DEMO_PASSWORD, RECRUITER, DemoContext
from accounts.models import Role, Team, User
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

    def __init__(self, context: DemoContext):
        self.context = context
        self.people = context.people
        self.recruiter = context.people[RECRUITER.username]
        self.now = context.now

    def seed(self) -> None:
        self._candidates()
        hired = User.objects.filter(username=HIRED).first()
        if hired is not None:
            self.context.hires.append(hired)
            self.context.logins.append((HIRED, "member hired through Kata (SMBプール)"))

    def _candidates(self) -> None:
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
