"""An enforced Content Security Policy on every HTML page, with no 'unsafe-inline' or 'unsafe-eval' for
scripts, and pages (ours and the admin's) that need neither: no inline script, no hx-on, no style="".

The pages come from the access matrix (every URL, opened by a role that may see it) and from the admin
(every registered model's list and add pages, and a change page for each object of the test world).
"""

import re
from pathlib import Path

import pytest
from django.contrib import admin

from tests.security.test_access_matrix import GETS, OK, ROLES, url_for

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def assert_strict(response, url):
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, f"{url}: no script-src"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
    assert "Content-Security-Policy-Report-Only" not in response, url
    html = response.content.decode()
    for attributes in SCRIPT.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, f"{url}: inline <script{attributes}>"
    assert not re.search(r"\shx-on[:-]", html), f"{url}: hx-on attribute"
    assert not re.search(r"<[^>]*\sstyle=\"", html), f"{url}: style attribute (refused by style-src)"


OPENABLE = sorted((name, next(role for role, got in zip(ROLES, GETS[name]) if got == OK))
                  for name in GETS if GETS[name] and OK in GETS[name])


@pytest.mark.parametrize(("name", "role"), OPENABLE)
def test_every_page_of_ours_has_a_strict_policy_and_no_inline_script(client, world, name, role):
    if world.users[role]:
        client.force_login(world.users[role])
    url = url_for(name, world)
    response = client.get(url)
    kind = response["Content-Type"].split(";")[0]
    if kind != "text/html":
        # Files, not pages: a browser downloads them or hands them to another app, never runs them.
        assert kind in {"text/calendar", "text/csv", "application/json", "application/pdf", "application/zip",
                        "image/x-icon"}, url
        assert response.get("Content-Disposition", "").startswith("attachment") or name in {
            "healthz", "portal:feed", "packs:pack", "favicon", "packs:handouts"}, url
        return
    assert_strict(response, url)


def test_every_admin_list_add_and_change_page_has_a_strict_policy_and_no_inline_script(client, world):
    client.force_login(world.users["superuser"])
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/"]
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
            if hasattr(model_admin, "history_view"):
                urls.append(f"{base}{first.pk}/history/")
    for url in urls:
        response = client.get(url)
        if response.status_code == 403:  # add pages the admin switches off (e.g. status changes)
            continue
        assert response.status_code == 200, url
        assert_strict(response, url)


def test_htmx_is_configured_not_to_need_eval(client):
    page = client.get("/accounts/login/").content.decode()
    assert '"allowEval": false' in page and '"allowScriptTags": false' in page


def test_no_template_of_ours_has_inline_script_hx_on_or_a_style_attribute():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for attributes in SCRIPT.findall(text):
            if "src=" not in attributes:
                found.append(f"{path.name}: <script{attributes}>")
        if re.search(r"\shx-on[:-]", text):
            found.append(f"{path.name}: hx-on")
        if re.search(r"\sstyle=", text):
            found.append(f"{path.name}: style=")
    assert found == []
