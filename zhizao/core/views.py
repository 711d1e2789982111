from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """The default plan's page is the platform's front page for now."""
    return redirect("plans:detail", code=settings.ZHIZAO_DEFAULT_PLAN)
