from .views import (
    awards,
    dashboard,
    development,
    organisation,
    planning,
    promotion,
    quality,
    revenue,
    sharing,
)

app_name = "recognition"

urlpatterns = [
    *dashboard.urlpatterns,
    *awards.urlpatterns,
    *development.urlpatterns,
    *promotion.urlpatterns,
    *quality.urlpatterns,
    *sharing.urlpatterns,
    *revenue.urlpatterns,
    *organisation.urlpatterns,
    *planning.urlpatterns,
]
