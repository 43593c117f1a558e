"""Organisation planning, the rules (issue 14): the role map's standard functions and
quadrants, and the CS maturity questionnaire with how Kata's data suggests answers.

Pure functions and constants: no queries. The facts come from
`selectors.organisation.maturity_facts`; writes are in `services.organisation`.

Maturity (CMM-style, DOMAIN.md "Around the pillars"): level 1 (initial) is the
floor; levels 2–5 each have a few questions answered yes, partly or no.

- A level is **met** when its answers earn at least `LEVEL_THRESHOLD` (80 %) of its
  points: yes = 1, partly = ½, no or unanswered = 0. With three or four questions
  per level that is every answer yes, or one partly and the rest yes.
- The **level reached** is the highest level met together with every level below
  it (a level 4 met over an unmet level 3 still reads 2).
- The **next steps** are the questions of the level above the one reached that are
  not answered yes, each with what to do.
- **Evidence**: a question may have a rule that reads Kata's data and suggests an
  answer (`suggest`); the form is prefilled with it, the admin may answer
  otherwise, and the evidence is kept beside the answer as it was seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy, pgettext_lazy

from . import metrics

# --- Role map ----------------------------------------------------------------------


@dataclass(frozen=True)
class StandardFunction:
    key: str
    name: str
    description: str


STANDARD_FUNCTIONS = (
    StandardFunction(
        "onboarding",
        _("Onboarding"),
        _("Kickoff to the first value points, within their deadlines."),
    ),
    StandardFunction(
        "adoption",
        _("Adoption"),
        _("Routine use: customers use the product the way that brings value."),
    ),
    StandardFunction(
        "renewal",
        _("Renewal"),
        _("Renewals prepared ahead of their dates; churn risks found early."),
    ),
    StandardFunction(
        "expansion",
        _("Expansion"),
        _("Upsell, other departments and cross-sell, with sales."),
    ),
    StandardFunction(
        "operations",
        _("CS operations"),
        _("Data, tools, metrics and the processes the team works with."),
    ),
    StandardFunction(
        "customer_marketing",
        _("Customer marketing"),
        _("Content, events and stories that reach every customer."),
    ),
    StandardFunction(
        "community",
        _("Community"),
        _("Customers learning from each other: user groups, forums."),
    ),
    StandardFunction(
        "enablement",
        _("Enablement"),
        _("Playbooks, training and practicum for the CS members."),
    ),
    StandardFunction(
        "digital",
        _("Digital (tech-touch)"),
        _("Automated, one-to-many programmes for the long tail."),
    ),
)
STANDARD_KEYS = tuple(function.key for function in STANDARD_FUNCTIONS)
_STANDARD = {function.key: function for function in STANDARD_FUNCTIONS}


def standard_function_name(key: str):
    found = _STANDARD.get(key)
    return found.name if found else key


def standard_function_description(key: str):
    found = _STANDARD.get(key)
    return found.description if found else ""


# The four quadrants: importance × whether someone does the function full time.
NEEDS_PERSON = "needs_person"
COVERED = "covered"
LATER_OPEN = "later_open"
LATER_COVERED = "later_covered"


@dataclass(frozen=True)
class Quadrant:
    key: str
    title: str
    hint: str
    highlighted: bool = False


QUADRANTS = (
    Quadrant(
        NEEDS_PERSON,
        _("Needs a dedicated person next"),
        _("Important now, done on the side or not at all."),
        highlighted=True,
    ),
    Quadrant(
        COVERED,
        _("Covered"),
        _("Important now, and someone does it full time."),
    ),
    Quadrant(
        LATER_OPEN,
        _("Later"),
        _("Important later; shared or not started yet."),
    ),
    Quadrant(
        LATER_COVERED,
        _("Ahead of need"),
        _("Important later, yet already dedicated."),
    ),
)


def quadrant_of(*, importance: str, status: str) -> str:
    dedicated = status == "dedicated"
    if importance == "now":
        return COVERED if dedicated else NEEDS_PERSON
    return LATER_COVERED if dedicated else LATER_OPEN


# --- Maturity ----------------------------------------------------------------------

YES, PARTLY, NO = "yes", "partly", "no"
ANSWERS = (
    (YES, pgettext_lazy("maturity answer", "Yes")),
    (PARTLY, pgettext_lazy("maturity answer", "Partly")),
    (NO, pgettext_lazy("maturity answer", "No")),
)
POINTS = {YES: 1.0, PARTLY: 0.5, NO: 0.0}
LEVEL_THRESHOLD = 0.8
FIRST_LEVEL, LAST_LEVEL = 1, 5


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str


LEVELS = (
    Level(1, _("Initial"), _("Ad hoc: each member works their own way.")),
    Level(
        2,
        _("Managed"),
        _("Accounts, journey and roles are known; work is tracked."),
    ),
    Level(3, _("Defined"), _("Playbooks and training are written and used.")),
    Level(
        4,
        _("Quantitatively managed"),
        _("Conversion, revenue and outcomes are measured and targeted."),
    ),
    Level(5, _("Optimising"), _("The numbers drive continuous improvement.")),
)
_LEVELS = {level.number: level for level in LEVELS}


def level_of(number: int) -> Level:
    return _LEVELS[number]


@dataclass(frozen=True)
class Question:
    key: str
    level: int
    text: str
    next_step: str
    # The fact rule that suggests an answer; None when only the admin knows.
    evidence: bool = True


QUESTIONS = (
    Question(
        "accounts_owned",
        2,
        _("Every active customer account has an owner or a pool."),
        _("Give each account without coverage a dedicated owner or a pool."),
    ),
    Question(
        "journey_defined",
        2,
        _("The success journey is written down with its steps."),
        _("Write the journey's milestones as steps, with the value points."),
    ),
    Question(
        "roles_mapped",
        2,
        _("Every CS function that matters now has someone doing it."),
        _("On the role map, give each function important now a person or a role."),
    ),
    Question(
        "playbooks_written",
        3,
        _("A playbook supports every transition of the journeys."),
        _("Write a playbook for each transition that has none."),
    ),
    Question(
        "training_in_place",
        3,
        _("Training teaches the playbooks and members pass it."),
        _("Assign the training modules and follow up on those not passed."),
    ),
    Question(
        "structured_hiring",
        3,
        _("Hiring uses structured interviews on the same competencies."),
        _("Build interview kits on the competencies of your best members."),
        evidence=False,
    ),
    Question(
        "rollups_in_use",
        4,
        _("Journey conversion per member is measured every month."),
        _("Let the rollup run (hourly) and read the dashboard each month."),
    ),
    Question(
        "awards_set",
        4,
        _("An award metric sets the team's focus this month or last."),
        _("Set the metric of the month in an award program."),
    ),
    Question(
        "revenue_recorded",
        4,
        _("ARR is recorded every month, so NRR and churn are known."),
        _("Record each account's ARR month by month (import or API)."),
    ),
    Question(
        "success_plans",
        4,
        _("Customers' business outcomes are measured in success plans."),
        _("Agree a success plan with measures with more of your customers."),
    ),
    Question(
        "playbooks_improved",
        5,
        _("Playbooks are improved from the numbers and reflections."),
        _("Review the weakest transition's playbook and publish a new version."),
    ),
    Question(
        "retrospectives_acted",
        5,
        _("Weak steps are looked back on, and leaders comment on them."),
        _("Ask members for a retrospective on their weakest transition."),
    ),
    Question(
        "experiments",
        5,
        _(
            "Coverage, automation and capacity changes are tried as experiments "
            "and measured."
        ),
        _("Try a change (a pool, an automation) on one segment and compare."),
        evidence=False,
    ),
)
QUESTION_KEYS = tuple(question.key for question in QUESTIONS)
_QUESTIONS = {question.key: question for question in QUESTIONS}


def questions_of(level: int) -> list[Question]:
    return [question for question in QUESTIONS if question.level == level]


def level_score(level: int, answers: dict) -> float:
    questions = questions_of(level)
    earned = sum(POINTS.get(answers.get(q.key), 0.0) for q in questions)
    return earned / len(questions)


def level_met(level: int, answers: dict) -> bool:
    if level <= FIRST_LEVEL:
        return True
    # A small tolerance: 0.8 computed from halves is exact, but the rule reads "at
    # least", and float sums should not make it fail by a hair.
    return level_score(level, answers) >= LEVEL_THRESHOLD - 1e-9


def level_reached(answers: dict) -> int:
    reached = FIRST_LEVEL
    for level in range(FIRST_LEVEL + 1, LAST_LEVEL + 1):
        if not level_met(level, answers):
            break
        reached = level
    return reached


def next_steps(answers: dict) -> list[Question]:
    """The questions of the level above the one reached not answered yes."""
    target = level_reached(answers) + 1
    if target > LAST_LEVEL:
        return []
    return [q for q in questions_of(target) if answers.get(q.key) != YES]


def unknown_keys(answers: dict) -> list[str]:
    return sorted(key for key in answers if key not in _QUESTIONS)


# --- Quarters ----------------------------------------------------------------------


def quarter_key(day: date) -> str:
    """The fiscal quarter `day` falls in, as the periods are keyed: FY2026-Q1."""
    year, quarter = metrics.quarter_of(day.replace(day=1))
    return f"FY{year}-Q{quarter}"


def quarter_period(key: str) -> metrics.Period:
    """The period of a quarter key; ValueError (translated) if it is none."""
    period = metrics.parse_period(key)
    if period.kind != metrics.PERIOD_QUARTER:
        raise ValueError(_("Enter a fiscal quarter such as FY2026-Q1."))
    return period


def quarter_label(key: str) -> str:
    try:
        return quarter_period(key).label
    except ValueError:
        return key


def previous_quarter_key(key: str) -> str:
    period = quarter_period(key)
    return quarter_key(metrics.add_months(period.first_month, -3))


# --- Evidence ----------------------------------------------------------------------
#
# Each rule reads the facts (a plain dict from `selectors.organisation`) and gives
# {"answer": yes|partly|no, "numbers": {...}}: the numbers are kept with the
# assessment and told in words by `evidence_text` in the reader's language.

# A rollup counts as "in use" when one finished within this many days.
ROLLUP_RECENT_DAYS = 35
# Improvements and retrospectives count within this many days.
RECENT_DAYS = 90


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _by_share(share: float | None, *, full: float, some: float) -> str:
    if share is None:
        return NO
    if share >= full:
        return YES
    return PARTLY if share >= some else NO


def _accounts_owned(facts):
    numbers = {"part": facts["accounts_covered"], "whole": facts["accounts_active"]}
    return _by_share(_share(**numbers), full=0.9, some=0.5), numbers


def _journey_defined(facts):
    numbers = {"count": facts["journeys_with_steps"]}
    return (YES if numbers["count"] else NO), numbers


def _roles_mapped(facts):
    numbers = {"part": facts["functions_now_staffed"], "whole": facts["functions_now"]}
    if not numbers["whole"]:
        return NO, numbers
    return _by_share(_share(**numbers), full=1.0, some=0.5), numbers


def _playbooks_written(facts):
    numbers = {
        "part": facts["transitions_with_playbook"],
        "whole": facts["transitions"],
    }
    return _by_share(_share(**numbers), full=1.0, some=0.5), numbers


def _training_in_place(facts):
    numbers = {
        "part": facts["training_passed"],
        "whole": facts["training_assigned"],
        "modules": facts["modules_active"],
    }
    if not numbers["modules"]:
        return NO, numbers
    share = _share(numbers["part"], numbers["whole"])
    return (_by_share(share, full=0.8, some=0.0) if share is not None else PARTLY), (
        numbers
    )


def _rollups_in_use(facts):
    days = facts["days_since_rollup"]
    numbers = {"days": days}
    if days is None:
        return NO, numbers
    return (YES if days <= ROLLUP_RECENT_DAYS else PARTLY), numbers


def _awards_set(facts):
    numbers = {"recent": facts["award_periods_recent"], "ever": facts["award_periods"]}
    if numbers["recent"]:
        return YES, numbers
    return (PARTLY if numbers["ever"] else NO), numbers


def _revenue_recorded(facts):
    numbers = {"part": facts["accounts_with_arr"], "whole": facts["accounts_active"]}
    return _by_share(_share(**numbers), full=0.8, some=0.01), numbers


def _success_plans(facts):
    numbers = {"part": facts["accounts_with_plan"], "whole": facts["accounts_active"]}
    return _by_share(_share(**numbers), full=0.5, some=0.01), numbers


def _playbooks_improved(facts):
    numbers = {"count": facts["playbook_versions_recent"]}
    return (YES if numbers["count"] else NO), numbers


def _retrospectives_acted(facts):
    numbers = {
        "count": facts["retrospectives_recent"],
        "commented": facts["retrospectives_commented"],
    }
    if not numbers["count"]:
        return NO, numbers
    return (YES if numbers["commented"] else PARTLY), numbers


RULES = {
    "accounts_owned": _accounts_owned,
    "journey_defined": _journey_defined,
    "roles_mapped": _roles_mapped,
    "playbooks_written": _playbooks_written,
    "training_in_place": _training_in_place,
    "rollups_in_use": _rollups_in_use,
    "awards_set": _awards_set,
    "revenue_recorded": _revenue_recorded,
    "success_plans": _success_plans,
    "playbooks_improved": _playbooks_improved,
    "retrospectives_acted": _retrospectives_acted,
}


def evidence_from(facts: dict) -> dict[str, dict]:
    """{question key: {"answer": suggested answer, "numbers": {...}}} for every
    question with a rule."""
    found = {}
    for key, rule in RULES.items():
        answer, numbers = rule(facts)
        found[key] = {"answer": answer, "numbers": numbers}
    return found


def suggested_answers(evidence: dict) -> dict[str, str]:
    return {key: seen["answer"] for key, seen in evidence.items()}


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def evidence_text(key: str, seen: dict | None) -> str:
    """The evidence of a question in words, with its numbers; "" without any."""
    if not seen:
        return ""
    numbers = seen.get("numbers", {})
    try:
        return _TEXTS[key](numbers)
    except (KeyError, TypeError):
        return ""


def _part_of(template):
    """`template`: an ngettext_lazy by "whole" with part, whole and percent."""

    def text(numbers):
        part, whole = numbers["part"], numbers["whole"]
        return template % {
            "part": part,
            "whole": whole,
            "percent": _percent(part, whole),
        }

    return text


def _training_text(numbers):
    if not numbers["modules"]:
        return str(_("No active training module."))
    if not numbers["whole"]:
        return ngettext(
            "%(modules)s active module, none assigned yet.",
            "%(modules)s active modules, none assigned yet.",
            numbers["modules"],
        ) % {"modules": numbers["modules"]}
    return ngettext(
        "%(part)s of %(whole)s assigned module passed (%(percent)s).",
        "%(part)s of %(whole)s assigned modules passed (%(percent)s).",
        numbers["whole"],
    ) % {
        "part": numbers["part"],
        "whole": numbers["whole"],
        "percent": _percent(numbers["part"], numbers["whole"]),
    }


def _rollup_text(numbers):
    if numbers["days"] is None:
        return str(_("No rollup has finished yet."))
    if numbers["days"] == 0:
        return str(_("The last rollup finished today."))
    return ngettext(
        "The last rollup finished %(days)s day ago.",
        "The last rollup finished %(days)s days ago.",
        numbers["days"],
    ) % {"days": numbers["days"]}


def _awards_text(numbers):
    if numbers["recent"]:
        return str(_("An award metric is set for this month or last month."))
    if numbers["ever"]:
        return str(_("Award metrics were set before, not for this month or last."))
    return str(_("No award metric has been set."))


def _roles_text(numbers):
    if not numbers["whole"]:
        return str(_("No function on the role map is marked important now."))
    return _part_of(
        ngettext_lazy(
            "%(part)s of %(whole)s function important now has someone doing it.",
            "%(part)s of %(whole)s functions important now have someone doing it.",
            "whole",
        )
    )(numbers)


def _count_text(template):
    """`template`: an ngettext_lazy by "count"."""

    def text(numbers):
        return template % {"count": numbers["count"]}

    return text


def _retrospectives_text(numbers):
    return ngettext(
        "%(count)s retrospective in the last 90 days, %(commented)s with a "
        "leader's comment.",
        "%(count)s retrospectives in the last 90 days, %(commented)s with a "
        "leader's comment.",
        numbers["count"],
    ) % {"count": numbers["count"], "commented": numbers["commented"]}


_TEXTS = {
    "accounts_owned": _part_of(
        ngettext_lazy(
            "%(part)s of %(whole)s active account has an owner or a pool "
            "(%(percent)s).",
            "%(part)s of %(whole)s active accounts have an owner or a pool "
            "(%(percent)s).",
            "whole",
        )
    ),
    "journey_defined": _count_text(
        ngettext_lazy(
            "%(count)s active journey with at least two steps.",
            "%(count)s active journeys with at least two steps.",
            "count",
        )
    ),
    "roles_mapped": _roles_text,
    "playbooks_written": _part_of(
        ngettext_lazy(
            "%(part)s of %(whole)s transition has a playbook (%(percent)s).",
            "%(part)s of %(whole)s transitions have a playbook (%(percent)s).",
            "whole",
        )
    ),
    "training_in_place": _training_text,
    "rollups_in_use": _rollup_text,
    "awards_set": _awards_text,
    "revenue_recorded": _part_of(
        ngettext_lazy(
            "%(part)s of %(whole)s active account has ARR recorded for this month or "
            "last (%(percent)s).",
            "%(part)s of %(whole)s active accounts have ARR recorded for this month or "
            "last (%(percent)s).",
            "whole",
        )
    ),
    "success_plans": _part_of(
        ngettext_lazy(
            "%(part)s of %(whole)s active account has a success plan with measures "
            "(%(percent)s).",
            "%(part)s of %(whole)s active accounts have a success plan with measures "
            "(%(percent)s).",
            "whole",
        )
    ),
    "playbooks_improved": _count_text(
        ngettext_lazy(
            "%(count)s new playbook version in the last 90 days.",
            "%(count)s new playbook versions in the last 90 days.",
            "count",
        )
    ),
    "retrospectives_acted": _retrospectives_text,
}


# --- Reading an assessment ---------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    answer: str | None
    evidence_answer: str | None
    evidence_text: str

    @property
    def answer_label(self) -> str:
        return dict(ANSWERS).get(self.answer, "—")

    @property
    def evidence_label(self) -> str:
        return dict(ANSWERS).get(self.evidence_answer, "—")

    @property
    def overridden(self) -> bool:
        """The admin answered otherwise than the evidence suggested."""
        return bool(self.evidence_answer) and self.answer != self.evidence_answer


@dataclass(frozen=True)
class LevelRow:
    level: Level
    met: bool
    score: float
    answers: list[AnswerRow]


def level_rows(answers: dict, evidence: dict) -> list[LevelRow]:
    """The questionnaire level by level, with the answers and the evidence."""
    rows = []
    for level in LEVELS[1:]:
        rows.append(
            LevelRow(
                level=level,
                met=level_met(level.number, answers),
                score=level_score(level.number, answers),
                answers=[
                    AnswerRow(
                        question=question,
                        answer=answers.get(question.key),
                        evidence_answer=(evidence.get(question.key) or {}).get(
                            "answer"
                        ),
                        evidence_text=evidence_text(
                            question.key, evidence.get(question.key)
                        ),
                    )
                    for question in questions_of(level.number)
                ],
            )
        )
    return rows
