"""The journeys demo (育成の型化), run by `manage.py seed_demo` (accounts/demo.py)
after the organisation and the hiring demo (the member hired through Kata is the
newest): two journeys of five steps (dedicated accounts, and the pooled tech-touch
segment), a playbook and a training module with a quiz for every transition,
assignments and attempts (some failed, then passed), practicum reflections, two
pools, and customer accounts with coverage history, twelve months of step events and
their ARR month by month (growth, upsells and cross-sells, a few downsells, churns
and a reactivation), and success plans for about a third of the accounts (the
customer's outcome with one to three measures, on track, behind or reached). The
definitions and a handful of representative writes go
through journeys.services; the volume (accounts, coverage, events) is written in
bulk, and the ARR through the bulk write of journeys.revenue, so that the demo stays
fast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Min
from django.utils import timezone

from accounts.demo import MEMBERS_SINCE, DemoContext
from accounts.models import Team, TeamMembership
from journeys import demo_stories, health, revenue
from journeys import services as journeys_services
from journeys.models import (
    ARRMovement,
    ARRSnapshot,
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    OutcomeKind,
    Pool,
    PoolMembership,
    PracticumReflection,
    QuizChoice,
    QuizQuestion,
    Step,
    StepEvent,
    SuccessMeasure,
    SuccessPlan,
    SuccessProgress,
    TrainingAssignment,
    TrainingModule,
)
from journeys.progress import refresh_progress
from journeys.success import last_complete_month


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

    def __init__(self, context: DemoContext):
        self.people = context.people
        self.admin = context.admin
        self.small = context.small
        self.now = context.now
        self.today = context.today
        self.random = random.Random(context.seed + 4)
        self.teams = {name: Team.objects.get(name=name) for name in context.teams}
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
        self.hires = set(context.hires)
        self.newest = self.hires | {self.members["オンボーディング"][-1]}

    def seed(self) -> None:
        journeys = {spec.key: self._journey(spec) for spec in JOURNEYS}
        dedicated_teams = ["エンタープライズCS", "オンボーディング"]
        self._training(journeys["dedicated"], JOURNEYS[0], dedicated_teams)
        self._training(journeys["pooled"], JOURNEYS[1], ["SMBプール"])
        pools = self._pools()
        self._practicum(journeys, dedicated_teams)
        self._accounts(journeys, pools, dedicated_teams)
        self._arr()
        self._success_plans()
        demo_stories.seed_stories(now=self.now)
        # Health history: the 1st of the last six months, then today.
        health.record_demo_health(timezone.localdate(self.now))

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
                        if member in self.hires:
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
        refresh_progress(
            account_ids=CustomerAccount.objects.filter(
                external_id__startswith="DEMO-"
            ).values("pk")
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
        steps recorded, the owner changed, a wrong event voided. Their ARR comes
        later, month by month (`_arr`)."""
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

    # ARR by month.

    def _arr(self) -> None:
        """Every demo account's ARR in each month since it became a customer (a
        year at most), ending at its ARR today: most are flat or grow, some were
        upsold or cross-sold (said so in the file), a few were downsold, churned,
        started at 0 or came back after a churn. Imported in one bulk write by the
        admin; the live accounts' months are entered on the page by the owner, or
        sent by the CRM."""
        if ARRSnapshot.objects.filter(account__external_id=_external_id(1)).exists():
            return
        this_month = revenue.current_month(self.now)
        first_month = revenue.add_months(this_month, -11)
        accounts = (
            CustomerAccount.objects.filter(external_id__startswith="DEMO-0")
            .annotate(since=Min("coverage__started_at"))
            .order_by("pk")
        )
        entries = []
        for number, account in enumerate(accounts, start=1):
            start = max(
                revenue.month_start(timezone.localdate(account.since)), first_month
            )
            months = [
                revenue.add_months(start, n)
                for n in range(_months_between(start, this_month) + 1)
            ]
            for month, (arr, movement) in zip(
                months,
                _arr_path(number, account.arr or Decimal(0), len(months)),
                strict=True,
            ):
                entries.append(revenue.ARREntry(account, month, arr, movement))
        revenue.arr_snapshots_record(
            entries=entries,
            by=self.admin,
            source=ARRSnapshot.Source.IMPORT,
            now=self.now,
        )
        live = CustomerAccount.objects.get(external_id="DEMO-LIVE-1")
        owner = live.coverage.get(ended_at__isnull=True).owner
        for month, arr, movement in (
            (revenue.add_months(this_month, -1), 24_000_000, ""),
            (this_month, 26_400_000, ARRMovement.UPSELL),
        ):
            revenue.arr_snapshot_record(
                account=live,
                month=month,
                arr=Decimal(arr),
                movement=movement,
                by=owner,
                source=ARRSnapshot.Source.UI,
                now=self.now,
            )
        # The pooled one's, sent by the CRM integration.
        revenue.arr_snapshot_record(
            account=CustomerAccount.objects.get(external_id="DEMO-LIVE-2"),
            month=this_month,
            arr=Decimal(600_000),
            by=None,
            source=ARRSnapshot.Source.API,
            now=self.now,
        )

    # Success plans.

    def _success_plans(self) -> None:
        """Every third demo account has a success plan in the customer's words, with
        one to three measures (cost, revenue or a department's target) resting on
        its journey's value points, and monthly readings: some on their path, some
        behind (the outcome at risk), some reached (a few last month, for the
        success-sharing meeting). Written in bulk; deterministic."""
        accounts = list(
            CustomerAccount.objects.filter(external_id__startswith="DEMO-0")
            .order_by("pk")
            .values_list("pk", "journey_id")
        )[::3]
        if (
            not accounts
            or SuccessPlan.objects.filter(account_id=accounts[0][0]).exists()
        ):
            return
        owners = dict(
            Coverage.objects.filter(
                ended_at__isnull=True, account_id__in=[pk for pk, _j in accounts]
            ).values_list("account_id", "owner_id")
        )
        value_points = {}
        for step in Step.objects.filter(
            is_value_point=True, retired_at__isnull=True
        ).order_by("position"):
            value_points.setdefault(step.journey_id, []).append(step)
        plans = SuccessPlan.objects.bulk_create(
            SuccessPlan(
                account_id=pk,
                outcome=OUTCOMES[number % len(OUTCOMES)][1],
                outcome_kind=OUTCOMES[number % len(OUTCOMES)][0],
                customer_owner=CUSTOMER_OWNERS[number % len(CUSTOMER_OWNERS)][0],
                customer_owner_title=CUSTOMER_OWNERS[number % len(CUSTOMER_OWNERS)][1],
                created_by_id=owners.get(pk) or self.admin.pk,
            )
            for number, (pk, _journey) in enumerate(accounts)
        )
        baseline_on = self.today - timedelta(days=120)
        target_on = self.today + timedelta(days=60)
        last_month = last_complete_month(self.today) + timedelta(days=14)
        measures, readings, links = [], [], []
        for number, (plan, (_pk, journey_id)) in enumerate(
            zip(plans, accounts, strict=True)
        ):
            kinds = MEASURES[OUTCOMES[number % len(OUTCOMES)][0]]
            for position, (name, unit, baseline, target) in enumerate(
                kinds[: 1 + number % 3], start=1
            ):
                # The plan's pattern: on track, behind, reached last month; a
                # second measure of a plan at risk is on track.
                pattern = (number + (position > 1)) % 4
                measure = SuccessMeasure(
                    plan=plan,
                    name=name,
                    unit=unit,
                    baseline=Decimal(baseline),
                    baseline_on=baseline_on,
                    target=Decimal(target),
                    target_on=target_on,
                    position=position,
                )
                measures.append(measure)
                steps = value_points.get(journey_id, [])
                links += [(measure, step) for step in steps[position - 1 : position]]
                pace = {0: 1.0, 1: 0.4, 2: 1.0, 3: 1.05}[pattern]
                days = [30, 60, 90, 115] if pattern != 2 else [30, 60]
                for day in days:
                    share = min(1.0, pace * day / 180)
                    readings.append((measure, baseline_on + timedelta(days=day), share))
                if pattern == 2:
                    readings.append((measure, last_month, 1.02))
        SuccessMeasure.objects.bulk_create(measures)
        SuccessMeasure.value_points.through.objects.bulk_create(
            SuccessMeasure.value_points.through(
                successmeasure_id=measure.pk, step_id=step.pk
            )
            for measure, step in links
        )
        SuccessProgress.objects.bulk_create(
            SuccessProgress(
                measure=measure,
                measured_on=day,
                value=(
                    measure.baseline
                    + (measure.target - measure.baseline) * Decimal(str(share))
                ).quantize(Decimal("0.1")),
                recorded_by_id=owners.get(measure.plan.account_id) or self.admin.pk,
            )
            for measure, day, share in readings
            if day <= self.today
        )


# What the customers bought the product for, in their words.
OUTCOMES = [
    (
        OutcomeKind.COST,
        "問い合わせ対応の工数を半年で半分にして、その時間を企画業務に回したい。",
    ),
    (
        OutcomeKind.REVENUE,
        "既存顧客からの追加受注を増やし、今期の売上を二割伸ばしたい。",
    ),
    (
        OutcomeKind.DEPARTMENT_TARGET,
        "営業部の商談化率を上げて、部の四半期目標を達成したい。",
    ),
]
CUSTOMER_OWNERS = [
    ("佐藤 真理子", "カスタマーサポート部長"),
    ("田中 健一", "営業本部長"),
    ("鈴木 美穂", "経営企画室 室長"),
    ("高橋 誠", "情報システム部 課長"),
]
# By kind of outcome: (measure, unit, baseline, target).
MEASURES = {
    OutcomeKind.COST: [
        ("月間の問い合わせ対応時間", "時間", 400, 200),
        ("一次回答までの平均時間", "時間", 8, 2),
        ("対応1件あたりのコスト", "円", 3000, 1800),
    ],
    OutcomeKind.REVENUE: [
        ("既存顧客からの月間追加受注", "万円", 500, 650),
        ("アップセル件数（四半期）", "件", 4, 10),
        ("解約率", "%", 3, 1.5),
    ],
    OutcomeKind.DEPARTMENT_TARGET: [
        ("商談化率", "%", 12, 20),
        ("月間商談数", "件", 40, 60),
        ("提案書作成時間", "時間", 6, 3),
    ],
}


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _round(amount) -> Decimal:
    """To the hundred thousand yen, as contracts are priced."""
    return Decimal(round(Decimal(amount) / 100_000) * 100_000)


def _arr_path(number: int, arr: Decimal, months: int) -> list[tuple[Decimal, str]]:
    """An account's ARR in each of its `months` months (oldest first) ending at
    `arr`, with the type stated by the file where the CRM knows it (upsell,
    cross-sell). One story per account, chosen by its number (the rare ones on
    numbers that `_accounts` starts long ago: a multiple of 11)."""
    path = [(arr, "")] * months
    middle = months // 2
    if months >= 4 and number % 45 == 22:
        # Churned, then came back: a reactivation.
        return (
            [(arr, "")] * (middle - 1)
            + [(Decimal(0), "")] * 2
            + [(arr, "")] * (months - middle - 1)
        )
    if months >= 3 and number % 30 == 11:
        # Churned two months ago; its ARR today is 0.
        return [(arr, "")] * (months - 2) + [(Decimal(0), "")] * 2
    if months >= 2 and number % 40 == 33:
        # Signed, onboarded unbilled for a month: a zero starting ARR, then new.
        return [(Decimal(0), "")] + [(arr, "")] * (months - 1)
    if months >= 3 and number % 12 == 7:
        # Fewer seats at renewal: a downsell.
        return [(_round(arr * Decimal("1.25")), "")] * middle + path[middle:]
    if months >= 3 and number % 10 == 3:
        before = _round(arr * Decimal("0.75"))
        if 0 < before < arr:
            # A higher plan.
            return (
                [(before, "")] * (months - 2)
                + [(arr, ARRMovement.UPSELL)]
                + [(arr, "")]
            )
    if months >= 3 and number % 15 == 5:
        before = _round(arr * Decimal("0.7"))
        if 0 < before < arr:
            # Another product.
            return (
                [(before, "")] * middle
                + [(arr, ARRMovement.CROSS_SELL)]
                + [(arr, "")] * (months - middle - 1)
            )
    if months >= 4 and number % 4 == 1:
        before = _round(arr * Decimal("0.8"))
        if 0 < before < arr:
            # Another department adopted it: an expansion (inferred).
            return [(before, "")] * middle + path[middle:]
    return path


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
