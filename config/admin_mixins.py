"""Admin building blocks shared by the apps: history that the admin shows but never
rewrites."""

from django.contrib import admin


class ReadOnlyMixin:
    """Viewable, never added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False
