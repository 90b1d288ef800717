from django.urls import path

from review.views import PreviewLinkView

app_name = "review"

urlpatterns = [
    path("preview/<str:token>/", PreviewLinkView.as_view(), name="preview"),
]
