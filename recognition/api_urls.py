from rest_framework.routers import SimpleRouter

from .api import awards, development, metrics, promotion, revenue

router = SimpleRouter()
for module in (metrics, awards, development, promotion):
    module.register(router)

urlpatterns = router.urls + revenue.urlpatterns
