"""Demo data of organisation planning (issue 14), added by the management demo
(`recognition.demo.RecognitionDemo.seed`): the role map with each standard function
placed (CS operations and renewals shared, so they need a dedicated person next)
and one function of the organisation's own, and a maturity assessment for each of
the last four fiscal quarters, climbing from level 2; the running quarter's is
answered from the evidence Kata sees, as an admin would on the page.

Everything goes through the services; running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from accounts.demo import DemoContext

from . import metrics, organisation
from .models import MaturityAssessment, RoleFunction, RoleImportance, RoleStatus
from .selectors import organisation as selectors
from .services import organisation as services

DEDICATED, SHARED, NOT_STARTED = (
    RoleStatus.DEDICATED,
    RoleStatus.SHARED,
    RoleStatus.NOT_STARTED,
)
NOW, LATER = RoleImportance.NOW, RoleImportance.LATER

# key → (status, shared with, importance, owner's username, note)
ROLE_MAP = {
    "onboarding": (
        DEDICATED,
        "",
        NOW,
        "tanaka",
        "オンボーディングチームが専任で担当。",
    ),
    "adoption": (DEDICATED, "", NOW, "suzuki", "定着化チームが担当。"),
    "renewal": (
        SHARED,
        "担当CSM",
        NOW,
        None,
        "更新準備が担当CSMの片手間になっており、解約の兆候を見落としがち。",
    ),
    "expansion": (SHARED, "営業", LATER, None, "アップセルは営業と共同で進める。"),
    "operations": (
        SHARED,
        "各チームのマネージャー",
        NOW,
        "admin",
        "データ整備とツール運用がマネージャーの負担に。次の採用で専任を置きたい。",
    ),
    "customer_marketing": (NOT_STARTED, "", LATER, None, ""),
    "community": (NOT_STARTED, "", LATER, None, "ユーザー会は来期に検討。"),
    "enablement": (
        SHARED,
        "CSオペレーション管理者",
        NOW,
        "admin",
        "プレイブックとトレーニングは管理者が兼務で整備。",
    ),
    "digital": (DEDICATED, "", NOW, "takahashi", "SMBプールがテックタッチを運用。"),
}
OWN_FUNCTION = "パートナーサクセス"

# Quarters ago → answers beyond "no", and the note.
PAST_ANSWERS = {
    3: (
        {"accounts_owned": "yes", "journey_defined": "yes", "roles_mapped": "partly"},
        "ジャーニーを定義し、全アカウントに担当を置いた。",
    ),
    2: (
        {
            "accounts_owned": "yes",
            "journey_defined": "yes",
            "roles_mapped": "yes",
            "playbooks_written": "partly",
            "training_in_place": "partly",
            "structured_hiring": "yes",
        },
        "プレイブックを書き始めた。トレーニングはまだ一部。",
    ),
    1: (
        {
            "accounts_owned": "yes",
            "journey_defined": "yes",
            "roles_mapped": "yes",
            "playbooks_written": "yes",
            "training_in_place": "yes",
            "structured_hiring": "partly",
            "rollups_in_use": "yes",
            "awards_set": "partly",
        },
        "全遷移にプレイブック。転換率を毎月見るようになった。",
    ),
}
# What only the admin can tell, this quarter.
RUNNING_ANSWERS = {"structured_hiring": "yes", "experiments": "partly"}


class OrganisationDemo:
    def __init__(self, context: DemoContext):
        self.admin = context.admin
        self.people = context.people
        self.today = context.today

    def seed(self) -> None:
        self._role_map()
        self._maturity()

    def _role_map(self) -> None:
        services.role_functions_ensure()
        if RoleFunction.objects.exclude(status=NOT_STARTED).exists():
            return
        for key, (status, shared_with, importance, owner, note) in ROLE_MAP.items():
            services.role_function_save(
                function=RoleFunction.objects.get(key=key),
                by=self.admin,
                status=status,
                shared_with=shared_with,
                importance=importance,
                owner=self.people.get(owner) if owner else None,
                note=note,
            )
        services.role_function_save(
            function=RoleFunction(),
            by=self.admin,
            name=OWN_FUNCTION,
            status=NOT_STARTED,
            importance=LATER,
            note="販売パートナー経由の顧客が増えたら検討する。",
        )

    def _maturity(self) -> None:
        if MaturityAssessment.objects.exists():
            return
        running = organisation.quarter_period(organisation.quarter_key(self.today))
        for quarters_ago, (answers, note) in sorted(PAST_ANSWERS.items(), reverse=True):
            first = metrics.add_months(running.first_month, -3 * quarters_ago)
            services.maturity_assessment_save(
                assessment=MaturityAssessment(),
                by=self.admin,
                answers=_with_no(answers),
                note=note,
                now=self._at(metrics.add_months(first, 2).replace(day=20)),
            )
        # Now, after the rollup the demo ran: its evidence is the page's.
        evidence = selectors.maturity_evidence()
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=self.admin,
            answers=organisation.suggested_answers(evidence) | RUNNING_ANSWERS,
            note="根拠を確認し、手動の項目だけ回答した。",
        )

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(10), tzinfo=metrics.tz())


def _with_no(answers: dict) -> dict:
    """Every question answered: what is not given is no (not the evidence of
    today, which a past quarter did not see)."""
    return {
        key: answers.get(key, organisation.NO) for key in organisation.QUESTION_KEYS
    }
