"""The competencies and the three starting success profiles Kata ships with.

Careful support, goal achievement and consulting: the three common archetypes of CS
members (see shared/DOMAIN.md). Admins copy a starting profile and adapt it.
Idempotent: a competency or profile that already exists by name is left as it is.
"""

from django.db import migrations

SKILL, MINDSET, THINKING = "skill", "mindset", "thinking"

# name, English name, category, description (ja, en), indicators (ja, en).
COMPETENCIES = [
    (
        "丁寧さ",
        "Politeness",
        SKILL,
        "相手の立場や状況に配慮し、言葉遣い・説明・対応の一つひとつを丁寧に行う。",
        "Considers the customer's position and situation, and takes care with every "
        "word, explanation and follow-up.",
        [
            "相手の理解度に合わせて言葉を選び、専門用語は言い換える",
            "約束した期限と内容を守り、守れないときは事前に連絡する",
            "メールや資料の誤字・抜け漏れがないか見直してから送る",
            "対応の最後に、不明点が残っていないかを確認する",
        ],
        [
            "Chooses words for the customer's level and rephrases jargon",
            "Keeps promised dates and content, and warns in advance when they cannot",
            "Checks emails and documents for errors and gaps before sending",
            "Ends each exchange by checking that no question is left open",
        ],
    ),
    (
        "安心感",
        "Reassurance",
        SKILL,
        "見通しと根拠を示し、顧客が「この人に任せれば大丈夫」と感じられる状態をつくる。",
        "Shows the way ahead and its grounds, so that customers feel they are in good "
        "hands.",
        [
            "次に何が起きるか、いつ誰が何をするかを先に伝える",
            "トラブル時も落ち着いて、事実・影響・対応策を整理して伝える",
            "わからないことはわからないと言い、いつまでに確認するかを約束する",
            "小さな進捗もこまめに共有する",
        ],
        [
            "Says up front what happens next, and who does what by when",
            "Stays calm in trouble and reports facts, impact and remedy in order",
            "Admits what they do not know, and promises when they will find out",
            "Shares even small progress often",
        ],
    ),
    (
        "共感力",
        "Empathy",
        MINDSET,
        "顧客の感情や背景にある事情を汲み取り、相手の立場で考えて行動する。",
        "Picks up the feelings and circumstances behind what customers say, and acts "
        "from their point of view.",
        [
            "不満や不安の言葉の裏にある、本当の困りごとを言葉にできる",
            "顧客の業務や社内事情を想像し、負担の少ない進め方を提案する",
            "相手の気持ちを受け止めてから、解決策の話に移る",
            "顧客の成功を自分のことのように喜ぶ",
        ],
        [
            "Puts into words the real problem behind a complaint or a worry",
            "Imagines the customer's work and internal situation, and proposes the "
            "least burdensome way forward",
            "Acknowledges the customer's feelings before moving on to solutions",
            "Is genuinely glad about the customer's success",
        ],
    ),
    (
        "傾聴力",
        "Active listening",
        SKILL,
        "先入観を持たずに最後まで聴き、質問で相手の状況や考えを引き出す。",
        "Listens to the end without assumptions, and draws out the customer's "
        "situation and thinking with questions.",
        [
            "話を遮らず、要点を自分の言葉で言い直して確認する",
            "開かれた質問と深掘りの質問を使い分ける",
            "話す時間より聴く時間のほうが長い",
            "聴いた内容を記録し、次の対応に活かす",
        ],
        [
            "Does not interrupt, and confirms by restating the key points",
            "Alternates open questions with probing ones",
            "Listens more than they talk",
            "Records what they heard and uses it in the next conversation",
        ],
    ),
    (
        "数値意識",
        "Numbers awareness",
        THINKING,
        "利用状況・継続率・売上などの数字で状況を捉え、数字を根拠に判断し説明する。",
        "Reads situations through numbers such as usage, retention and revenue, and "
        "bases decisions and explanations on them.",
        [
            "担当顧客の利用状況や更新リスクを数字で説明できる",
            "目標と実績の差を把握し、差を埋める打ち手を数字で考える",
            "施策の前後で数字を比べ、効果を確かめる",
            "印象ではなくデータを示して社内外を説得する",
        ],
        [
            "Can describe their customers' usage and renewal risk in numbers",
            "Knows the gap between target and actual, and plans in numbers how to "
            "close it",
            "Compares numbers before and after an action to check its effect",
            "Persuades customers and colleagues with data rather than impressions",
        ],
    ),
    (
        "目標達成意欲",
        "Drive to reach targets",
        MINDSET,
        "高い目標を自分のものとして引き受け、達成まで粘り強くやり切る。",
        "Takes ambitious targets as their own, and persists until they are reached.",
        [
            "目標から逆算して、今週・今日やることを決めている",
            "うまくいかないときも、手段を変えて挑戦を続ける",
            "未達の理由を他人のせいにせず、次の打ち手を考える",
            "達成したら、より高い目標を自ら設定する",
        ],
        [
            "Works back from the target to decide what to do this week and today",
            "Keeps trying with other means when something does not work",
            "Does not blame others for a missed target, and plans the next move",
            "Sets themselves a higher target once one is reached",
        ],
    ),
    (
        "専門知識",
        "Expertise",
        SKILL,
        "自社製品と顧客の業界・業務について深い知識を持ち、価値ある助言をする。",
        "Knows the product and the customer's industry and work in depth, and gives "
        "advice of real value.",
        [
            "機能だけでなく、業務でどう使えば成果が出るかを説明できる",
            "顧客の業界に特有の課題や用語を理解している",
            "他社事例やベストプラクティスを根拠に提案する",
            "知らないことは調べ、社内の専門家を巻き込んで答える",
        ],
        [
            "Explains not only features but how to use them to get results",
            "Understands the challenges and vocabulary of the customer's industry",
            "Grounds proposals in other customers' cases and best practice",
            "Looks up what they do not know, and brings in in-house experts",
        ],
    ),
    (
        "ロジカルさ",
        "Logical thinking",
        THINKING,
        "物事を構造的に整理して筋道立てて考え、結論と根拠をわかりやすく伝える。",
        "Structures problems, reasons step by step, and communicates conclusions and "
        "their grounds clearly.",
        [
            "結論から話し、根拠を順序立てて示す",
            "問題を要素に分解し、漏れなく重複なく整理する",
            "前提や仮説を明確にし、確かめ方を考える",
            "複雑な状況を一枚の図や表にまとめられる",
        ],
        [
            "States the conclusion first, then the reasons in order",
            "Breaks a problem into parts without gaps or overlaps",
            "Makes assumptions and hypotheses explicit, and plans how to test them",
            "Can summarise a complex situation in one diagram or table",
        ],
    ),
    (
        "課題発見力",
        "Problem finding",
        THINKING,
        "表面的な要望や数字の変化から、顧客自身も気づいていない本質的な課題を見つける。",
        "Finds, behind surface requests and changes in numbers, the underlying "
        "problems customers have not noticed themselves.",
        [
            "要望をそのまま受けず、なぜ必要なのかを確かめる",
            "利用データや問い合わせの傾向から、兆候を早めに見つける",
            "複数の顧客に共通する課題に気づき、社内に共有する",
            "課題の優先順位を影響の大きさで判断する",
        ],
        [
            "Does not take requests at face value, but asks why they are needed",
            "Spots early signs in usage data and support trends",
            "Notices problems shared by several customers and tells the company",
            "Prioritises problems by the size of their impact",
        ],
    ),
    (
        "主体性",
        "Ownership",
        MINDSET,
        "指示を待たず、状況を自分ごととして捉え、必要な行動を自ら起こす。",
        "Does not wait to be told: treats the situation as their own and takes the "
        "action it needs.",
        [
            "担当範囲の外でも、顧客に必要なことは関係者を巻き込んで進める",
            "問題に気づいたら、解決策の案とともに報告する",
            "チームの仕組みや資料の改善を自ら提案し、実行する",
            "自分の判断と行動の結果に責任を持つ",
        ],
        [
            "Drives what the customer needs beyond their remit, involving others",
            "Reports a problem together with a proposed solution",
            "Proposes and makes improvements to the team's processes and materials",
            "Takes responsibility for the results of their decisions and actions",
        ],
    ),
    (
        "提案力",
        "Proposing value",
        SKILL,
        "顧客の目標と課題に基づき、次に取るべき打ち手や活用の拡大を具体的に提案する。",
        "Proposes concrete next steps and wider use, based on the customer's goals "
        "and problems.",
        [
            "顧客の目標と現状の差から提案を組み立てる",
            "提案の効果を、顧客の言葉と数字で示す",
            "アップセルやクロスセルを、押し売りではなく価値の提案として行う",
            "決裁者と現場の両方が納得する進め方を示す",
        ],
        [
            "Builds proposals from the gap between the customer's goals and today",
            "Shows a proposal's effect in the customer's words and numbers",
            "Offers upsell and cross-sell as value, never as a hard sell",
            "Shows a way forward that both decision makers and users accept",
        ],
    ),
    (
        "学習意欲",
        "Learning agility",
        MINDSET,
        "新しい知識やフィードバックを素直に取り入れ、経験から学んで早く成長する。",
        "Takes in new knowledge and feedback openly, and learns quickly from "
        "experience.",
        [
            "フィードバックを受けたら、具体的に行動を変える",
            "失敗を振り返り、次に活かす学びを言葉にする",
            "製品や業界の変化を自ら学び続けている",
            "学んだことをチームに共有する",
        ],
        [
            "Changes their behaviour concretely after feedback",
            "Reflects on failures and puts the lesson into words",
            "Keeps learning about the product and the industry on their own",
            "Shares what they learned with the team",
        ],
    ),
]

# name, English name, description (ja, en), {competency: weight 1–5}.
PROFILES = [
    (
        "丁寧サポート型",
        "Careful support",
        "丁寧で安心感のある対応で顧客の信頼を築くタイプ。サポート経験者に多い。"
        "オンボーディングや、多くの顧客を丁寧に支える役割に向く。",
        "Builds customers' trust through careful, reassuring support; often former "
        "support staff. Suits onboarding, and roles that look after many customers "
        "with care.",
        {
            "丁寧さ": 5,
            "安心感": 5,
            "共感力": 5,
            "傾聴力": 4,
            "課題発見力": 3,
            "主体性": 3,
            "学習意欲": 2,
        },
    ),
    (
        "目標達成型",
        "Goal achievement",
        "数字にこだわり、目標から逆算して成果を出し切るタイプ。営業経験者に多い。"
        "更新・アップセルなど、売上に責任を持つ役割に向く。",
        "Cares about numbers and works back from targets to deliver; often former "
        "sales. Suits roles accountable for renewals, upsell and revenue.",
        {
            "数値意識": 5,
            "目標達成意欲": 5,
            "主体性": 4,
            "提案力": 4,
            "課題発見力": 3,
            "傾聴力": 3,
            "学習意欲": 2,
        },
    ),
    (
        "コンサルティング型",
        "Consulting",
        "専門知識と論理的な思考で顧客の課題を構造化し、解決へ導くタイプ。"
        "コンサルタント経験者に多い。エンタープライズ顧客の伴走に向く。",
        "Structures customers' problems with expertise and logical thinking, and "
        "leads them to solutions; often former consultants. Suits guiding enterprise "
        "customers.",
        {
            "専門知識": 5,
            "ロジカルさ": 5,
            "課題発見力": 4,
            "提案力": 4,
            "傾聴力": 3,
            "数値意識": 3,
            "学習意欲": 2,
        },
    ),
]


def add_starter_profiles(apps, schema_editor):
    Competency = apps.get_model("hiring", "Competency")
    SuccessProfile = apps.get_model("hiring", "SuccessProfile")
    ProfileWeight = apps.get_model("hiring", "ProfileWeight")
    competencies = {}
    for name, name_en, category, desc, desc_en, lines, lines_en in COMPETENCIES:
        competencies[name], _created = Competency.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "category": category,
                "description": desc,
                "description_en": desc_en,
                "indicators": "\n".join(lines),
                "indicators_en": "\n".join(lines_en),
            },
        )
    for name, name_en, desc, desc_en, weights in PROFILES:
        profile, created = SuccessProfile.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "description": desc,
                "description_en": desc_en,
                "is_starter": True,
            },
        )
        if not created:
            continue
        ProfileWeight.objects.bulk_create(
            ProfileWeight(profile=profile, competency=competencies[c], weight=w)
            for c, w in weights.items()
        )


class Migration(migrations.Migration):
    dependencies = [("hiring", "0001_initial")]

    operations = [
        migrations.RunPython(add_starter_profiles, migrations.RunPython.noop),
    ]
