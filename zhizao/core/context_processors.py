from django.conf import settings
from django.utils.functional import SimpleLazyObject

from zhizao.core.roles import is_city_admin


def platform(request):
    """Values every page's frame needs: the default plan for the menu, the user's standing, and
    how many notifications wait unread (counted only when a page shows it)."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "default_plan_code": settings.ZHIZAO_DEFAULT_PLAN,
        "user_is_city_admin": is_city_admin(user),
        "unread_notifications": SimpleLazyObject(unread),
    }
