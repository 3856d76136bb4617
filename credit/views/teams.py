"""Pages of the corporate teams."""

urlpatterns: list = []
