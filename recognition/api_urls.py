from rest_framework.routers import SimpleRouter

from .api import awards, development, metrics, organisation, promotion, revenue

router = SimpleRouter()
for module in (metrics, awards, development, promotion, organisation):
    module.register(router)

urlpatterns = router.urls + revenue.urlpatterns
