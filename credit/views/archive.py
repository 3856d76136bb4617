"""Pages of the corporate archive."""

urlpatterns: list = []
