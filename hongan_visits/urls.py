"""Top-level URLs: login, admin (head office), and each app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from archives import views as archive_views
from archives.views import offline

admin.site.site_header = admin.site.site_title = "红安农商银行 进村入户"

urlpatterns = [
    path("", archive_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # The installable app: the worker is served at the root so its scope is the whole site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("", include("archives.urls")),
    path("classification/", include("classification.urls")),
    path("assessment/", include("assessment.urls")),
    path("credit/", include("credit.urls")),
    path("jobs/", include("jobs.urls")),
]
