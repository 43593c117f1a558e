"""The hiring REST API: the same visibility as the UI (independence, drafts),
errors by field and never a 500, scorecard flows, the candidate summary's numbers,
and query counts that do not grow with the data."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from hiring import services
from hiring.models import (
    AnswerRating,
    Candidate,
    Competency,
    CompetencyRating,
    HiringPolicy,
    Interview,
    InterviewKit,
    ProfileWeight,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    OpeningFactory,
    QuestionFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


# --- Helpers -----------------------------------------------------------------------


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _scorecard_url(interview, action=""):
    return f"{V1}/scorecards/{interview.scorecard.pk}/" + (
        f"{action}/" if action else ""
    )


def _summary(user, candidate) -> dict:
    response = _client(user).get(f"{V1}/candidates/{candidate.pk}/summary/")
    assert response.status_code == 200
    return response.json()


def _written_state():
    """Everything a scorecard write could touch, to compare before and after."""
    return (
        sorted(ScorecardRevision.objects.values_list("id", "overall", "summary")),
        sorted(AnswerRating.objects.values_list("id", "notes", "rating")),
        sorted(CompetencyRating.objects.values_list("id", "rating")),
        sorted(Scorecard.objects.values_list("id", "current_id")),
    )


def _full_draft(hiring, *, empathy=3, logic=3, overall=3):
    first, second = hiring.questions
    return {
        "answers": {
            str(first.pk): {"notes": "顧客の不安を先回り", "rating": empathy},
            str(second.pk): {"notes": "筋道立てて説明", "rating": logic},
        },
        "competency_ratings": {
            str(hiring.empathy.pk): empathy,
            str(hiring.logic.pk): logic,
        },
        "overall": overall,
        "summary": "安心感のある受け答え",
    }


def _bind(user, hiring):
    """`user` interviews the world's candidate too and has not submitted."""
    return schedule_interview(hiring.application, hiring.kit, user)


# --- Independence ------------------------------------------------------------------


def test_the_bound_interviewer_gets_404_for_the_panel_until_submitting(org, hiring):
    client = _client(org.interviewer)
    panel_url = _scorecard_url(hiring.panel_interview)
    assert client.get(panel_url).status_code == 404
    listed = {row["id"] for row in client.get(f"{V1}/scorecards/").json()["results"]}
    assert listed == {hiring.interview.scorecard.pk}
    summary = _summary(org.interviewer, hiring.candidate)["applications"][0]
    assert (summary["fit_score"], summary["fit_hidden"]) == (None, True)
    assert summary["recommendations"] == []
    assert all(row["ratings"] == [] for row in summary["competencies"])

    assert client.patch(
        _scorecard_url(hiring.interview), _full_draft(hiring), format="json"
    ).json()["content"]["is_draft"]
    assert client.post(_scorecard_url(hiring.interview, "submit")).status_code == 200

    body = client.get(panel_url).json()
    assert body["content"]["overall"] == 3
    assert body["interviewer"] == hiring.panelist.pk
    summary = _summary(org.interviewer, hiring.candidate)["applications"][0]
    assert summary["fit_hidden"] is False
    assert summary["fit_score"] is not None


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_those_who_decide_see_the_panel(org, hiring, role):
    user = org.by_role()[role]
    assert _client(user).get(_scorecard_url(hiring.panel_interview)).status_code == 200
    summary = _summary(user, hiring.candidate)["applications"][0]
    assert summary["fit_hidden"] is False
    assert [r["interviewer"] for r in summary["recommendations"]] == [
        hiring.panelist.pk
    ]


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_whoever_interviews_the_candidate_is_bound_whatever_their_role(
    org, hiring, role
):
    user = org.by_role()[role]
    _bind(user, hiring)
    client = _client(user)
    assert client.get(_scorecard_url(hiring.panel_interview)).status_code == 404
    listed = {row["id"] for row in client.get(f"{V1}/scorecards/").json()["results"]}
    assert hiring.panel_interview.scorecard.pk not in listed
    summary = _summary(user, hiring.candidate)["applications"][0]
    assert (summary["fit_score"], summary["fit_hidden"]) == (None, True)
    assert summary["recommendations"] == []


def test_the_policy_never_keeps_the_panel_from_plain_interviewers(org, hiring):
    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": HiringPolicy.PanelVisibility.NEVER}
    )
    fill_scorecard(hiring.interview, ratings={})
    client = _client(org.interviewer)
    assert client.get(_scorecard_url(hiring.panel_interview)).status_code == 404
    summary = _summary(org.interviewer, hiring.candidate)["applications"][0]
    assert summary["fit_hidden"] is True


def test_a_member_gets_403_and_another_manager_404(org, hiring):
    member = _client(org.member_a)
    assert member.get(f"{V1}/scorecards/").status_code == 403
    assert member.get(_scorecard_url(hiring.panel_interview)).status_code == 403
    other = _client(org.manager_b)
    assert other.get(f"{V1}/scorecards/").json()["results"] == []
    for url in (
        _scorecard_url(hiring.panel_interview),
        f"{V1}/candidates/{hiring.candidate.pk}/",
        f"{V1}/candidates/{hiring.candidate.pk}/summary/",
        f"{V1}/openings/{hiring.opening.pk}/",
        f"{V1}/interview-kits/{hiring.kit.pk}/",
        f"{V1}/interviews/{hiring.panel_interview.pk}/",
    ):
        assert other.get(url).status_code == 404, url


def test_an_outsider_writes_nothing_anywhere(org, hiring):
    # The hiring manager of another team's opening.
    OpeningFactory(
        team=org.team_b, profile=hiring.profile, hiring_manager=org.manager_b
    )
    other = _client(org.manager_b)
    fill_scorecard(hiring.interview, ratings={}, submit=False)
    before = _written_state()
    candidate_before = Candidate.objects.values().get(pk=hiring.candidate.pk)
    kit_before = list(hiring.kit.kit_questions.values_list("question_id", "position"))
    responses = [
        other.patch(_scorecard_url(hiring.interview), {"summary": "x"}, format="json"),
        other.post(_scorecard_url(hiring.interview, "submit")),
        other.post(
            _scorecard_url(hiring.panel_interview, "correct"),
            {"reason": "x"},
            format="json",
        ),
        other.patch(
            f"{V1}/interview-kits/{hiring.kit.pk}/",
            {"questions": [hiring.questions[1].pk]},
            format="json",
        ),
    ]
    assert [response.status_code for response in responses] == [404] * 4
    # Recruiter-only writes: 403 before any object is looked at.
    assert (
        other.patch(
            f"{V1}/candidates/{hiring.candidate.pk}/", {"notes": "x"}, format="json"
        ).status_code
        == 403
    )
    # Opening A is not one they see: refused on the field, as if it did not exist.
    response = other.post(
        f"{V1}/interview-kits/",
        {"opening": hiring.opening.pk, "stage": "final"},
        format="json",
    )
    assert response.status_code == 400
    assert "opening" in response.json()
    assert _written_state() == before
    assert Candidate.objects.values().get(pk=hiring.candidate.pk) == candidate_before
    assert InterviewKit.objects.count() == 1
    assert (
        list(hiring.kit.kit_questions.values_list("question_id", "position"))
        == kit_before
    )


# --- Drafts ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_anothers_draft_answers_404(org, hiring, role):
    fill_scorecard(hiring.interview, ratings={}, submit=False)
    client = _client(org.by_role()[role])
    assert client.get(_scorecard_url(hiring.interview)).status_code == 404
    listed = {row["id"] for row in client.get(f"{V1}/scorecards/").json()["results"]}
    assert hiring.interview.scorecard.pk not in listed


def test_an_open_correction_is_the_authors_alone(org, hiring):
    author = _client(hiring.panelist)
    response = author.post(
        _scorecard_url(hiring.panel_interview, "correct"),
        {"reason": "共感力を見直す"},
        format="json",
    )
    assert response.status_code == 200
    author.patch(
        _scorecard_url(hiring.panel_interview),
        {"summary": "訂正中", "overall": 1},
        format="json",
    )
    own = author.get(_scorecard_url(hiring.panel_interview)).json()
    assert (own["content"]["number"], own["content"]["is_draft"]) == (2, True)
    assert own["content"]["summary"] == "訂正中"
    assert [r["number"] for r in own["revisions"]] == [2, 1]

    seen = _client(org.recruiter).get(_scorecard_url(hiring.panel_interview)).json()
    assert (seen["content"]["number"], seen["content"]["is_draft"]) == (1, False)
    assert seen["content"]["overall"] == 3
    assert [r["number"] for r in seen["revisions"]] == [1]
    listed = _client(org.recruiter).get(f"{V1}/scorecards/").json()["results"]
    assert {row["content"]["number"] for row in listed if row["content"]} == {1}


# --- Errors by field ---------------------------------------------------------------


def test_ratings_outside_1_to_4_answer_400_per_field_and_save_nothing(org, hiring):
    client = _client(org.interviewer)
    client.patch(_scorecard_url(hiring.interview), {"summary": "a"}, format="json")
    before = _written_state()
    first, _second = hiring.questions
    response = client.patch(
        _scorecard_url(hiring.interview),
        {
            "answers": {str(first.pk): {"notes": "n", "rating": 7}},
            "competency_ratings": {str(hiring.logic.pk): 0},
            "overall": 5,
            "summary": "b",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        f"question_{first.pk}",
        f"competency_{hiring.logic.pk}",
        "overall",
    }
    assert errors["overall"] == ["A rating is a whole number from 1 to 4."]
    assert _written_state() == before


def test_malformed_scorecard_input_is_a_400_not_a_500(org, hiring):
    client = _client(org.interviewer)
    url = _scorecard_url(hiring.interview)
    bad_bodies = [
        {"answers": {"abc": {"rating": 3}}},
        {"answers": {str(hiring.questions[0].pk): {"rating": "high"}}},
        {"answers": {"999999": {"rating": 3}}},
        {"competency_ratings": {"999999": 3}},
        {"competency_ratings": ["not", "a", "map"]},
        {"overall": 2.5},
    ]
    for body in bad_bodies:
        assert client.patch(url, body, format="json").status_code == 400, body


def test_weights_outside_1_to_5_answer_400_on_each_weight(org, hiring):
    client = _client(org.admin)
    response = client.post(
        f"{V1}/success-profiles/",
        {
            "name": "目標達成",
            "weights": [
                {"competency": hiring.empathy.pk, "weight": 6},
                {"competency": hiring.logic.pk, "weight": 3},
                {"competency": 999999, "weight": 0},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    # Keyed by the position of each weight in the list.
    weights = response.json()["weights"]
    assert weights["0"] == {"weight": ["A weight is a whole number from 1 to 5."]}
    assert "1" not in weights
    assert set(weights["2"]) == {"competency", "weight"}
    assert not SuccessProfile.objects.filter(name="目標達成").exists()

    response = client.patch(
        f"{V1}/success-profiles/{hiring.profile.pk}/",
        {"weights": [{"competency": hiring.empathy.pk, "weight": 0}]},
        format="json",
    )
    assert response.status_code == 400
    assert "weight" in response.json()["weights"]["0"]
    assert dict(hiring.profile.weights.values_list("competency_id", "weight")) == {
        hiring.empathy.pk: 5,
        hiring.logic.pk: 3,
    }


def test_a_profile_needs_a_weight_and_one_per_competency(org, hiring):
    client = _client(org.admin)
    for weights in (
        [],
        [
            {"competency": hiring.empathy.pk, "weight": 2},
            {"competency": hiring.empathy.pk, "weight": 3},
        ],
    ):
        response = client.post(
            f"{V1}/success-profiles/",
            {"name": "新しい型", "weights": weights},
            format="json",
        )
        assert response.status_code == 400
        assert "weights" in response.json()


# --- Submit and correct ------------------------------------------------------------


def test_a_submit_with_missing_ratings_lists_each_and_keeps_the_draft(org, hiring):
    client = _client(org.interviewer)
    first, second = hiring.questions
    client.patch(
        _scorecard_url(hiring.interview),
        {
            "answers": {str(first.pk): {"notes": "丁寧", "rating": 3}},
            "summary": "途中",
        },
        format="json",
    )
    response = client.post(_scorecard_url(hiring.interview, "submit"))
    assert response.status_code == 400
    assert set(response.json()) == {
        f"question_{second.pk}",
        f"competency_{hiring.empathy.pk}",
        f"competency_{hiring.logic.pk}",
        "overall",
    }
    body = client.get(_scorecard_url(hiring.interview)).json()
    assert body["is_submitted"] is False
    assert body["content"]["summary"] == "途中"
    assert body["content"]["answers"] == [
        {"question": first.pk, "notes": "丁寧", "rating": 3}
    ]


def test_submit_then_correct_then_submit_keeps_every_revision(org, hiring):
    client = _client(org.interviewer)
    url = _scorecard_url(hiring.interview)
    client.patch(url, _full_draft(hiring, empathy=2, logic=3), format="json")
    submitted = client.post(_scorecard_url(hiring.interview, "submit")).json()
    assert submitted["is_submitted"] is True
    assert submitted["content"]["is_draft"] is False

    # Submitted is final: a draft save is refused until a correction is opened.
    response = client.patch(url, {"summary": "後から"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()

    response = client.post(
        _scorecard_url(hiring.interview, "correct"), {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()

    response = client.post(
        _scorecard_url(hiring.interview, "correct"),
        {"reason": "共感力の評価を誤記"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["content"]["number"] == 2
    client.patch(
        url,
        {
            "answers": {
                str(hiring.questions[0].pk): {"notes": "訂正", "rating": 4},
            },
            "competency_ratings": {str(hiring.empathy.pk): 4},
        },
        format="json",
    )
    body = client.post(_scorecard_url(hiring.interview, "submit")).json()
    assert body["content"]["number"] == 2
    assert {
        r["competency"]: r["rating"] for r in body["content"]["competency_ratings"]
    }[hiring.empathy.pk] == 4
    history = [
        (r["number"], r["created_by"], r["reason"], r["is_draft"])
        for r in body["revisions"]
    ]
    assert history == [
        (2, org.interviewer.pk, "共感力の評価を誤記", False),
        (1, org.interviewer.pk, "", False),
    ]
    assert all(r["created_at"] and r["submitted_at"] for r in body["revisions"])

    # The panel reads the corrected revision, with the same history.
    seen = _client(org.recruiter).get(url).json()
    assert seen["content"]["number"] == 2
    assert [r["number"] for r in seen["revisions"]] == [2, 1]


def test_only_the_author_writes_a_visible_scorecard(org, hiring):
    client = _client(org.admin)
    before = _written_state()
    assert (
        client.patch(
            _scorecard_url(hiring.panel_interview), {"summary": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post(_scorecard_url(hiring.panel_interview, "submit")).status_code == 403
    )
    assert _written_state() == before


def test_clearing_the_overall_recommendation(org, hiring):
    client = _client(org.interviewer)
    url = _scorecard_url(hiring.interview)
    client.patch(url, {"overall": 2}, format="json")
    assert (
        client.patch(url, {"summary": "s"}, format="json").json()["content"]["overall"]
        == 2
    )
    assert (
        client.patch(url, {"overall": None}, format="json").json()["content"]["overall"]
        is None
    )


# --- The candidate summary ---------------------------------------------------------


def test_the_summary_matches_a_hand_computed_fit_score(org, hiring):
    numbers = CompetencyFactory(name="数値意識", name_en="Numbers")
    ProfileWeight.objects.create(profile=hiring.profile, competency=numbers, weight=2)
    # Panelist: empathy 4, logic 2. Interviewer: empathy 3, logic 4.
    fill_scorecard(
        hiring.interview, ratings={hiring.empathy: 3, hiring.logic: 4}, overall=4
    )
    late = schedule_interview(
        hiring.application, hiring.kit, UserFactory(roles=[Role.INTERVIEWER])
    )
    fill_scorecard(late, ratings={hiring.empathy: 1, hiring.logic: 1}, submit=False)

    summary = _summary(org.recruiter, hiring.candidate)
    assert summary["candidate"] == hiring.candidate.pk
    (row,) = summary["applications"]
    # Means: empathy (4+3)/2 = 3.5, logic (2+4)/2 = 3; numbers not assessed.
    # fit = 100 × (5·(3.5−1)/3 + 3·(3−1)/3) ÷ (5+3) = 1850/24 = 77.08… → 77.1
    assert row["fit_score"] == 77.1
    assert row["fit_hidden"] is False
    competencies = {c["competency"]: c for c in row["competencies"]}
    assert competencies[hiring.empathy.pk]["weight"] == 5
    assert competencies[hiring.empathy.pk]["mean"] == 3.5
    assert competencies[hiring.empathy.pk]["disagreement"] is False
    assert competencies[hiring.logic.pk]["mean"] == 3.0
    assert competencies[hiring.logic.pk]["disagreement"] is True
    assert sorted(r["rating"] for r in competencies[hiring.logic.pk]["ratings"]) == [
        2,
        4,
    ]
    assert competencies[numbers.pk]["assessed"] is False
    assert competencies[numbers.pk]["mean"] is None
    assert row["not_assessed"] == [
        {"competency": numbers.pk, "competency_name": "Numbers"}
    ]
    assert sorted(
        (r["interviewer"], r["overall"]) for r in row["recommendations"]
    ) == sorted([(hiring.panelist.pk, 3), (org.interviewer.pk, 4)])
    # The draft counts nowhere, and shows as a missing scorecard.
    assert [m["interview"] for m in row["missing_scorecards"]] == [late.pk]


def test_the_summary_shows_decisions_with_who_and_why(org, hiring):
    services.decision_record(
        application=hiring.application,
        kind="advance",
        reason="共感力が高い",
        by=org.manager_a,
    )
    (row,) = _summary(org.admin, hiring.candidate)["applications"]
    assert [(d["kind"], d["reason"], d["decided_by"]) for d in row["decisions"]] == [
        ("advance", "共感力が高い", org.manager_a.pk)
    ]


def test_the_summary_covers_only_the_applications_the_viewer_sees(org, hiring):
    elsewhere = ApplicationFactory(candidate=hiring.candidate)
    admin_rows = _summary(org.admin, hiring.candidate)["applications"]
    assert {row["application"] for row in admin_rows} == {
        hiring.application.pk,
        elsewhere.pk,
    }
    manager_rows = _summary(org.manager_a, hiring.candidate)["applications"]
    assert [row["application"] for row in manager_rows] == [hiring.application.pk]
    candidate = _client(org.manager_a).get(f"{V1}/candidates/{hiring.candidate.pk}/")
    assert [a["id"] for a in candidate.json()["applications"]] == [
        hiring.application.pk
    ]


def test_an_anonymised_candidate_shows_no_personal_data(org, hiring):
    candidate = CandidateFactory(name="山田 花子", email="hanako@example.org")
    candidate.notes = "前職はサポート"
    candidate.save()
    services.candidate_erase_personal_data(
        candidate=candidate, by=org.recruiter, why=Candidate.Anonymisation.REQUEST
    )
    client = _client(org.recruiter)
    body = client.get(f"{V1}/candidates/{candidate.pk}/").json()
    assert body["anonymised"] is True
    assert {body[f] for f in ("name", "name_reading", "email", "notes")} == {""}
    assert "山田" not in str(client.get(f"{V1}/candidates/").json())
    assert (
        client.get(f"{V1}/candidates/{candidate.pk}/summary/").json()["candidate_name"]
        == ""
    )
    response = client.patch(
        f"{V1}/candidates/{candidate.pk}/", {"name": "山田 花子"}, format="json"
    )
    assert response.status_code == 400


# --- The framework, kits, openings, candidates, interviews -------------------------


def test_admins_create_and_copy_profiles(org, hiring):
    client = _client(org.admin)
    response = client.post(
        f"{V1}/success-profiles/",
        {
            "name": "コンサルティング",
            "name_en": "Consulting",
            "weights": [
                {"competency": hiring.logic.pk, "weight": 5},
                {"competency": hiring.empathy.pk, "weight": 2},
            ],
        },
        format="json",
    )
    assert response.status_code == 201
    created = response.json()
    assert [(w["competency"], w["weight"]) for w in created["weights"]] == [
        (hiring.logic.pk, 5),
        (hiring.empathy.pk, 2),
    ]
    response = client.post(
        f"{V1}/success-profiles/{created['id']}/copy/",
        {"name": "コンサルティング（CS 向け）"},
        format="json",
    )
    assert response.status_code == 201
    copy = response.json()
    assert copy["copied_from"] == created["id"]
    assert copy["weights"] == created["weights"]
    response = client.post(
        f"{V1}/success-profiles/{created['id']}/copy/",
        {"name": "コンサルティング"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()


def test_only_admins_write_the_framework(org, hiring):
    recruiter = _client(org.recruiter)
    response = recruiter.post(
        f"{V1}/competencies/", {"name": "傾聴力", "category": "skill"}, format="json"
    )
    assert response.status_code == 403
    assert not Competency.objects.filter(name="傾聴力").exists()
    response = _client(org.admin).post(
        f"{V1}/competencies/",
        {"name": "傾聴力", "name_en": "Listening", "category": "invalid"},
        format="json",
    )
    assert response.status_code == 400
    assert "category" in response.json()


def test_questions_filter_by_competency_kind_and_active(org, hiring):
    QuestionFactory(competency=hiring.empathy, kind="scenario")
    QuestionFactory(competency=hiring.empathy, kind="scenario", is_active=False)
    client = _client(org.interviewer)

    def ids(query):
        rows = client.get(f"{V1}/questions/?{query}").json()["results"]
        return {(row["competency"], row["kind"], row["is_active"]) for row in rows}

    assert ids(f"competency={hiring.empathy.pk}&kind=scenario&active=true") == {
        (hiring.empathy.pk, "scenario", True)
    }
    assert ids("active=false") == {(hiring.empathy.pk, "scenario", False)}
    assert ids(f"competency={hiring.logic.pk}") == {
        (hiring.logic.pk, "behavioural", True)
    }


def test_recruiters_write_bilingual_questions(org, hiring):
    response = _client(org.recruiter).post(
        f"{V1}/questions/",
        {
            "competency": hiring.empathy.pk,
            "kind": "scenario",
            "text": "1か月ログインのない顧客にどう接しますか？",
            "text_en": "A customer has not logged in for a month: what do you do?",
            "rubric_1": "放置する",
            "rubric_2": "メールだけ送る",
            "rubric_3": "電話で状況を聞く",
            "rubric_4": "原因を探り次の一歩を一緒に決める",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["text_en"].startswith("A customer")
    response = _client(org.interviewer).post(f"{V1}/questions/", {}, format="json")
    assert response.status_code == 403


def test_a_hiring_manager_builds_a_kit_with_ordered_questions_and_coverage(org, hiring):
    extra = QuestionFactory(competency=hiring.logic)
    client = _client(org.manager_a)
    order = [extra.pk, hiring.questions[1].pk, hiring.questions[0].pk]
    response = client.post(
        f"{V1}/interview-kits/",
        {
            "opening": hiring.opening.pk,
            "stage": "second",
            "guidance": "事例を一つ深掘り",
            "questions": order,
        },
        format="json",
    )
    assert response.status_code == 201
    kit = response.json()
    assert kit["questions"] == order
    coverage = {row["competency"]: row for row in kit["coverage"]}
    assert (
        coverage[hiring.empathy.pk]["weight"],
        coverage[hiring.empathy.pk]["questions"],
    ) == (5, 1)
    # Empathy (5) has fewer questions than the less important logic (3).
    assert coverage[hiring.empathy.pk]["warning"]
    assert coverage[hiring.logic.pk]["questions"] == 2

    response = client.patch(
        f"{V1}/interview-kits/{kit['id']}/",
        {"questions": [hiring.questions[0].pk]},
        format="json",
    )
    assert response.json()["questions"] == [hiring.questions[0].pk]
    assert response.json()["guidance"] == "事例を一つ深掘り"

    response = client.post(
        f"{V1}/interview-kits/",
        {"opening": hiring.opening.pk, "stage": "second"},
        format="json",
    )
    assert response.status_code == 400
    assert "stage" in response.json()
    response = client.patch(
        f"{V1}/interview-kits/{kit['id']}/",
        {"questions": [hiring.questions[0].pk, hiring.questions[0].pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "questions" in response.json()


def test_the_interviewer_reads_but_does_not_change_the_kit(org, hiring):
    client = _client(org.interviewer)
    assert client.get(f"{V1}/interview-kits/{hiring.kit.pk}/").status_code == 200
    response = client.patch(
        f"{V1}/interview-kits/{hiring.kit.pk}/", {"guidance": "x"}, format="json"
    )
    assert response.status_code == 403


def test_recruiters_open_positions_add_candidates_and_schedule_interviews(org, hiring):
    client = _client(org.recruiter)
    response = client.post(
        f"{V1}/openings/",
        {
            "title": "CSM（エンタープライズ）",
            "team": org.team_b.pk,
            "profile": hiring.profile.pk,
            "hiring_manager": org.manager_b.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    response = client.post(
        f"{V1}/openings/",
        {
            "title": "x",
            "team": org.team_b.pk,
            "profile": hiring.profile.pk,
            "hiring_manager": org.member_b.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "hiring_manager" in response.json()

    response = client.post(
        f"{V1}/candidates/",
        {"name": "佐藤 一郎", "email": "ichiro@example.org", "source": "agency"},
        format="json",
    )
    assert response.status_code == 201
    candidate = Candidate.objects.get(pk=response.json()["id"])
    assert candidate.created_by == org.recruiter

    application = ApplicationFactory(
        candidate=candidate, opening=hiring.opening, stage="applied"
    )
    response = client.post(
        f"{V1}/interviews/",
        {
            "application": application.pk,
            "kit": hiring.kit.pk,
            "interviewer": org.interviewer.pk,
            "scheduled_at": "2026-12-01T10:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["scorecard_submitted"] is False
    interview = Interview.objects.get(pk=body["id"])
    assert interview.scorecard.pk == body["scorecard"]
    application.refresh_from_db()
    assert application.stage == "interviewing"
    response = client.post(
        f"{V1}/interviews/",
        {
            "application": application.pk,
            "kit": hiring.kit.pk,
            "interviewer": org.interviewer.pk,
            "scheduled_at": "2026-12-02T10:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "interviewer" in response.json()


# --- Query counts ------------------------------------------------------------------


def _grow(hiring, size: int) -> None:
    """`size` more candidates for the opening, each interviewed by someone new with
    a submitted scorecard, and `size` more questions."""
    for _ in range(size):
        application = ApplicationFactory(opening=hiring.opening)
        interview = schedule_interview(
            application, hiring.kit, UserFactory(roles=[Role.INTERVIEWER])
        )
        fill_scorecard(interview, ratings={hiring.empathy: 4})
        QuestionFactory(competency=hiring.logic)


LISTS = [
    "competencies",
    "success-profiles",
    "questions",
    "interview-kits",
    "openings",
    "candidates",
    "interviews",
    "scorecards",
]


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow(
    org, hiring, django_assert_max_num_queries, path, size
):
    _grow(hiring, size)
    client = _client(org.recruiter)
    with django_assert_max_num_queries(10):
        response = client.get(f"{V1}/{path}/")
    assert response.status_code == 200
    assert response.json()["count"] >= 1


@pytest.mark.parametrize("size", [1, 8])
def test_an_authors_scorecard_list_with_drafts_does_not_grow(
    org, hiring, django_assert_max_num_queries, size
):
    author = UserFactory(roles=[Role.INTERVIEWER])
    for _ in range(size):
        application = ApplicationFactory(opening=hiring.opening)
        fill_scorecard(
            schedule_interview(application, hiring.kit, author),
            ratings={},
            submit=False,
        )
    with django_assert_max_num_queries(10):
        rows = _client(author).get(f"{V1}/scorecards/").json()["results"]
    assert len(rows) == size
    assert all(row["content"]["is_draft"] for row in rows)


@pytest.mark.parametrize("size", [1, 8])
def test_summary_queries_do_not_grow_with_scorecards(
    org, hiring, django_assert_max_num_queries, size
):
    for _ in range(size):
        interview = schedule_interview(
            hiring.application, hiring.kit, UserFactory(roles=[Role.INTERVIEWER])
        )
        fill_scorecard(interview, ratings={hiring.empathy: 2, hiring.logic: 4})
    client = _client(org.manager_a)
    with django_assert_max_num_queries(16):
        response = client.get(f"{V1}/candidates/{hiring.candidate.pk}/summary/")
    (row,) = response.json()["applications"]
    assert len(row["recommendations"]) == size + 1
