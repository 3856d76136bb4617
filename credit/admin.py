"""Head office keeps industries (with their flags) and groups in the admin; customers,
teams and figures are there read for support, changed through the pages and the import.
The cadences of §5.4 are edited here as books effective from a date."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Cadence, CadenceBook, CorporateCustomer, Group, Industry


@admin.register(Industry)
class IndustryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "key_supported", "two_up_two_control")
    list_filter = ("key_supported", "two_up_two_control")
    search_fields = ("code", "name")


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    search_fields = ("name",)


@admin.register(CorporateCustomer)
class CorporateCustomerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "branch", "industry", "size")
    list_filter = ("branch", "size")
    search_fields = ("name", "credit_code")
    list_select_related = ("branch", "industry")
    readonly_fields = ("created_at", "updated_at")


class CadenceInline(admin.TabularInline):
    model = Cadence
    extra = 0


@admin.register(CadenceBook)
class CadenceBookAdmin(admin.ModelAdmin):
    """Head office edits the cadences of §5.4 as a new book effective from a date."""

    list_display = ("effective_from", "note")
    inlines = [CadenceInline]
