"""The demo question bank (`manage.py seed_demo`): real CS scenes and past-behaviour
questions for the starting competencies, each with its rubric 1–4, in Japanese and
English. Competencies that weigh more in the starting profiles get more questions."""

from dataclasses import dataclass

BEHAVIOURAL, SCENARIO = "behavioural", "scenario"


@dataclass(frozen=True)
class DemoQuestion:
    competency: str
    kind: str
    text: str
    text_en: str
    # What an answer rated 1, 2, 3 and 4 sounds like: (Japanese, English).
    rubric: tuple[tuple[str, str], tuple[str, str], tuple[str, str], tuple[str, str]]


Q = DemoQuestion

QUESTIONS = [
    # --- 丁寧さ (politeness) ---
    Q(
        "丁寧さ",
        SCENARIO,
        "初めてSaaSを導入した顧客の担当者から「マニュアルを読んでも設定方法がわからない」と"
        "メールが届きました。返信を書くつもりで、どう対応するか話してください。",
        "A customer contact, new to SaaS, emails: “I read the manual and still cannot "
        "work out the settings.” Talk us through your reply, as if writing it.",
        (
            (
                "マニュアルの該当ページを案内するだけで、どこでつまずいたかを確かめない。",
                "Only points to the manual page; does not find out where they got "
                "stuck.",
            ),
            (
                "手順を説明するが専門用語が多く、相手の理解度への配慮が少ない。",
                "Explains the steps, but with jargon and little regard for the "
                "person's level.",
            ),
            (
                "つまずいた箇所を確かめ、平易な言葉と画面の例で手順を示し、"
                "不明点が残っていないか確認する。",
                "Finds where they got stuck, explains in plain words with screen "
                "examples, and checks nothing is left unclear.",
            ),
            (
                "3に加え、短い画面共有を提案するなど相手の負担が少ない手段を選び、"
                "同じつまずきを防ぐためにマニュアルの改善も社内に提案する。",
                "As 3, and picks the least burdensome channel (e.g. a short screen "
                "share), and proposes a fix to the manual so others do not get stuck.",
            ),
        ),
    ),
    Q(
        "丁寧さ",
        BEHAVIOURAL,
        "相手の期待に応えるために、言葉遣いや説明の仕方を工夫した経験を、具体的な場面で"
        "教えてください。",
        "Tell us about a specific time you adapted your wording or your way of "
        "explaining to meet someone's expectations.",
        (
            (
                "具体的な場面が出てこない、または一般論に終始する。",
                "No concrete situation, or only generalities.",
            ),
            (
                "場面はあるが、工夫の内容が「丁寧に話した」程度にとどまる。",
                "A situation, but the adaptation amounts to “I spoke politely”.",
            ),
            (
                "相手の状況を踏まえて何をどう変えたかを具体的に説明し、その結果も語れる。",
                "Explains what they changed and why, given the person's situation, "
                "and what came of it.",
            ),
            (
                "3に加え、相手の反応から学んだことを、その後の対応の型として続けている。",
                "As 3, and has turned what they learned from the reaction into a "
                "lasting habit.",
            ),
        ),
    ),
    Q(
        "丁寧さ",
        SCENARIO,
        "打ち合わせで「来週までに見積もりの回答をする」と約束しましたが、社内の確認が"
        "間に合いそうにありません。どうしますか。",
        "In a meeting you promised the customer an answer on a quote by next week, but "
        "the internal check will not be done in time. What do you do?",
        (
            (
                "期限が過ぎてから連絡する、または何も連絡しない。",
                "Gets in touch only after the deadline, or not at all.",
            ),
            (
                "期限前に遅れることは伝えるが、理由や新しい期限が曖昧。",
                "Warns before the deadline, but the reason and the new date are vague.",
            ),
            (
                "期限前に理由と新しい回答日を伝え、社内の確認を早める手も打つ。",
                "Warns before the deadline with the reason and a new date, and pushes "
                "to speed up the internal check.",
            ),
            (
                "3に加え、途中経過や一部の回答を先に渡すなど、顧客の検討が止まらない"
                "工夫をする。",
                "As 3, and keeps the customer's decision moving, e.g. by sharing "
                "progress or a partial answer first.",
            ),
        ),
    ),
    # --- 安心感 (reassurance) ---
    Q(
        "安心感",
        SCENARIO,
        "大規模な障害が発生し、顧客から「業務が止まっている、いつ直るのか」と強い口調で"
        "電話がありました。復旧の見込みはまだわかりません。どう対応しますか。",
        "A major outage: a customer calls, upset: “Our work has stopped, when will it "
        "be fixed?” There is no recovery estimate yet. How do you handle the call?",
        (
            (
                "「わかりません」で終わる、または根拠のない復旧時刻を約束する。",
                "Ends with “I don't know”, or promises a recovery time without basis.",
            ),
            (
                "謝罪と状況説明はするが、次にいつ何を連絡するかを伝えない。",
                "Apologises and explains, but does not say when and what they will "
                "report next.",
            ),
            (
                "影響を受け止め、わかっている事実とわからないことを分けて伝え、"
                "次の連絡時刻を約束する。",
                "Acknowledges the impact, separates known facts from unknowns, and "
                "promises the time of the next update.",
            ),
            (
                "3に加え、復旧までの回避策を一緒に考え、約束した時刻より早く連絡するなど"
                "信頼を取り戻す行動をとる。",
                "As 3, works out a workaround with the customer, and updates before "
                "the promised time to rebuild trust.",
            ),
        ),
    ),
    Q(
        "安心感",
        BEHAVIOURAL,
        "不安を感じている相手に見通しを示し、安心してもらえた経験を教えてください。",
        "Tell us about a time you reassured someone who was worried by showing them "
        "the way ahead.",
        (
            (
                "該当する経験を語れない。",
                "Cannot describe such an experience.",
            ),
            (
                "励ましの言葉をかけた程度で、具体的な見通しは示していない。",
                "Offered encouragement, but no concrete outlook.",
            ),
            (
                "不安の中身を確かめ、段取りと期限を具体的に示して安心につなげた。",
                "Found out what the worry was, and reassured with concrete steps and "
                "dates.",
            ),
            (
                "3に加え、進捗をこまめに共有する仕組みをつくり、相手が自走できるまで"
                "支えた。",
                "As 3, and set up regular progress updates, supporting the person "
                "until they could carry on alone.",
            ),
        ),
    ),
    Q(
        "安心感",
        SCENARIO,
        "引き継いだ顧客から「前任者のほうがよかった。あなたで大丈夫か不安だ」と"
        "言われました。最初の1か月でどう信頼を築きますか。",
        "A customer you took over tells you: “The previous CSM was better. I am not "
        "sure about you.” How do you build trust in your first month?",
        (
            (
                "気にしない、または比べられることへの不満を述べる。",
                "Shrugs it off, or complains about being compared.",
            ),
            (
                "丁寧に対応すると言うが、具体的な行動計画がない。",
                "Says they will be careful, without a concrete plan.",
            ),
            (
                "これまでの記録を読み込み、期待と不安を聴き、小さな成果と約束の履行を"
                "早く積み重ねる計画を語る。",
                "Reads the history, listens to expectations and worries, and plans "
                "early small wins and kept promises.",
            ),
            (
                "3に加え、前任者や社内と連携して引き継ぎの抜けをなくし、関係を定期的に"
                "確かめる場を設ける。",
                "As 3, works with the predecessor and colleagues to leave no gaps, and "
                "sets regular check-ins on the relationship.",
            ),
        ),
    ),
    # --- 共感力 (empathy) ---
    Q(
        "共感力",
        SCENARIO,
        "更新の打ち合わせで、顧客の担当者が「上司から費用対効果を説明しろと言われて"
        "困っている」とこぼしました。どう応えますか。",
        "In a renewal meeting the customer's contact confides: “My boss wants me to "
        "justify the cost and I don't know how.” How do you respond?",
        (
            (
                "機能紹介や値引きの話にすぐ移る。",
                "Jumps straight to features or a discount.",
            ),
            (
                "大変ですねと共感は示すが、具体的な支援につながらない。",
                "Sympathises, but offers no concrete help.",
            ),
            (
                "担当者の立場と上司が気にしている点を確かめ、説明資料を一緒につくることを"
                "提案する。",
                "Checks the contact's position and what the boss cares about, and "
                "offers to build the justification together.",
            ),
            (
                "3に加え、担当者が社内で評価されることまで考え、上司への報告に同席しつつ"
                "担当者を主役にする。",
                "As 3, thinks about how the contact will be seen internally, and joins "
                "the meeting with the boss while letting the contact lead.",
            ),
        ),
    ),
    Q(
        "共感力",
        BEHAVIOURAL,
        "相手の言葉の裏にある本当の気持ちや困りごとに気づいた経験を教えてください。",
        "Tell us about a time you noticed the real feeling or problem behind what "
        "someone said.",
        (
            (
                "経験が出てこない、または相手の言葉どおりにしか受け取っていない。",
                "No example, or took the words at face value.",
            ),
            (
                "気づきはあるが、その後の行動に結びついていない。",
                "Noticed something, but did not act on it.",
            ),
            (
                "何をきっかけに気づき、どう確かめ、どう行動を変えたかを具体的に語れる。",
                "Explains what made them notice, how they checked, and how they "
                "changed what they did.",
            ),
            (
                "3に加え、その気づきを相手との関係やチームの進め方の改善にまで広げた。",
                "As 3, and used the insight to improve the relationship or the team's "
                "way of working.",
            ),
        ),
    ),
    Q(
        "共感力",
        SCENARIO,
        "オンボーディング中の顧客の担当者が、社内で導入に反対されて疲れている様子です。"
        "次の定例で何を話しますか。",
        "During onboarding, the customer's contact looks worn out by internal "
        "opposition to the rollout. What do you talk about at the next meeting?",
        (
            (
                "予定どおり導入の進捗確認だけをする。",
                "Only reviews onboarding progress, as planned.",
            ),
            (
                "気遣いの言葉はかけるが、状況を深く聴かない。",
                "Says kind words, but does not explore the situation.",
            ),
            (
                "まず担当者の状況と反対の理由を聴き、負担の少ない進め方と反対者向けの"
                "材料を一緒に考える。",
                "First listens to the contact's situation and the reasons for the "
                "opposition, then works out a lighter plan and material for it.",
            ),
            (
                "3に加え、反対者も交えた場を設けるなど、担当者が一人で抱え込まない体制"
                "づくりまで提案する。",
                "As 3, and proposes ways so the contact does not carry it alone, e.g. "
                "a session that includes the opponents.",
            ),
        ),
    ),
    # --- 傾聴力 (active listening) ---
    Q(
        "傾聴力",
        SCENARIO,
        "キックオフで、顧客が導入の目的を「業務効率化」とだけ話しました。目的を具体的に"
        "するために、どんな質問をしますか。",
        "At kickoff the customer states their goal only as “efficiency”. What do you "
        "ask to make the goal concrete?",
        (
            (
                "質問せず、一般的な導入計画を進める。",
                "Asks nothing and runs a generic plan.",
            ),
            (
                "質問はするが、はい・いいえで答えられるものが中心で深まらない。",
                "Asks mostly yes/no questions; the goal stays vague.",
            ),
            (
                "どの業務の、誰の、どれだけの時間を減らしたいのかを開かれた質問で"
                "掘り下げ、要点を言い直して確かめる。",
                "Uses open questions to find which work, whose, and how much time, "
                "and confirms by restating.",
            ),
            (
                "3に加え、成功をどう測り誰が評価するかまで合意し、キックオフ資料に残す。",
                "As 3, agrees on how success is measured and by whom, and records it "
                "in the kickoff document.",
            ),
        ),
    ),
    Q(
        "傾聴力",
        BEHAVIOURAL,
        "話を聴くことで、相手の状況の見え方が大きく変わった経験を教えてください。",
        "Tell us about a time when listening changed your understanding of someone's "
        "situation.",
        (
            (
                "経験がない、または自分が話した話になる。",
                "No example, or the story is about themselves talking.",
            ),
            (
                "聴いた内容は語れるが、どのように聴いたかがわからない。",
                "Can say what they heard, but not how they listened.",
            ),
            (
                "遮らずに聴き、質問で掘り下げた過程と、理解が変わった点を具体的に語れる。",
                "Describes listening without interrupting, probing with questions, "
                "and how their understanding changed.",
            ),
            (
                "3に加え、その経験から自分の聴き方を変え、今も実践している。",
                "As 3, and changed the way they listen, and still does.",
            ),
        ),
    ),
    Q(
        "傾聴力",
        SCENARIO,
        "顧客から新機能の要望が次々と出される30分の打ち合わせです。どう進めますか。",
        "A 30-minute meeting in which the customer brings one feature request after "
        "another. How do you run it?",
        (
            (
                "要望をすべて受けるか、すべて断るかのどちらかになる。",
                "Either accepts every request or turns them all down.",
            ),
            (
                "要望を書き留めるが、背景や優先度を聴かない。",
                "Writes the requests down without asking about background or priority.",
            ),
            (
                "要望ごとに背景と困りごとを聴き、優先度を一緒に整理し、回答の期限を"
                "約束する。",
                "Asks the background of each request, prioritises them together, and "
                "promises when they will answer.",
            ),
            (
                "3に加え、既存機能で解決できるものはその場で示し、残りはプロダクト"
                "チームが判断できる形で伝える。",
                "As 3, solves what existing features can on the spot, and passes the "
                "rest to the product team in a usable form.",
            ),
        ),
    ),
    # --- 数値意識 (numbers awareness) ---
    Q(
        "数値意識",
        SCENARIO,
        "ある顧客が1か月ログインしておらず、契約更新まで60日です。何をしますか。",
        "A customer has not logged in for a month and the renewal is in 60 days. What "
        "do you do?",
        (
            (
                "更新の直前まで様子を見る、または理由を確かめずに値引きを考える。",
                "Waits until just before the renewal, or thinks of a discount without "
                "finding out why.",
            ),
            (
                "連絡はするが、利用データを確かめておらず、理由の仮説がない。",
                "Gets in touch, but without checking usage data or forming a "
                "hypothesis.",
            ),
            (
                "利用データで、いつから・誰が・どの機能から離れたかを確かめ、仮説を"
                "持って連絡し、更新までの計画を立てる。",
                "Checks the usage data (since when, who, which features), contacts the "
                "customer with a hypothesis, and plans up to the renewal.",
            ),
            (
                "3に加え、更新リスクを数字で社内に共有し、同じ兆候の顧客を洗い出して"
                "予防策まで提案する。",
                "As 3, shares the renewal risk in numbers, and finds other customers "
                "with the same signs to prevent it there too.",
            ),
        ),
    ),
    Q(
        "数値意識",
        BEHAVIOURAL,
        "数字を使って課題を見つけ、成果につなげた経験を教えてください。",
        "Tell us about a time you used numbers to find a problem and turned it into a "
        "result.",
        (
            (
                "数字を使った経験を語れない。",
                "Cannot give an example of using numbers.",
            ),
            (
                "数字は出てくるが、見ていただけで行動や成果につながっていない。",
                "Numbers appear, but were only looked at; no action or result.",
            ),
            (
                "どの数字から何を読み取り、何をして、結果がどう変わったかを数字で語れる。",
                "Explains what they read from which numbers, what they did, and how "
                "the result changed, in numbers.",
            ),
            (
                "3に加え、その指標を継続して追う仕組みにし、チームの判断基準として"
                "定着させた。",
                "As 3, and made the indicator a standing measure the team decides by.",
            ),
        ),
    ),
    Q(
        "数値意識",
        SCENARIO,
        "担当する50社の今期の更新率目標は95%、現在の見込みは90%です。残り3か月、"
        "何から手をつけますか。",
        "You look after 50 accounts. This term's renewal target is 95% and the "
        "forecast is 90%. With three months left, where do you start?",
        (
            (
                "全社に同じように連絡する、または具体的な計画がない。",
                "Contacts every account the same way, or has no concrete plan.",
            ),
            (
                "リスクのある顧客に連絡すると言うが、優先順位の根拠がない。",
                "Says they will call at-risk accounts, with no basis for priority.",
            ),
            (
                "差は2〜3社分と捉え、更新時期・契約金額・リスクの兆候で優先順位をつけ、"
                "顧客ごとの打ち手を決める。",
                "Sees the gap is 2–3 accounts, prioritises by renewal date, contract "
                "value and risk signals, and decides actions per account.",
            ),
            (
                "3に加え、見込みの精度を上げる指標を見直し、週次で進捗を数字で確かめる"
                "運用まで組み立てる。",
                "As 3, reviews the forecast signals, and sets up a weekly check of "
                "progress in numbers.",
            ),
        ),
    ),
    # --- 目標達成意欲 (drive to reach targets) ---
    Q(
        "目標達成意欲",
        BEHAVIOURAL,
        "高い目標を任され、達成までやり切った経験を教えてください。途中で一番苦しかった"
        "場面も含めて。",
        "Tell us about an ambitious target you were given and reached. Include the "
        "hardest moment along the way.",
        (
            (
                "達成した経験を語れない、または目標が与えられたままにとどまる。",
                "Cannot describe one, or the target stayed someone else's.",
            ),
            (
                "達成はしたが、苦しい場面で何をしたかが具体的でない。",
                "Reached it, but is vague about what they did in the hard moment.",
            ),
            (
                "目標から逆算した計画と、苦しい場面で手段を変えて粘った行動を具体的に"
                "語れる。",
                "Describes a plan worked back from the target, and how they persisted "
                "with other means when it was hard.",
            ),
            (
                "3に加え、周囲を巻き込んで目標を上回り、さらに高い目標を自ら設定した。",
                "As 3, exceeded the target by involving others, then set themselves a "
                "higher one.",
            ),
        ),
    ),
    Q(
        "目標達成意欲",
        BEHAVIOURAL,
        "目標に届かなかった経験を教えてください。そのとき何を考え、次にどう動きましたか。",
        "Tell us about a target you missed. What did you think, and what did you do "
        "next?",
        (
            (
                "未達の理由を環境や他人のせいにする。",
                "Blames circumstances or other people.",
            ),
            (
                "反省は語るが、次の行動が具体的でない。",
                "Reflects, but the next steps are vague.",
            ),
            (
                "自分で変えられた要因を分析し、次の期に何を変えたかを語れる。",
                "Analyses what was in their control, and says what they changed in "
                "the next period.",
            ),
            (
                "3に加え、変えた結果を数字で示し、その学びをチームにも共有した。",
                "As 3, shows the result of the change in numbers, and shared the "
                "lesson with the team.",
            ),
        ),
    ),
    Q(
        "目標達成意欲",
        SCENARIO,
        "今四半期のアップセル目標の達成が難しいと、残り1か月でわかりました。"
        "何をしますか。",
        "With one month left in the quarter, it is clear the upsell target will be "
        "hard to reach. What do you do?",
        (
            (
                "来期に挽回すればよいと考え、今期は諦める。",
                "Gives up on this quarter and plans to catch up next.",
            ),
            (
                "手当たり次第に提案を増やす。",
                "Sends more proposals to anyone.",
            ),
            (
                "今期中に決まりうる案件を洗い出し、決裁の障害を一つずつ取り除く計画を"
                "立てる。",
                "Lists the deals that could close this quarter, and plans to remove "
                "each obstacle to a decision.",
            ),
            (
                "3に加え、顧客の価値を損なう押し込みはしないと線を引き、来期の仕込みも"
                "同時に進める。",
                "As 3, draws a line at pushing deals that do not serve the customer, "
                "and prepares next quarter at the same time.",
            ),
        ),
    ),
    # --- 専門知識 (expertise) ---
    Q(
        "専門知識",
        SCENARIO,
        "顧客から「他社のツールと連携して、営業データを自動で取り込みたい」と相談されま"
        "した。どう答え、どう進めますか。",
        "A customer asks: “We want to import our sales data automatically from another "
        "tool.” How do you answer, and how do you proceed?",
        (
            (
                "技術的なことはわからないとして、そのまま技術部門に回す。",
                "Says it is technical and passes it on as it is.",
            ),
            (
                "できる・できないの回答だけで、目的を確かめない。",
                "Answers only whether it is possible, without asking why.",
            ),
            (
                "連携の目的とデータの流れを確かめ、標準機能・API・パートナー製品などの"
                "選択肢を長所と短所とともに示す。",
                "Checks the purpose and the data flow, and presents the options "
                "(built-in, API, partner tools) with their pros and cons.",
            ),
            (
                "3に加え、似た顧客の事例や運用上の注意点まで示し、必要なら技術者を"
                "同席させて判断を早める。",
                "As 3, adds similar customers' cases and pitfalls, and brings in an "
                "engineer when needed to speed up the decision.",
            ),
        ),
    ),
    Q(
        "専門知識",
        BEHAVIOURAL,
        "あなたの専門知識が、顧客の成果に直接つながった経験を教えてください。",
        "Tell us about a time your expertise directly changed a customer's results.",
        (
            (
                "知識の披露にとどまり、顧客の成果との関係が語れない。",
                "Shows off knowledge, but cannot link it to a customer's results.",
            ),
            (
                "知識で問題を解決したが、成果への影響がはっきりしない。",
                "Solved a problem with knowledge, but the effect on results is "
                "unclear.",
            ),
            (
                "顧客の業務を理解したうえで知識を応用し、成果がどう変わったかを具体的に"
                "語れる。",
                "Applied knowledge to the customer's work, and explains how the "
                "results changed.",
            ),
            (
                "3に加え、その知見を資料や事例にまとめ、他の顧客やチームにも広げた。",
                "As 3, and turned the insight into material or a case used with other "
                "customers and the team.",
            ),
        ),
    ),
    Q(
        "専門知識",
        SCENARIO,
        "製造業の顧客が、現場の作業報告をツールに定着させたいと考えています。業界の特性を"
        "踏まえて、どんな進め方を提案しますか。",
        "A manufacturing customer wants shop-floor work reports to take hold in the "
        "tool. Given the industry, what approach do you propose?",
        (
            (
                "業界に関係なく、一般的なトレーニングを提案する。",
                "Proposes generic training, whatever the industry.",
            ),
            (
                "業界の特性に触れるが、提案が具体的でない。",
                "Mentions the industry, but the proposal is not concrete.",
            ),
            (
                "現場の端末環境・作業の流れ・報告の目的を踏まえ、入力の負担を減らす"
                "設定と段階的な展開を提案する。",
                "Considers devices on the floor, the flow of work and why reports "
                "matter, and proposes low-effort settings and a phased rollout.",
            ),
            (
                "3に加え、現場リーダーを推進役にするなど定着の仕組みを設計し、効果の"
                "測り方を示す。",
                "As 3, designs how it will stick (e.g. floor leaders as champions) "
                "and how to measure the effect.",
            ),
        ),
    ),
    # --- ロジカルさ (logical thinking) ---
    Q(
        "ロジカルさ",
        SCENARIO,
        "ある顧客の利用率が3か月で20%下がりました。原因をどのように切り分けて"
        "調べますか。",
        "A customer's usage dropped 20% over three months. How do you break down the "
        "possible causes?",
        (
            (
                "思いついた原因を一つ挙げ、それを結論にする。",
                "Names the first cause that comes to mind, and stops there.",
            ),
            (
                "いくつか原因を挙げるが、整理されておらず、確かめ方がない。",
                "Lists causes without structure or a way to test them.",
            ),
            (
                "部署・ユーザー・機能・時期などに分解して仮説を立て、データと"
                "ヒアリングで確かめる順序を示す。",
                "Breaks the drop down by department, user, feature and time, forms "
                "hypotheses, and orders how to test them with data and interviews.",
            ),
            (
                "3に加え、影響の大きさで優先順位をつけ、結論と根拠を顧客に一枚で"
                "説明できる形にまとめる。",
                "As 3, prioritises by impact, and can present the conclusion and its "
                "grounds to the customer on one page.",
            ),
        ),
    ),
    Q(
        "ロジカルさ",
        BEHAVIOURAL,
        "複雑な問題を整理して、関係者の合意を得た経験を教えてください。",
        "Tell us about a time you untangled a complex problem and got the people "
        "involved to agree.",
        (
            (
                "経緯を時系列で話すだけで、整理の仕方が見えない。",
                "Recounts events in order; no structure shows.",
            ),
            (
                "整理はしたが、合意に至った理由を説明できない。",
                "Organised it, but cannot explain how agreement came.",
            ),
            (
                "論点を分解し、選択肢と判断基準を示して合意に至った過程を、結論から"
                "順序立てて語れる。",
                "Explains, conclusion first, how they broke down the issues, set out "
                "options and criteria, and reached agreement.",
            ),
            (
                "3に加え、前提の違う関係者それぞれに合わせて説明し、合意後の実行まで"
                "見届けた。",
                "As 3, adapted the explanation to people with different assumptions, "
                "and saw it through to execution.",
            ),
        ),
    ),
    Q(
        "ロジカルさ",
        SCENARIO,
        "顧客の役員に、導入から半年の成果を10分で報告します。どのような構成にしますか。",
        "You have ten minutes to report six months of results to the customer's "
        "executive. How do you structure it?",
        (
            (
                "実施したことを時系列に並べるだけになる。",
                "Lists activities in chronological order.",
            ),
            (
                "成果は示すが、役員の関心とのつながりが弱い。",
                "Shows results, but not tied to the executive's interests.",
            ),
            (
                "結論（成果）→根拠（数字）→課題→次の打ち手の順で、役員の経営課題に"
                "結びつけて構成する。",
                "Conclusion (results), evidence (numbers), issues, next steps — tied "
                "to the executive's business priorities.",
            ),
            (
                "3に加え、役員に決めてほしいことを明確にし、想定される質問への答えと"
                "補足資料を用意する。",
                "As 3, makes clear what the executive is asked to decide, and "
                "prepares answers to likely questions and backup material.",
            ),
        ),
    ),
    # --- 課題発見力 (problem finding) ---
    Q(
        "課題発見力",
        SCENARIO,
        "顧客から「レポート機能をもっと増やしてほしい」と要望がありました。"
        "どう対応しますか。",
        "A customer asks: “Please add more reporting features.” How do you respond?",
        (
            (
                "要望をそのままプロダクトチームに転送する。",
                "Forwards the request to the product team as it is.",
            ),
            (
                "要望の中身は確かめるが、その背景にある目的までは聴かない。",
                "Clarifies the request, but not the purpose behind it.",
            ),
            (
                "誰が何の判断にレポートを使うのかを聴いて本当の課題を特定し、既存機能や"
                "運用での解決も検討する。",
                "Asks who uses reports for which decisions, finds the real problem, "
                "and considers existing features or process too.",
            ),
            (
                "3に加え、同じ課題を持つ顧客を調べ、影響の大きさとともにプロダクト"
                "チームに提案する。",
                "As 3, checks which other customers share the problem, and brings it "
                "to the product team with its impact.",
            ),
        ),
    ),
    Q(
        "課題発見力",
        BEHAVIOURAL,
        "誰も気づいていなかった問題を見つけ、大きくなる前に手を打った経験を"
        "教えてください。",
        "Tell us about a problem nobody had noticed that you found and dealt with "
        "before it grew.",
        (
            (
                "経験を語れない、または問題が起きてから対応した話になる。",
                "No example, or the story is about reacting after the fact.",
            ),
            (
                "問題に気づいたが、対応は他の人に任せた。",
                "Noticed it, but left the response to others.",
            ),
            (
                "気づいたきっかけ（兆候）と、影響を見積もって手を打った行動を具体的に"
                "語れる。",
                "Describes the signs that tipped them off, how they estimated the "
                "impact, and what they did.",
            ),
            (
                "3に加え、同じ問題を早く見つける仕組み（指標やチェック）をつくった。",
                "As 3, and set up a way (an indicator or a check) to catch it early "
                "next time.",
            ),
        ),
    ),
    Q(
        "課題発見力",
        SCENARIO,
        "ある顧客からの問い合わせが、先月から急に増えています。何を確かめ、"
        "どう動きますか。",
        "One customer's support tickets jumped this month. What do you check, and "
        "what do you do?",
        (
            (
                "サポートチームに任せ、CSとしては何もしない。",
                "Leaves it to support and does nothing as CSM.",
            ),
            (
                "顧客に様子を聞くが、問い合わせの中身を見ていない。",
                "Asks the customer how things are, without reading the tickets.",
            ),
            (
                "問い合わせの内容・時期・問い合わせた人を分析して傾向をつかみ、原因の"
                "仮説を持って顧客と話す。",
                "Analyses the tickets' content, timing and senders, forms a "
                "hypothesis, and talks to the customer with it.",
            ),
            (
                "3に加え、原因が自社側（画面や資料）にあれば改善を提案し、他の顧客への"
                "影響も確かめる。",
                "As 3, proposes a fix when the cause is on our side (screens, docs), "
                "and checks whether other customers are affected.",
            ),
        ),
    ),
    # --- 主体性 (ownership) ---
    Q(
        "主体性",
        BEHAVIOURAL,
        "自分の担当範囲を超えて、必要だと思うことを自ら進めた経験を教えてください。",
        "Tell us about a time you went beyond your remit to get something done that "
        "needed doing.",
        (
            (
                "指示されたことをこなした話になる。",
                "Describes doing what they were told.",
            ),
            (
                "必要性に気づいて上司に伝えたが、自分では動いていない。",
                "Noticed the need and told their manager, but did not act.",
            ),
            (
                "必要性を判断し、関係者を巻き込んで自ら進め、その結果まで語れる。",
                "Judged the need, brought people along, drove it themselves, and can "
                "tell the result.",
            ),
            (
                "3に加え、一度きりで終わらせず、仕組みとしてチームに定着させた。",
                "As 3, and made it a lasting part of how the team works.",
            ),
        ),
    ),
    Q(
        "主体性",
        SCENARIO,
        "チームで使っているオンボーディング資料が古く、顧客が混乱していることに"
        "気づきました。担当者はいません。どうしますか。",
        "You notice the team's onboarding deck is outdated and confuses customers. "
        "Nobody owns it. What do you do?",
        (
            (
                "自分の仕事ではないので何もしない。",
                "Does nothing: it is not their job.",
            ),
            (
                "チャットで問題を指摘するが、その後は動かない。",
                "Points out the problem in chat, then moves on.",
            ),
            (
                "直すべき箇所を洗い出して改訂案をつくり、上長に相談して更新と共有まで"
                "進める。",
                "Lists what to fix, drafts a revision, checks with their manager, and "
                "gets it updated and shared.",
            ),
            (
                "3に加え、資料の持ち主と見直しの周期を決め、再び古くならない運用を"
                "提案する。",
                "As 3, and proposes an owner and a review cycle so it does not go "
                "stale again.",
            ),
        ),
    ),
    # --- 提案力 (proposing value) ---
    Q(
        "提案力",
        SCENARIO,
        "順調に活用が進んでいる顧客に、別の部署への展開を提案したいと考えています。"
        "どう進めますか。",
        "A customer is using the product well, and you want to propose rolling it out "
        "to another department. How do you go about it?",
        (
            (
                "料金表を添えて追加契約を案内する。",
                "Sends the price list and suggests an add-on contract.",
            ),
            (
                "展開を提案するが、相手の部署の課題を把握していない。",
                "Proposes the rollout without knowing the other department's problems.",
            ),
            (
                "今の部署の成果を数字でまとめ、相手の部署の課題を聴いたうえで、展開した"
                "場合の効果と進め方を提案する。",
                "Sums up the current department's results in numbers, listens to the "
                "other department, and proposes the effect and plan of a rollout.",
            ),
            (
                "3に加え、社内の推進者と一緒に提案をつくり、決裁者の判断基準に合わせた"
                "資料を用意する。",
                "As 3, builds the proposal with an internal champion, and prepares "
                "material fitted to the decision maker's criteria.",
            ),
        ),
    ),
    Q(
        "提案力",
        BEHAVIOURAL,
        "相手が最初は乗り気でなかった提案を、受け入れてもらえた経験を教えてください。",
        "Tell us about a proposal someone was reluctant about at first, and how it "
        "came to be accepted.",
        (
            (
                "押し切った、または相手が折れた話になる。",
                "Pushed it through, or the other side gave in.",
            ),
            (
                "説明を重ねて受け入れてもらったが、相手の懸念を理解していない。",
                "Explained again and again until it was accepted, without "
                "understanding the concern.",
            ),
            (
                "相手の懸念を聴き、それに応えるよう提案を修正して納得を得た過程を語れる。",
                "Listened to the concerns, adjusted the proposal to answer them, and "
                "won agreement.",
            ),
            (
                "3に加え、提案後の成果を相手と一緒に確かめ、次の提案につながる信頼を"
                "築いた。",
                "As 3, checked the results with the person afterwards, building trust "
                "for the next proposal.",
            ),
        ),
    ),
    # --- 学習意欲 (learning agility) ---
    Q(
        "学習意欲",
        BEHAVIOURAL,
        "厳しいフィードバックを受けて、行動を変えた経験を教えてください。",
        "Tell us about tough feedback you received, and how you changed because of it.",
        (
            (
                "フィードバックに納得できなかった話で終わる。",
                "The story ends with disagreeing with the feedback.",
            ),
            (
                "受け止めたが、何を変えたかが曖昧。",
                "Accepted it, but is vague about what changed.",
            ),
            (
                "受け止めた内容、変えた行動、その結果を具体的に語れる。",
                "Describes what they took in, what they changed, and the result.",
            ),
            (
                "3に加え、自らフィードバックを求める習慣があり、成長を続けている。",
                "As 3, and asks for feedback themselves as a habit, and keeps growing.",
            ),
        ),
    ),
    Q(
        "学習意欲",
        SCENARIO,
        "入社1か月で、まだ詳しくない製品の大型アップデートが出ました。来週、顧客に"
        "説明する必要があります。どう準備しますか。",
        "One month after joining, a major release comes out for a product you do not "
        "know well yet. Next week you must explain it to customers. How do you "
        "prepare?",
        (
            (
                "リリースノートを読むだけで説明に臨む。",
                "Reads the release notes and goes in.",
            ),
            (
                "資料は読み込むが、実際には触らず、疑問点も解消しない。",
                "Studies the documents, but neither tries the product nor resolves "
                "open questions.",
            ),
            (
                "実際に操作して顧客の目線で試し、わからない点を社内の詳しい人に確かめ、"
                "顧客ごとの影響を整理する。",
                "Tries it hands-on from the customer's side, checks open questions "
                "with in-house experts, and sorts out the impact per customer.",
            ),
            (
                "3に加え、学んだことをチーム向けのFAQやデモにまとめて共有する。",
                "As 3, and turns what they learned into an FAQ or a demo for the team.",
            ),
        ),
    ),
]
