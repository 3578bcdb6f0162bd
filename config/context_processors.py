from django.http import HttpRequest


def roles(request: HttpRequest) -> dict:
    """Which parts of the site the user may reach, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_coordinator": False, "is_volunteer": False, "is_staff_user": False}
    return {
        "is_coordinator": hasattr(user, "coordinator"),
        "is_volunteer": hasattr(user, "volunteer"),
        "is_staff_user": user.is_staff,
    }
