from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their place: coordinators to planning, volunteers to their visits."""
    user = request.user
    destinations = []
    if hasattr(user, "coordinator"):
        destinations.append(("Plan visits", "Schools due a visit, the calendar and staffing.", "/plan/"))
    if hasattr(user, "volunteer"):
        destinations.append(("My visits", "Your invitations, visits and session packs.", "/me/"))
    if user.is_staff:
        destinations.append(("Data entry", "Schools, volunteers and statistics in the admin.", "/admin/"))
    if len(destinations) == 1:
        return redirect(destinations[0][2])
    return render(request, "home.html", {"destinations": destinations})
