from .views import awards, dashboard, development, promotion, quality

app_name = "recognition"

urlpatterns = [
    *dashboard.urlpatterns,
    *awards.urlpatterns,
    *development.urlpatterns,
    *promotion.urlpatterns,
    *quality.urlpatterns,
]
