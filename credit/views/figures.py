"""Pages of the corporate figures."""

urlpatterns: list = []
