"""Django admin: head office maintains branches, townships, villages, groups and staff here."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Branch,
    Customer,
    FamilyMember,
    PersonalDataAccess,
    Township,
    User,
    Village,
    VillageGroup,
)
from .movement_models import MovementRules
from .versions import VersionedModelForm

# Branches, villages (with their owners) and staff (with role and branches) keep a change
# history: their admin "history" page lists each change, field by field, who and when.


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("name", "branch")
    list_filter = ("branch",)
    search_fields = ("name",)


class VillageGroupInline(admin.TabularInline):
    model = VillageGroup
    extra = 0


class VillageForm(VersionedModelForm):
    class Meta:
        model = Village
        fields = "__all__"


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    form = VillageForm
    list_display = ("code", "name", "township", "registered_households", "informant_name")
    list_filter = ("township__branch", "township")
    search_fields = ("code", "name", "informant_name")
    filter_horizontal = ("owners",)
    list_select_related = ("township",)
    inlines = [VillageGroupInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "version",
                    "township",
                    "code",
                    "name",
                    "registered_households",
                    ("latitude", "longitude"),
                )
            },
        ),
        (_("People"), {"fields": ("owners", ("informant_name", "informant_phone"))}),
        (_("The seven ones"), {"fields": ("has_board", "has_service_point")}),
    )


class PasswordSetByHeadOfficeForm(AdminPasswordChangeForm):
    """A password head office sets is known to two people: its owner replaces it at login."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    """Staff, with the history of roles and branches; no revert (history keeps no password)."""

    list_display = ("username", "display_name", "role", "staff_no", "is_active")
    list_filter = ("role", "is_active", "branches")
    search_fields = ("username", "display_name", "staff_no")
    filter_horizontal = ("branches",)
    fieldsets = (
        # Django's groups and permissions are not used: the role grants what one may do.
        *(
            (
                name,
                {
                    **opts,
                    "fields": tuple(
                        f for f in opts["fields"] if f not in ("groups", "user_permissions")
                    ),
                },
            )
            for name, opts in BaseUserAdmin.fieldsets
        ),
        (_("Bank"), {"fields": ("display_name", "role", "staff_no", "phone", "branches")}),
        (_("Login"), {"fields": ("must_change_password",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Bank"), {"fields": ("display_name", "role", "staff_no", "phone", "branches")}),
    )

    actions = ("unlock", "reset_second_factor")

    @admin.action(description=_("Lift the login lockout of the people chosen"))
    def unlock(self, request, queryset):
        from axes.utils import reset

        n = sum(reset(username=user.username) for user in queryset)
        self.message_user(
            request, _("%(n)s failed login records removed: they may log in again.") % {"n": n}
        )

    @admin.action(description=_("Reset the second factor (set up again at the next login)"))
    def reset_second_factor(self, request, queryset):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        n, _by_model = TOTPDevice.objects.filter(user__in=queryset).delete()
        self.message_user(
            request,
            _("%(n)s authenticator devices removed: they set one up at their next login.")
            % {"n": n},
        )

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted old version even with revert disabled; a staff
        # member rebuilt from history would lose the password hash. Look, never save.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    change_password_form = PasswordSetByHeadOfficeForm

    def save_model(self, request, obj, form, change):
        if not change:  # a new account's password was typed by head office
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    exclude = ("id_number",)  # full ID numbers stay on the scoped customer page


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    """Read-mostly view for head office; the survey form is the place to edit."""

    list_display = ("name", "customer_type", "village", "masked_id", "masked_phone", "archived_on")
    list_filter = ("customer_type", "village__township__branch")
    search_fields = ("name", "=id_number", "=phone", "=credit_code")
    list_select_related = ("village",)
    raw_id_fields = ("village", "group", "filed_by")
    inlines = [FamilyMemberInline]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log, to read only: nobody adds, changes or deletes a row of it."""

    list_display = ("at", "username", "action", "customer", "address", "detail")
    list_filter = ("action",)
    list_select_related = ("customer",)
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MovementRules)
class MovementRulesAdmin(admin.ModelAdmin):
    """Head office's thresholds for large movements (DOMAIN.md §5.5), versioned by date."""

    list_display = (
        "effective_from",
        "corporate_notice_above",
        "corporate_follow_up_from",
        "village_key_from",
        "note",
    )
    exclude = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# Roles (User.role) grant what a person may do, not Django's groups and permissions; the
# tasks' own result rows are followed on the jobs' pages; a lockout is lifted and a lost
# authenticator reset from the staff list (the actions above). The libraries' own pages
# for these are English only, and none of them is head office's work.
admin.site.unregister(Group)
for _model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
try:
    from django_tasks_db.models import DBTaskResult
except ImportError:  # pragma: no cover - the backend is a requirement
    DBTaskResult = None
if DBTaskResult is not None and admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
