"""URLs of classification and follow-up."""

from django.urls import path

from . import views, views_followup

app_name = "classification"

urlpatterns = [
    path("weeks/", views.week_list, name="weeks"),
    path("branches/<int:branch_pk>/run/", views.run, name="run"),
    path("weeks/<int:pk>/", views.week_detail, name="week"),
    path("weeks/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/override/", views.override, name="override"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/lift/", views.lift, name="lift"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/propose/", views.propose, name="propose"),
]

# Layered maintenance and revisits (分层维护, 回访).
urlpatterns += [
    path("mine/", views_followup.my_customers, name="my_customers"),
    path("mine/due/", views_followup.revisits_due, name="revisits_due"),
    path("revisit-rate/", views_followup.revisit_rate, name="revisit_rate"),
    path("customers/<int:pk>/visits/new/", views_followup.visit_create, name="visit_create"),
]

# Contact plan (联络): the outbox, and head office's news, planning and sending.
from . import views_contact  # noqa: E402

urlpatterns += [
    path("contact/", views_contact.outbox, name="outbox"),
    path("contact/news/", views_contact.product_news_add, name="product_news"),
    path("contact/plan/", views_contact.plan_month, name="plan_month"),
    path("contact/send/", views_contact.send_due, name="send_due"),
]

# Dashboards and the branch summary export of a week.
from . import views_dashboard  # noqa: E402

urlpatterns += [
    path("dashboard/", views_dashboard.overview, name="dashboard"),
    path("dashboard/branches/<int:pk>/", views_dashboard.branch, name="dashboard_branch"),
    path("weeks/<int:pk>/summary.xlsx", views_dashboard.week_summary, name="week_summary"),
]
