"""The school's feedback pages, opened from the emailed links (no sign-in: the token is the only key).

- /feedback/<token>/rate/<n>/ (GET) asks "Send this rating?" with a button; only the POST records it.
  A link in an email is opened by mail scanners and link previews too: a GET that recorded a rating
  would let them answer for the teacher, so a GET never changes anything.
- /feedback/<token>/ the rating and the other questions, editable for `EDITABLE_DAYS` after the first
  answer.

An unknown token is 404; every request is counted against the sender's address (`LIMIT_PER_HOUR`), so
tokens cannot be guessed by trying. CSRF protection applies as everywhere (the school's browser gets
the cookie with the page).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.auth import client_address
from sessions.feedback.forms import FeedbackForm
from sessions.models import TeacherFeedback
from sessions.models.feedback import EDITABLE_DAYS, SCORES

LIMIT_PER_HOUR = 60  # feedback requests from one address; a school answers in a handful


def limited(request: HttpRequest) -> bool:
    """Count this request against its address; True once the address is over the limit."""
    key = f"feedback:{client_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count > LIMIT_PER_HOUR


def feedback_for(request: HttpRequest, token: str, *, lock: bool = False) -> TeacherFeedback:
    queryset = TeacherFeedback.objects.select_related("visit__school")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    feedback = queryset.filter(token=token).first()
    if feedback is None:
        raise Http404("No such link.")
    return feedback


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions/feedback/limited.html", status=429)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, feedback_token: str, rating: int) -> HttpResponse:
    if limited(request):
        return too_many(request)
    labels = dict(SCORES)
    if rating not in labels:
        raise Http404("No such rating.")
    if request.method == "POST":
        with transaction.atomic():
            feedback = feedback_for(request, feedback_token, lock=True)
            if feedback.is_open():
                # Idempotent: the same rating again changes nothing but the time it was last saved.
                feedback.record(rating=rating)
                messages.success(request, f"Thank you: your rating ({labels[rating].lower()}) is saved.")
        return redirect("feedback:respond", feedback_token=feedback_token)
    feedback = feedback_for(request, feedback_token)
    context = {"feedback": feedback, "visit": feedback.visit, "rating": rating, "label": labels[rating],
               "open": feedback.is_open()}
    return render(request, "sessions/feedback/rate.html", context)


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, feedback_token: str) -> HttpResponse:
    if limited(request):
        return too_many(request)
    feedback = feedback_for(request, feedback_token)
    is_open = feedback.is_open()
    form = FeedbackForm(request.POST if request.method == "POST" and is_open else None, instance=feedback)
    if request.method == "POST" and is_open and form.is_valid():
        with transaction.atomic():
            locked = feedback_for(request, feedback_token, lock=True)
            if locked.is_open():
                locked.record(**form.answers())
        messages.success(request, "Thank you: your answers are saved. You can change them until "
                                  f"{timezone.localtime(locked.closes_at()):%-d %B %Y}.")
        return redirect("feedback:respond", feedback_token=feedback_token)
    context = {"feedback": feedback, "visit": feedback.visit, "form": form, "open": is_open,
               "editable_days": EDITABLE_DAYS}
    return render(request, "sessions/feedback/respond.html", context)
