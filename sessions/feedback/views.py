"""The school's feedback pages, opened from the emailed links (no sign-in: the token is the only key).

- /feedback/<token>/rate/<n>/ (GET) asks "Send this rating?" with a button; only the POST records it.
  A link in an email is opened by mail scanners and link previews too: a GET that recorded a rating
  would let them answer for the teacher, so a GET never changes anything.
- /feedback/<token>/ the rating and the other questions, editable for `EDITABLE_DAYS` after the first
  answer.

An unknown token is 404, and counted against the sender's address: after `MISSES_PER_HOUR` of them the
address gets 429 for every feedback page, so tokens cannot be guessed by trying. Answers to one link are
limited too (`POSTS_PER_LINK_PER_HOUR`). Schools often share one address (a local authority's or a
broadband consortium's), so a teacher with a good link is never held back by other schools' answers.
CSRF protection applies as everywhere (the school's browser gets the cookie with the page).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config import rate_limit
from config.auth import client_address
from sessions.feedback.forms import FeedbackForm
from sessions.models import TeacherFeedback
from sessions.models.feedback import EDITABLE_DAYS, SCORES

MISSES_PER_HOUR = 20  # unknown feedback links from one address before it is turned away
POSTS_PER_LINK_PER_HOUR = 30  # answers sent to one link; a teacher needs a handful


def guessing(request: HttpRequest) -> bool:
    """The address has tried too many unknown links this hour."""
    return rate_limit.limit_reached("feedback-miss", client_address(request) or "unknown", limit=MISSES_PER_HOUR)


def too_many_answers(token: str) -> bool:
    """Count an answer to this link; True once the link is over its limit (the cache keys are digests:
    config/rate_limit.py)."""
    return rate_limit.count("feedback-post", token) > POSTS_PER_LINK_PER_HOUR


def feedback_for(request: HttpRequest, token: str, *, lock: bool = False) -> TeacherFeedback:
    queryset = TeacherFeedback.objects.select_related("visit__school")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    feedback = queryset.filter(token=token).first()
    if feedback is None:
        rate_limit.count("feedback-miss", client_address(request) or "unknown")
        raise Http404("No such link.")
    return feedback


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions/feedback/limited.html", status=429)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, feedback_token: str, rating: int) -> HttpResponse:
    if guessing(request):
        return too_many(request)
    labels = dict(SCORES)
    if rating not in labels:
        raise Http404("No such rating.")
    if request.method == "POST":
        feedback_for(request, feedback_token)  # an unknown link is 404 before anything is counted for it
        if too_many_answers(feedback_token):
            return too_many(request)
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
    if guessing(request):
        return too_many(request)
    feedback = feedback_for(request, feedback_token)
    if request.method == "POST" and too_many_answers(feedback_token):
        return too_many(request)
    is_open = feedback.is_open()
    form = FeedbackForm(request.POST if request.method == "POST" and is_open else None, instance=feedback)
    if request.method == "POST" and is_open and form.is_valid():
        with transaction.atomic():
            locked = feedback_for(request, feedback_token, lock=True)
            saved = locked.is_open()
            if saved:
                locked.record(**form.answers())
        if saved:
            messages.success(request, "Thank you: your answers are saved. You can change them until "
                                      f"{timezone.localtime(locked.closes_at()):%-d %B %Y}.")
        return redirect("feedback:respond", feedback_token=feedback_token)
    context = {"feedback": feedback, "visit": feedback.visit, "form": form, "open": is_open,
               "editable_days": EDITABLE_DAYS}
    return render(request, "sessions/feedback/respond.html", context)
