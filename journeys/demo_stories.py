"""The demo's success stories (run by `JourneysDemo.seed`, after the accounts and
their events): a dozen stories members wrote about their own dedicated accounts,
each on a transition the account has made, in their own words; two are still
drafts, three are featured by the author's team leader at last month's sharing
meeting. Deterministic; a second run adds nothing."""

from datetime import datetime, time, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import TeamMembership, User
from journeys.models import Coverage, Step, StoryStatus, SuccessStory
from journeys.success import last_complete_month

DEDICATED_JOURNEY = "エンタープライズ・サクセスジャーニー"

# (from step's position, title, what we did, the customer's outcome), in the
# dedicated journey: キックオフ → 初期設定完了 → ファーストバリュー → 定着 → 拡大.
STORIES = [
    (
        1,
        "キックオフ翌日に設定チェックリストを共有し、10日で設定完了",
        "キックオフの議事録と初期設定チェックリストを翌朝に送り、データ連携の担当者と"
        "その場で日程を決めました。1週間後の進捗確認の電話で、権限設定の詰まりを"
        "一緒に解消しました。",
        "予定の半分の10日で初期設定が完了し、利用者招待まで進みました。"
        "推進担当者から「最初の1か月の見通しが立った」との声がありました。",
    ),
    (
        1,
        "情報システム部を最初から巻き込み、連携設定の待ち時間をなくした",
        "キックオフに情報システム部の担当者にも同席してもらい、データ連携の要件を"
        "先に確認しました。設定ガイドの該当ページに印を付けて共有しました。",
        "連携設定の差し戻しがゼロになり、2週間で全部署の利用者を招待できました。",
    ),
    (
        1,
        "推進担当者の交代を乗り越えたキックオフのやり直し",
        "推進担当者が異動したため、新しい担当者と30分のミニキックオフを開き、"
        "導入目的と成功指標を改めて合意しました。",
        "止まっていた初期設定が再開し、3週間で完了しました。",
    ),
    (
        2,
        "最初の成果を1つの業務に絞って、45日以内にファーストバリュー",
        "ベースラインを測ったうえで、問い合わせ対応の1業務だけに絞って活用を支援し、"
        "成果レポートを顧客と一緒に作りました。",
        "問い合わせの一次回答時間が8時間から3時間に短縮し、"
        "経営会議でレポートが使われました。",
    ),
    (
        2,
        "成果レポートの型で、顧客が自分の言葉で成果を語れるように",
        "成果レポートの型（ベースライン → 現在の値 → 次の目標）を使い、"
        "推進担当者が社内説明に使える1枚にまとめました。",
        "推進担当者が部長会で成果を報告し、次の活用テーマが決まりました。",
    ),
    (
        2,
        "活用事例集から近い業種の事例を選び、最初の成果を前倒し",
        "活用事例集から同じ業種の事例を3つ選んで紹介し、"
        "顧客と一緒に最初に試す業務を決めました。",
        "契約から30日で最初の成果が出て、合意した指標を初めて上回りました。",
    ),
    (
        3,
        "利用の少ない部署ごとの勉強会で、週次アクティブ率70%超え",
        "利用状況ダッシュボードで利用の少ない3部署を見つけ、"
        "部署ごとに30分の勉強会を開きました。",
        "週次アクティブ率が45%から76%に上がり、定例会も顧客主導になりました。",
    ),
    (
        3,
        "定例会の進行を顧客に引き継いで、自走できる体制に",
        "定例会のアジェンダの型を渡し、3回かけて進行を顧客側の推進担当者に"
        "引き継ぎました。",
        "CSが出なくても定例会が回るようになり、利用者からの質問も社内で解決されています。",
    ),
    (
        3,
        "現場の声を集めた活用アイデア集で定着を後押し",
        "利用者へのアンケートで使い方の工夫を集め、"
        "活用アイデア集として全社に共有してもらいました。",
        "新しく使い始めた利用者が2か月で40名増えました。",
    ),
    (
        4,
        "経営層向けサマリーで他部署への展開が決定",
        "定着後の成果を経営層向けサマリーの型で1枚にまとめ、"
        "推進担当者と一緒に役員会で説明しました。",
        "営業部とマーケティング部への展開が決まり、利用部署が3つになりました。",
    ),
    (
        4,
        "営業担当との作戦会議から上位プランへの移行",
        "展開候補の部署を推進担当者と洗い出したうえで、営業担当と拡大提案の"
        "作戦会議を開き、提案のタイミングを合わせました。",
        "上位プランへの移行が決まり、年間契約額が1.5倍になりました。",
    ),
    (
        4,
        "成果事例の社内発表会で、隣の部署が自ら手を挙げた",
        "顧客の社内発表会で成果事例を紹介する時間をもらい、"
        "発表資料づくりを手伝いました。",
        "発表を聞いた人事部から導入の相談があり、追加部署での利用が始まりました。",
    ),
]
# Which stories are still drafts, and which are featured at last month's meeting.
DRAFTS = {5, 10}
FEATURED = {0, 3, 6}


def seed_stories(*, now: datetime) -> None:
    if SuccessStory.objects.exists():
        return
    today = timezone.localdate(now)
    steps = {
        step.position: step
        for step in Step.objects.filter(
            journey__name=DEDICATED_JOURNEY, retired_at__isnull=True
        )
    }
    if len(steps) < 5:
        return
    candidates = _owned_accounts_by_reach(steps[1].journey_id)
    meeting_month = last_complete_month(today)
    leaders = _leaders(today)
    zone = timezone.get_current_timezone()
    used, stories = set(), []
    for number, (position, title, what_we_did, outcome) in enumerate(STORIES):
        fitting = [
            row
            for row in candidates
            if row["reached"] > position and row["account_id"] not in used
        ]
        # Spread the stories over the members: not the previous story's author.
        previous = stories[-1].author_id if stories else None
        chosen = next(
            (row for row in fitting if row["owner_id"] != previous),
            fitting[0] if fitting else None,
        )
        if chosen is None:
            continue
        used.add(chosen["account_id"])
        published = number not in DRAFTS
        featured = published and number in FEATURED
        day = (
            meeting_month + timedelta(days=3 + number)
            if featured
            else today - timedelta(days=6 + 9 * number)
        )
        stories.append(
            SuccessStory(
                author_id=chosen["owner_id"],
                account_id=chosen["account_id"],
                from_step=steps[position],
                to_step=steps[position + 1],
                title=title,
                what_we_did=what_we_did,
                customer_outcome=outcome,
                outcome_on=day - timedelta(days=5),
                status=StoryStatus.PUBLISHED if published else StoryStatus.DRAFT,
                published_at=datetime.combine(day, time(10), tzinfo=zone)
                if published
                else None,
                featured_month=meeting_month if featured else None,
                featured_by_id=leaders.get(chosen["owner_id"]) if featured else None,
                featured_at=datetime.combine(
                    meeting_month + timedelta(days=27), time(9), tzinfo=zone
                )
                if featured
                else None,
            )
        )
    SuccessStory.objects.bulk_create(stories)


def _owned_accounts_by_reach(journey_id: int) -> list[dict]:
    """The demo's dedicated accounts of the journey with their current owner and
    the furthest step position reached (events not void), in account order."""
    return list(
        Coverage.objects.filter(
            ended_at__isnull=True,
            owner__isnull=False,
            account__journey_id=journey_id,
            account__external_id__startswith="DEMO-",
        )
        .annotate(
            reached=Max(
                "account__step_events__step__position",
                filter=Q(account__step_events__voided_at__isnull=True),
            )
        )
        .filter(reached__isnull=False)
        .order_by("account_id")
        .values("account_id", "owner_id", "reached")
    )


def _leaders(today) -> dict[int, int]:
    """Each member's current team leader (their first team's)."""
    leaders = {}
    for user_id, leader_id in (
        TeamMembership.objects.active_on(today)
        .filter(user__in=User.objects.filter(is_active=True))
        .order_by("user_id", "team_id")
        .values_list("user_id", "team__leader_id")
    ):
        leaders.setdefault(user_id, leader_id)
    return leaders
