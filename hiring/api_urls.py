from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("competencies", api.CompetencyViewSet, basename="competency")
router.register(
    "success-profiles", api.SuccessProfileViewSet, basename="success-profile"
)
router.register("questions", api.QuestionViewSet, basename="question")
router.register("interview-kits", api.InterviewKitViewSet, basename="interview-kit")
router.register("openings", api.OpeningViewSet, basename="opening")
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("interviews", api.InterviewViewSet, basename="interview")
router.register("scorecards", api.ScorecardViewSet, basename="scorecard")

urlpatterns = [
    path("policy/", api.HiringPolicyView.as_view(), name="hiring-policy"),
    *router.urls,
]
