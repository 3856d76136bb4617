"""Pages of the corporate lists."""

urlpatterns: list = []
