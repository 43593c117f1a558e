from rest_framework.routers import SimpleRouter

from .api import (
    awards,
    development,
    metrics,
    organisation,
    planning,
    promotion,
    revenue,
)

router = SimpleRouter()
for module in (metrics, awards, development, promotion, organisation, planning):
    module.register(router)

urlpatterns = router.urls + revenue.urlpatterns
