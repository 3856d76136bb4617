"""Pages of the corporate credit customers, one module per concept; each module lists its
own URL patterns (`urlpatterns`), which credit/urls.py gathers under the app's namespace."""
