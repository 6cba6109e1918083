"""/favicon.ico: browsers ask for it on a page that names no icon (the admin's); it leads to the
site's icon, which the browser may keep, instead of a 404 logged for every admin page."""


def test_the_icon_asked_at_the_root_leads_to_the_sites_icon(client):
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
    assert "no-store" not in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]


def test_only_get_is_answered(client):
    assert client.post("/favicon.ico").status_code == 405


def test_a_head_request_is_answered_as_a_get(client):
    assert client.head("/favicon.ico").status_code == 301
