"""URLs of classification and follow-up."""

from django.urls import path

from .views import charts, contact, dashboard, followup, handover, movements, weekly

app_name = "classification"

urlpatterns = [
    path("weeks/", weekly.week_list, name="weeks"),
    path("branches/<int:branch_pk>/run/", weekly.run, name="run"),
    path("weeks/<int:pk>/", weekly.week_detail, name="week"),
    path("weeks/<int:pk>/confirm/", weekly.confirm, name="confirm"),
    path("weeks/<int:pk>/accept-proposals/", weekly.accept_proposals, name="accept_proposals"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/override/", weekly.override, name="override"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/lift/", weekly.lift, name="lift"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/propose/", weekly.propose, name="propose"),
]

# Layered maintenance and revisits (分层维护, 回访).
urlpatterns += [
    path("mine/", followup.my_customers, name="my_customers"),
    path("mine/due/", followup.revisits_due, name="revisits_due"),
    path("revisit-rate/", followup.revisit_rate, name="revisit_rate"),
    path("mine/movements/", movements.key_movements, name="key_movements"),
    path("customers/<int:pk>/visits/new/", followup.visit_create, name="visit_create"),
]

# Contact plan (联络): the outbox, and head office's news, planning and sending.
urlpatterns += [
    path("contact/", contact.outbox, name="outbox"),
    path("contact/news/", contact.product_news_add, name="product_news"),
    path("contact/plan/", contact.plan_month, name="plan_month"),
    path("contact/send/", contact.send_due, name="send_due"),
]

# Dashboards and the branch summary export of a week.
urlpatterns += [
    path("dashboard/", dashboard.overview, name="dashboard"),
    path("dashboard/branches/<int:pk>/", dashboard.branch, name="dashboard_branch"),
    path("weeks/<int:pk>/summary.xlsx", dashboard.week_summary, name="week_summary"),
]

# Staff changes: a leaving manager's villages and maintained customers in one step.
urlpatterns += [
    path("branches/<int:branch_pk>/handover/", handover.handover_page, name="handover"),
]

# Trends: charts over weeks and months with their targets.
urlpatterns += [path("charts/", charts.chart_page, name="charts")]
