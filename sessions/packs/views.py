"""Session packs on the web: one visit's PDF, and batches of packs built in the background.

The PDF itself is made in `sessions/packs/pdf.py`; these views decide who may have it and wrap its bytes.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from config.access_log import log_access
from config.htmx import HtmxHttpRequest
from sessions.access import pack_batches, pack_visits, planning_areas
from sessions.models import PackBatch, PackDownload, Visit
from sessions.packs.batch import MAX_BATCH_VISITS, batch_visits
from sessions.packs.forms import BatchForm
from sessions.packs.pdf import gather, pack_filename, pack_for
from sessions.packs.tasks import build_pack_batch


def etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(","))


def serve_pdf(request: HttpRequest, visit_id: int, *, handouts_only: bool) -> HttpResponse:
    """The pack or its handouts, by the same access rule: rendered once per distinct content, then
    served from storage, revalidated by its ETag."""
    try:
        data = gather(visit_id, within=pack_visits(request.user))
    except Visit.DoesNotExist:
        raise Http404("No such visit, or not yours to see.") from None
    visit = data.visit
    key = data.handouts_key if handouts_only else data.key
    etag = f'"{key}"'
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        stored = pack_for(visit, data, handouts_only=handouts_only)
        # References only: who, which visit, which pack, when. No names or contact details copied.
        PackDownload.objects.create(user=request.user, visit=visit, pack_key=key)
        log_access(request, visit, "handouts_download" if handouts_only else "pack_download")
        response = FileResponse(
            stored.file.open("rb"),
            content_type="application/pdf",
            filename=pack_filename(data.visit, handouts_only=handouts_only),
        )
    response["ETag"] = etag
    # The pack holds contact details: no shared caches; the browser revalidates with its ETag.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@login_required
def pack(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The visit's session pack (volunteers' pages and the handouts)."""
    return serve_pdf(request, visit_id, handouts_only=False)


@require_GET
@login_required
def handouts(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The visit's pupil handouts alone, safe to photocopy: no page for adults."""
    return serve_pdf(request, visit_id, handouts_only=True)


# --- Batches

@require_http_methods(["GET", "POST"])
@login_required
def batch_new(request: HttpRequest) -> HttpResponse:
    """A coordinator asks for every pack in an area and date range as one ZIP."""
    areas = list(planning_areas(request.user).order_by("name"))
    if not areas:
        raise Http404("Only coordinators and staff build batches of packs.")
    today = timezone.localdate()
    form = BatchForm(
        request.POST or None,
        areas=areas,
        initial={"area": areas[0].pk, "first_date": today, "last_date": today + timedelta(days=13)},
    )
    if request.method == "POST" and form.is_valid():
        batch = PackBatch(
            requested_by=request.user,
            area=form.cleaned_data["area"],
            first_date=form.cleaned_data["first_date"],
            last_date=form.cleaned_data["last_date"],
        )
        count = batch_visits(batch).count()
        if count == 0:
            form.add_error(None, "There are no visits in that area between those dates.")
        elif count > MAX_BATCH_VISITS:
            form.add_error(None, f"That is {count} visits; choose fewer dates (at most {MAX_BATCH_VISITS} packs).")
        else:
            with transaction.atomic():
                batch.total = count
                batch.save()
                transaction.on_commit(lambda: build_pack_batch.enqueue(batch.pk))
            return redirect("packs:batch", batch_id=batch.pk)
    recent = PackBatch.objects.filter(requested_by=request.user).select_related("area")[:5]
    return render(request, "sessions/packs/batch_new.html", {"form": form, "recent": recent})


def batch_of(request: HttpRequest, batch_id: int) -> PackBatch:
    return get_object_or_404(pack_batches(request.user).select_related("area"), pk=batch_id)


@require_GET
@login_required
def batch_detail(request: HtmxHttpRequest, batch_id: int) -> HttpResponse:
    """The batch's progress; the progress fragment polls itself with htmx until the ZIP is ready."""
    batch = batch_of(request, batch_id)
    template_name = "sessions/packs/batch.html"
    if request.htmx:
        template_name += "#progress"
    return render(request, template_name, {"batch": batch})


@require_GET
@login_required
def batch_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batch_of(request, batch_id)
    if batch.status != PackBatch.Status.DONE or not batch.file:
        raise Http404("These packs are not ready yet.")
    filename = f"packs-{batch.area.name}-{batch.first_date:%Y-%m-%d}-to-{batch.last_date:%Y-%m-%d}.zip"
    log_access(request, batch, "pack_batch_download")
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=filename, content_type="application/zip")
