import pytest
from django.utils import timezone

from education.models import Page, PageRevision
from education.services import page_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def role_permissions():
    # clinic's post_migrate sync runs before education's permissions exist in a fresh test database
    # (reported in docs/notes/portal.md); sync again so the Clinic admin group holds them.
    from clinic.roles import sync_role_permissions

    sync_role_permissions()


def _form(page: Page, **changes) -> dict:
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "kind": page.kind,
        "condition": page.condition,
        "order": page.order,
        "status": page.status,
        "reviewed_by": page.reviewed_by,
        "reviewed_on": page.reviewed_on.isoformat() if page.reviewed_on else "",
        "body": page.body,
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_page_save_keeps_a_revision_of_each_version(admin_user):
    page = Page(title="New", slug="new", body="first", status="draft")
    page_save(page=page, by=admin_user, now=timezone.now())
    page.body = "second"
    page_save(page=page, by=admin_user, now=timezone.now())
    assert list(page.revisions.values_list("body", flat=True)) == ["second", "first"]
    assert page.revisions.first().saved_by == admin_user


def test_admin_edit_records_a_revision_in_the_history(admin_client_, admin_user):
    page = Page.objects.get(slug="faq")
    before = page.revisions.count()
    response = admin_client_.post(
        f"/admin/education/page/{page.pk}/change/", _form(page, body=page.body + "\n\nNew answer.")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert page.revisions.count() == before + 1
    assert page.revisions.first().saved_by == admin_user
    change_page = admin_client_.get(f"/admin/education/page/{page.pk}/change/").content.decode()
    assert "History of changes" in change_page


def test_admin_preview_shows_a_draft_to_staff_only(admin_client_, client):
    page = Page.objects.create(title="Draft one", slug="draft-one", body="Draft *text*", status="draft")
    response = admin_client_.get(f"/admin/education/page/{page.pk}/preview/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in text and "<em>text</em>" in text
    client.logout()
    anonymous = client.get(f"/admin/education/page/{page.pk}/preview/")
    assert anonymous.status_code == 302


def test_desk_cannot_open_the_page_preview(desk_client):
    page = Page.objects.get(slug="faq")
    assert desk_client.get(f"/admin/education/page/{page.pk}/preview/").status_code == 302


def test_revisions_cannot_be_edited_in_the_admin(admin_client_):
    revision = PageRevision.objects.first()
    response = admin_client_.post(f"/admin/education/pagerevision/{revision.pk}/change/", {"body": "x"})
    assert response.status_code == 403


def test_save_and_preview_saves_then_opens_the_preview(admin_client_):
    page = Page.objects.get(slug="faq")
    response = admin_client_.post(
        f"/admin/education/page/{page.pk}/change/",
        {**_form(page, status="draft", body="Changed *words*"), "_preview": "Save and preview"},
        follow=True,
    )
    text = response.content.decode()
    assert "Preview — this page is: Draft." in text
    assert "Changed <em>words</em>" in text
    page.refresh_from_db()
    assert page.status == "draft" and page.revisions.first().body == "Changed *words*"


def test_admin_refuses_an_unsafe_slug_and_saves_nothing(admin_client_):
    page = Page.objects.get(slug="faq")
    before = page.revisions.count()
    response = admin_client_.post(f"/admin/education/page/{page.pk}/change/", _form(page, slug="no spaces!"))
    assert response.status_code == 200
    assert "Enter a valid “slug”" in response.content.decode()
    assert page.revisions.count() == before
