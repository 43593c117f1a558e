from rest_framework.routers import SimpleRouter

from . import api, health_api, story_api, success_api

router = SimpleRouter()
router.register("journeys", api.JourneyViewSet, basename="journey")
router.register("steps", api.StepViewSet, basename="step")
router.register("playbooks", api.PlaybookViewSet, basename="playbook")
router.register(
    "training-modules", api.TrainingModuleViewSet, basename="training-module"
)
router.register(
    "training-assignments",
    api.TrainingAssignmentViewSet,
    basename="training-assignment",
)
router.register(
    "training-completions",
    api.TrainingCompletionViewSet,
    basename="training-completion",
)
router.register("pools", api.PoolViewSet, basename="pool")
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("step-events", api.StepEventViewSet, basename="step-event")
router.register(
    "playbook-action-ticks",
    api.PlaybookActionTickViewSet,
    basename="playbook-action-tick",
)
router.register("arr-snapshots", api.ARRSnapshotViewSet, basename="arr-snapshot")
router.register(
    "success-plans", success_api.SuccessPlanViewSet, basename="success-plan"
)
router.register(
    "success-stories", story_api.SuccessStoryViewSet, basename="success-story"
)

router.register(
    "account-health", health_api.AccountHealthViewSet, basename="account-health"
)

urlpatterns = router.urls
