from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Checks login name and password only.

    Sifu's permissions come from role grants through `rules` (sifu.core.permissions), never from
    Django's per-user and per-group model permissions; not asking for them saves two queries on
    every page that checks a permission the user lacks. Superusers still pass every check
    (PermissionsMixin answers for them before asking any backend).
    """

    def user_can_authenticate(self, user):
        """The system actor (``User.is_system``) never signs in."""
        return super().user_can_authenticate(user) and not getattr(user, "is_system", False)

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
