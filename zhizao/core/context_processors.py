from django.conf import settings

from zhizao.core.roles import is_city_admin


def platform(request):
    """Values every page's frame needs: the default plan for the menu, and the user's standing."""
    return {
        "default_plan_code": settings.ZHIZAO_DEFAULT_PLAN,
        "user_is_city_admin": is_city_admin(getattr(request, "user", None)),
    }
