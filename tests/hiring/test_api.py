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
    # +1: the hiring policy, created on the first request, records its audit history.
    with django_assert_max_num_queries(11):
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
    # +1: the hiring policy, created on the first request, records its audit history.
    with django_assert_max_num_queries(11):
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
    # +1: the hiring policy, created on the first request, records its audit history.
    with django_assert_max_num_queries(17):
        response = client.get(f"{V1}/candidates/{hiring.candidate.pk}/summary/")
    (row,) = response.json()["applications"]
    assert len(row["recommendations"]) == size + 1


# --- Candidate filters stay within the viewer's applications -----------------------


def _candidate_ids(user, query) -> set[int]:
    response = _client(user).get(f"{V1}/candidates/?{query}")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_candidate_filters_reveal_no_application_the_viewer_does_not_see(org, hiring):
    # The world's candidate was also rejected at team B's opening.
    elsewhere = OpeningFactory(
        team=org.team_b, profile=hiring.profile, hiring_manager=org.manager_b
    )
    ApplicationFactory(candidate=hiring.candidate, opening=elsewhere, stage="rejected")
    for user in (org.interviewer, org.manager_a):
        assert _candidate_ids(user, "stage=rejected") == set()
        assert _candidate_ids(user, f"opening={elsewhere.pk}") == set()
        # What they do see still filters.
        assert _candidate_ids(user, "stage=interviewing") == {hiring.candidate.pk}
        assert _candidate_ids(user, f"opening={hiring.opening.pk}") == {
            hiring.candidate.pk
        }
    # Those who run hiring see every application, so the filter finds it.
    assert _candidate_ids(org.recruiter, "stage=rejected") == {hiring.candidate.pk}
    assert _candidate_ids(org.recruiter, f"opening={elsewhere.pk}") == {
        hiring.candidate.pk
    }


# --- A bound viewer sees their own interviews and decisions only ----------------


def _interview_rows(user, candidate) -> dict[int, bool]:
    response = _client(user).get(f"{V1}/interviews/?candidate={candidate.pk}")
    assert response.status_code == 200
    return {row["id"]: row["scorecard_submitted"] for row in response.json()["results"]}


def test_a_bound_recruiter_sees_only_their_own_interview_and_decision(org, hiring):
    own = _bind(org.recruiter, hiring)
    services.decision_record(
        application=hiring.application,
        kind="advance",
        reason="共感力が高い",
        by=org.manager_a,
    )
    client = _client(org.recruiter)
    assert _interview_rows(org.recruiter, hiring.candidate) == {own.pk: False}
    for other in (hiring.interview, hiring.panel_interview):
        assert client.get(f"{V1}/interviews/{other.pk}/").status_code == 404
    (row,) = _summary(org.recruiter, hiring.candidate)["applications"]
    assert row["decisions"] == []
    assert [m["interview"] for m in row["missing_scorecards"]] == [own.pk]

    fill_scorecard(own, ratings={})

    assert _interview_rows(org.recruiter, hiring.candidate) == {
        own.pk: True,
        hiring.interview.pk: False,
        hiring.panel_interview.pk: True,
    }
    assert client.get(f"{V1}/interviews/{hiring.interview.pk}/").status_code == 200
    (row,) = _summary(org.recruiter, hiring.candidate)["applications"]
    assert [(d["kind"], d["decided_by"]) for d in row["decisions"]] == [
        ("advance", org.manager_a.pk)
    ]
    assert [m["interview"] for m in row["missing_scorecards"]] == [hiring.interview.pk]


def _applications(user, candidate) -> list[tuple[str, bool]]:
    """(stage, whether a stage_changed_at is shown) per application, from the
    candidate's detail."""
    response = _client(user).get(f"{V1}/candidates/{candidate.pk}/")
    assert response.status_code == 200
    return [
        (row["stage"], row["stage_changed_at"] is not None)
        for row in response.json()["applications"]
    ]


def _listed_at(user, stage) -> set[int]:
    response = _client(user).get(f"{V1}/candidates/?stage={stage}")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("kind", ["offer", "reject"])
def test_a_bound_interviewer_sees_no_stage_that_hidden_decisions_produced(
    org, hiring, kind
):
    services.decision_record(
        application=hiring.application, kind=kind, reason="…", by=org.manager_a
    )
    decided = {"offer": "offer", "reject": "rejected"}[kind]
    candidate = hiring.candidate
    # Bound (nothing submitted yet): the stage their own interview needs.
    assert _applications(org.interviewer, candidate) == [("interviewing", False)]
    (row,) = _summary(org.interviewer, candidate)["applications"]
    assert (row["stage"], row["decisions"]) == ("interviewing", [])
    assert _listed_at(org.interviewer, decided) == set()
    assert _listed_at(org.interviewer, "interviewing") == {candidate.pk}
    # Whoever may see the panel sees the decision's stage.
    assert _applications(org.recruiter, candidate) == [(decided, True)]
    assert _listed_at(org.recruiter, decided) == {candidate.pk}

    fill_scorecard(hiring.interview, ratings={})

    assert _applications(org.interviewer, candidate) == [(decided, True)]
    (row,) = _summary(org.interviewer, candidate)["applications"]
    assert row["stage"] == decided
    assert _listed_at(org.interviewer, decided) == {candidate.pk}


def test_a_bound_recruiter_does_not_see_an_opening_emptied_by_a_hidden_rejection(
    org, hiring
):
    _bind(org.recruiter, hiring)
    services.decision_record(
        application=hiring.application, kind="reject", reason="…", by=org.manager_a
    )

    def counts(user):
        response = _client(user).get(f"{V1}/openings/{hiring.opening.pk}/")
        return response.json()["candidate_count"], response.json()["active_count"]

    assert counts(org.recruiter) == (1, 1)
    assert counts(org.admin) == (1, 0)


# --- Who may interview, who may manage a hire -----------------------------------


def _schedule(client, hiring, interviewer_pk):
    return client.post(
        f"{V1}/interviews/",
        {
            "application": hiring.application.pk,
            "kit": hiring.kit.pk,
            "interviewer": interviewer_pk,
            "scheduled_at": "2026-12-01T10:00:00+09:00",
        },
        format="json",
    )


@pytest.mark.parametrize("role", ["admin", "recruiter"])
def test_a_bound_scheduler_gets_the_interview_they_scheduled_and_no_panel(
    org, hiring, role
):
    scheduler = getattr(org, role)
    _bind(scheduler, hiring)
    client = _client(scheduler)
    second = InterviewKit.objects.create(opening=hiring.opening, stage="second")

    response = client.post(
        f"{V1}/interviews/",
        {
            "application": hiring.application.pk,
            "kit": second.pk,
            "interviewer": hiring.panelist.pk,
            "scheduled_at": "2026-12-01T10:00:00+09:00",
        },
        format="json",
    )

    # Was a 500: written, then read back through the scoped (hidden) queryset.
    assert response.status_code == 201
    created = Interview.objects.get(kit=second, interviewer=hiring.panelist)
    body = response.json()
    assert (body["id"], body["interviewer"], body["stage"]) == (
        created.pk,
        hiring.panelist.pk,
        "second",
    )
    assert (body["scorecard"], body["scorecard_submitted"]) == (
        created.scorecard.pk,
        False,
    )
    # Once scheduled it is the panel's: still hidden while bound.
    assert client.get(f"{V1}/interviews/{created.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "recruiter"])
def test_a_bound_scheduler_learns_nothing_of_the_panel_from_a_refusal(
    org, hiring, role
):
    scheduler = getattr(org, role)
    _bind(scheduler, hiring)
    client = _client(scheduler)
    before = Interview.objects.count()

    # The panelist already holds this stage: saying so would name the panel.
    again = _schedule(client, hiring, hiring.panelist.pk)

    assert again.status_code == 400
    body = again.json()
    assert list(body) == ["non_field_errors"]
    text = str(body)
    assert "already has this stage" not in text
    assert hiring.panelist.display_name not in text
    assert "your own scorecard" in text
    assert Interview.objects.count() == before
    # Their own interview is theirs to know about.
    own = _schedule(client, hiring, scheduler.pk)
    assert own.status_code == 400
    assert own.json()["interviewer"] == [
        "This interviewer already has this stage with this candidate."
    ]


def test_a_bound_scheduler_is_not_told_of_a_hidden_rejection(org, hiring):
    _bind(org.recruiter, hiring)
    services.decision_record(
        application=hiring.application, kind="reject", reason="…", by=org.manager_a
    )
    second = InterviewKit.objects.create(opening=hiring.opening, stage="second")
    response = _client(org.recruiter).post(
        f"{V1}/interviews/",
        {
            "application": hiring.application.pk,
            "kit": second.pk,
            "interviewer": org.interviewer.pk,
            "scheduled_at": "2026-12-01T10:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Rejected" not in str(response.json())
    assert list(response.json()) == ["non_field_errors"]


def test_only_those_who_may_interview_are_scheduled(org, hiring):
    client = _client(org.recruiter)
    retired = UserFactory(roles=[Role.INTERVIEWER], is_active=False)
    for user in (org.member_a, retired):
        response = _schedule(client, hiring, user.pk)
        assert response.status_code == 400
        assert response.json()["interviewer"] == [
            "Choose an active user with the Interviewer, Manager, Recruiter or "
            "Admin role."
        ]
    assert not Interview.objects.filter(interviewer__in=[org.member_a, retired])
    assert _schedule(client, hiring, org.manager_b.pk).status_code == 201


def test_hiring_managers_are_the_selectors_choices(org, hiring):
    from hiring import selectors

    retired = UserFactory(roles=[Role.MANAGER], is_active=False)
    candidates = [org.manager_b, org.admin, org.member_b, org.interviewer, retired]
    allowed = set(selectors.hiring_manager_choices())
    client = _client(org.recruiter)
    for user in candidates:
        response = client.patch(
            f"{V1}/openings/{hiring.opening.pk}/",
            {"hiring_manager": user.pk},
            format="json",
        )
        if user in allowed:
            assert response.status_code == 200, user
        else:
            assert response.status_code == 400, user
            assert response.json()["hiring_manager"] == [
                "Choose an active user with the Manager or Admin role."
            ]
    assert {org.manager_b, org.admin} <= allowed
    assert not {org.member_b, org.interviewer, retired} & allowed

    # A hiring manager who has lost the role stays, so that other edits pass.
    hiring.opening.refresh_from_db()
    hiring.opening.hiring_manager = org.manager_a
    hiring.opening.save()
    org.manager_a.groups.clear()
    response = client.patch(
        f"{V1}/openings/{hiring.opening.pk}/",
        {"hiring_manager": org.manager_a.pk, "description": "続投"},
        format="json",
    )
    assert response.status_code == 200
    other = OpeningFactory(team=org.team_b, profile=hiring.profile)
    response = client.patch(
        f"{V1}/openings/{other.pk}/",
        {"hiring_manager": org.manager_a.pk},
        format="json",
    )
    assert response.status_code == 400


# --- No 500 on malformed input ---------------------------------------------------


BIG = 2**64


def test_ids_that_are_no_numbers_answer_400_on_the_field(org, hiring):
    client = _client(org.interviewer)
    url = _scorecard_url(hiring.interview)
    before = _written_state()
    for field, message in (
        ("answers", "Answers are keyed by question id."),
        ("competency_ratings", "Ratings are keyed by competency id."),
    ):
        for key in ("²", "１", str(BIG), "-1", " 1"):
            value = {"rating": 3} if field == "answers" else 3
            response = client.patch(url, {field: {key: value}}, format="json")
            assert response.status_code == 400, key
            assert response.json() == {field: [message]}, key
    assert _written_state() == before

    response = _client(org.manager_a).patch(
        f"{V1}/interview-kits/{hiring.kit.pk}/",
        {"questions": [BIG, hiring.questions[0].pk]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["questions"]) == {"0"}

    response = _schedule(_client(org.recruiter), hiring, BIG)
    assert response.status_code == 400
    assert response.json()["interviewer"] == ["Not a valid id: ids are whole numbers."]


@pytest.mark.parametrize("value", [str(BIG), "9" * 40, "²", "1.5", "-1", "x"])
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("candidates", "opening"),
        ("interviews", "candidate"),
        ("interviews", "opening"),
        ("scorecards", "interviewer"),
        ("interview-kits", "opening"),
        ("openings", "team"),
        ("questions", "competency"),
    ],
)
def test_id_filters_refuse_what_is_no_id(org, hiring, path, parameter, value):
    response = _client(org.recruiter).get(f"{V1}/{path}/?{parameter}={value}")
    assert response.status_code == 400
    assert parameter in response.json()


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    hiring_paths = tuple(f"{V1}/{name}/" for name in LISTS)
    for path, operations in schema["paths"].items():
        if not path.startswith(hiring_paths):
            continue
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            ref = body.get("application/json", {}).get("schema", {}).get("$ref")
            component = (
                schema["components"]["schemas"][ref.split("/")[-1]] if ref else {}
            )
            fields = [
                name
                for name, spec in component.get("properties", {}).items()
                if not spec.get("readOnly")
            ]
            yield path, method.upper(), fields


def _q(hiring):
    return hiring.questions[0].pk


# (path, method) → (who, the object's id, a valid body to spoil field by field).
WRITES = {
    (f"{V1}/competencies/", "POST"): (
        "admin",
        None,
        lambda h: {"name": "傾聴力", "category": "skill"},
    ),
    (f"{V1}/competencies/{{id}}/", "PATCH"): ("admin", lambda h: h.empathy.pk, None),
    (f"{V1}/success-profiles/", "POST"): (
        "admin",
        None,
        lambda h: {
            "name": "新型",
            "weights": [{"competency": h.logic.pk, "weight": 3}],
        },
    ),
    (f"{V1}/success-profiles/{{id}}/", "PATCH"): (
        "admin",
        lambda h: h.profile.pk,
        None,
    ),
    (f"{V1}/success-profiles/{{id}}/copy/", "POST"): (
        "admin",
        lambda h: h.profile.pk,
        lambda h: {"name": "コピー"},
    ),
    (f"{V1}/questions/", "POST"): (
        "recruiter",
        None,
        lambda h: {
            "competency": h.empathy.pk,
            "kind": "behavioural",
            "text": "質問",
            **{f"rubric_{n}": "r" for n in range(1, 5)},
        },
    ),
    (f"{V1}/questions/{{id}}/", "PATCH"): ("recruiter", _q, None),
    (f"{V1}/interview-kits/", "POST"): (
        "manager",
        None,
        lambda h: {"opening": h.opening.pk, "stage": "second", "questions": [_q(h)]},
    ),
    (f"{V1}/interview-kits/{{id}}/", "PATCH"): ("manager", lambda h: h.kit.pk, None),
    (f"{V1}/openings/", "POST"): (
        "recruiter",
        None,
        lambda h: {
            "title": "新規",
            "team": h.opening.team_id,
            "profile": h.profile.pk,
            "hiring_manager": h.opening.hiring_manager_id,
        },
    ),
    (f"{V1}/openings/{{id}}/", "PATCH"): ("recruiter", lambda h: h.opening.pk, None),
    (f"{V1}/candidates/", "POST"): ("recruiter", None, lambda h: {"name": "新井"}),
    (f"{V1}/candidates/{{id}}/", "PATCH"): (
        "recruiter",
        lambda h: h.candidate.pk,
        None,
    ),
    (f"{V1}/interviews/", "POST"): (
        "recruiter",
        None,
        lambda h: {
            "application": h.application.pk,
            "kit": h.kit.pk,
            "interviewer": h.opening.hiring_manager_id,
            "scheduled_at": "2026-12-01T10:00:00+09:00",
        },
    ),
    (f"{V1}/interviews/{{id}}/", "DELETE"): (
        "recruiter",
        lambda h: h.interview.pk,
        None,
    ),
    (f"{V1}/scorecards/{{id}}/", "PATCH"): (
        "interviewer",
        lambda h: h.interview.scorecard.pk,
        lambda h: _full_draft(h),
    ),
    (f"{V1}/scorecards/{{id}}/submit/", "POST"): (
        "interviewer",
        lambda h: h.interview.scorecard.pk,
        None,
    ),
    (f"{V1}/scorecards/{{id}}/correct/", "POST"): (
        "panelist",
        lambda h: h.panel_interview.scorecard.pk,
        lambda h: {"reason": "誤記"},
    ),
}

GARBAGE = [
    BIG,
    -BIG,
    2**63,
    -1,
    0,
    1.5,
    True,
    None,
    "",
    "²",
    "9" * 40,
    "\x00",
    "2026-13-45T99:00:00",
    "x" * 5000,
    [],
    {},
    [BIG],
    ["²"],
    [{"competency": BIG, "weight": BIG}],
    [{"competency": "²", "weight": "²"}],
    {"²": 1},
    {str(BIG): 1},
    {"²": {"rating": "²", "notes": ["x"]}},
    {str(BIG): {"rating": BIG}},
    {"1": {"rating": BIG, "notes": {"x": 1}}},
]

WRITE_OPERATIONS = [
    (path, method, fields)
    for path, method, fields in _operations()
    if method in {"POST", "PUT", "PATCH", "DELETE"}
]


def test_every_hiring_write_is_in_the_garbage_test():
    assert {(path, method) for path, method, _ in WRITE_OPERATIONS} == set(WRITES)


@pytest.mark.parametrize(
    ("path", "method", "fields"),
    WRITE_OPERATIONS,
    ids=[f"{method} {path}" for path, method, _ in WRITE_OPERATIONS],
)
def test_garbage_to_every_hiring_write_is_never_a_500(
    org, hiring, path, method, fields
):
    who, pk, valid = WRITES[(path, method)]
    user = hiring.panelist if who == "panelist" else org.by_role()[who]
    client = _client(user)
    # Errors raise in the test client: a 500 would fail here with its traceback.
    send = getattr(client, method.lower())
    url = path.replace("{id}", str(pk(hiring))) if pk else path
    base = valid(hiring) if valid else {}
    bodies = [garbage for garbage in GARBAGE if not isinstance(garbage, dict)]
    bodies += [
        {**base, field: garbage} for field in fields or ["x"] for garbage in GARBAGE
    ]
    bodies += [{field: garbage for field in fields} for garbage in GARBAGE]
    for body in bodies:
        response = send(url, body, format="json")
        assert response.status_code < 500, (body, response.content)
    if pk:
        for bad_id in ("²", str(BIG), "9" * 40, "-1", "0"):
            response = send(path.replace("{id}", bad_id), base, format="json")
            assert response.status_code == 404, bad_id


# --- Cancelling an interview -----------------------------------------------------


def test_recruiters_cancel_an_unsubmitted_interview(org, hiring):
    fill_scorecard(hiring.interview, ratings={}, submit=False)
    scorecard_pk = hiring.interview.scorecard.pk
    response = _client(org.recruiter).delete(f"{V1}/interviews/{hiring.interview.pk}/")
    assert response.status_code == 204
    assert not Interview.objects.filter(pk=hiring.interview.pk).exists()
    assert not Scorecard.objects.filter(pk=scorecard_pk).exists()
    assert not ScorecardRevision.objects.filter(scorecard_id=scorecard_pk).exists()


def test_an_interview_with_a_submitted_scorecard_is_not_cancelled(org, hiring):
    response = _client(org.admin).delete(
        f"{V1}/interviews/{hiring.panel_interview.pk}/"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This interview has a submitted scorecard and cannot be cancelled."
        ]
    }
    assert Interview.objects.filter(pk=hiring.panel_interview.pk).exists()


def test_only_those_who_run_hiring_cancel_and_only_what_they_see(org, hiring):
    url = f"{V1}/interviews/{hiring.interview.pk}/"
    for user in (org.manager_a, org.interviewer, org.manager_b, org.member_a):
        assert _client(user).delete(url).status_code == 403
    # A recruiter bound on the candidate does not see the others' interviews.
    _bind(org.recruiter, hiring)
    assert _client(org.recruiter).delete(url).status_code == 404
    assert _client(org.recruiter).delete(f"{V1}/interviews/999999/").status_code == 404
    assert Interview.objects.filter(pk=hiring.interview.pk).exists()


# --- Drafts saved elsewhere ------------------------------------------------------


def test_a_draft_saved_elsewhere_is_not_overwritten(org, hiring):
    client = _client(org.interviewer)
    url = _scorecard_url(hiring.interview)
    first = client.patch(url, {"summary": "最初"}, format="json").json()
    seen = first["content"]["saved_at"]
    assert client.get(url).json()["content"]["saved_at"] == seen

    # This tab saves on top of what it read: fine, and it learns the new time.
    response = client.patch(
        url, {"summary": "二度目", "expected_saved_at": seen}, format="json"
    )
    assert response.status_code == 200
    latest = response.json()["content"]["saved_at"]
    assert latest != seen

    # Another tab still holding the first copy is refused, and nothing is saved.
    before = _written_state()
    response = client.patch(
        url, {"summary": "古いタブ", "expected_saved_at": seen}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        "This scorecard was changed in another window"
    )
    assert _written_state() == before

    response = client.patch(
        url, {"summary": "x", "expected_saved_at": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert "expected_saved_at" in response.json()


# --- Django's ValidationError, answered once ---------------------------------------


def test_a_django_validation_error_is_a_400_by_field():
    from django.core.exceptions import ValidationError

    from config.exceptions import api_exception_handler

    response = api_exception_handler(
        ValidationError({"__all__": ["Both or neither."], "name": ["Taken."]}), {}
    )
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["Both or neither."],
        "name": ["Taken."],
    }
    response = api_exception_handler(ValidationError("Closed."), {})
    assert (response.status_code, response.data) == (
        400,
        {"non_field_errors": ["Closed."]},
    )


# --- Submitting a scorecard never opened -------------------------------------------


def test_submitting_a_never_opened_scorecard_lists_each_missing_rating(org, hiring):
    first, second = hiring.questions
    response = _client(org.interviewer).post(_scorecard_url(hiring.interview, "submit"))
    assert response.status_code == 400
    assert response.json() == {
        f"question_{first.pk}": ["Question 1 has no rating."],
        f"question_{second.pk}": ["Question 2 has no rating."],
        f"competency_{hiring.empathy.pk}": ["The competency “Empathy” has no rating."],
        f"competency_{hiring.logic.pk}": ["The competency “Logic” has no rating."],
        "overall": ["The overall recommendation is missing."],
    }
    # Nothing was started: the scorecard is as it was scheduled.
    assert not ScorecardRevision.objects.filter(
        scorecard=hiring.interview.scorecard
    ).exists()


@pytest.mark.parametrize(
    "moment", ["2026-12-01T10:00:00+20:00", "2026-12-01T10:00:00-16:00"]
)
def test_an_interview_time_with_an_impossible_offset_is_refused_on_the_field(
    org, hiring, moment
):
    client = _client(org.recruiter)
    response = client.post(
        f"{V1}/interviews/",
        {
            "application": hiring.application.pk,
            "kit": hiring.kit.pk,
            "interviewer": org.manager_b.pk,
            "scheduled_at": moment,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["scheduled_at"] == [
        "Enter a time zone offset between −15:59 and +15:59."
    ]
    assert not Interview.objects.filter(interviewer=org.manager_b).exists()
