from django.conf import settings
from django.utils.functional import SimpleLazyObject

from zhizao.core.inbox import waiting_total
from zhizao.core.menu import menu_for
from zhizao.core.roles import is_city_admin


def platform(request):
    """Values every page's frame needs: the default plan for the menu, the user's standing, the
    menu items the user may use, and how many notifications and to-do items wait (counted only
    when a page shows them: one query for the to-do items, one for the notifications)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated

    def unread() -> int:
        if not signed_in:
            return 0
        return user.notifications.filter(read_at__isnull=True).count()

    def inbox_total() -> int:
        return waiting_total(user) if signed_in else 0

    return {
        "default_plan_code": settings.ZHIZAO_DEFAULT_PLAN,
        "user_is_city_admin": is_city_admin(user),
        "unread_notifications": SimpleLazyObject(unread),
        "inbox_total": SimpleLazyObject(inbox_total),
        "main_menu": SimpleLazyObject(lambda: menu_for(user) if signed_in else []),
    }
