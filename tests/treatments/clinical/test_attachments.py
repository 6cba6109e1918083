"""Attachments: what is accepted (by content, within the size limit), where it is stored, who may
list and download them, and that every look is audited."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.models import AuditEntry
from tests.factories import PatientFactory, PractitionerFactory
from tests.treatments.factories_practice import NOW, series_with_sessions
from treatments.clinical.filetypes import display_name, sniff
from treatments.clinical.services.attachments import attachment_add
from treatments.models import Attachment, SessionRecord

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.ATTACHMENTS_DIR = str(tmp_path / "attachments")
    settings.ATTACHMENT_MAX_MB = 1
    with time_machine.travel(NOW, tick=False):
        yield tmp_path / "attachments"


@pytest.fixture
def patient():
    return PatientFactory(first_name="Ada", last_name="Lovelace")


def list_url(patient) -> str:
    return f"/practice/patients/{patient.pk}/attachments/"


def upload(client, patient, name, content, kind="imaging", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf"), **extra}
    return client.post(list_url(patient), data)


@pytest.mark.parametrize("head, expected", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_the_type_is_read_from_the_first_bytes(head, expected):
    assert sniff(head[:8])[0] == expected


def test_a_file_that_only_claims_to_be_a_pdf_is_not_one():
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None
    assert sniff(b"<html><script>") is None


@pytest.mark.parametrize(
    "given, shown",
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("scan.exe", "scan.pdf"),
        ("\x00\x1bbad\nname.pdf", "badname.pdf"),
        ("", "attachment.pdf"),
        ("..", "attachment.pdf"),
    ],
)
def test_the_name_given_is_only_a_harmless_label(given, shown):
    assert display_name(given, extension="pdf") == shown


def test_a_practitioner_attaches_a_pdf_to_a_patient_and_it_is_stored_outside_static(
    practitioner_client, patient, storage
):
    response = upload(practitioner_client, patient, "../../x.pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.title == "x.pdf" and attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF) and attachment.record is None
    stored = storage / attachment.stored_name
    assert stored.read_bytes() == PDF
    assert ".." not in attachment.stored_name and "x.pdf" not in attachment.stored_name
    page = practitioner_client.get(list_url(patient)).content.decode()
    assert "x.pdf" in page and "Imaging report" in page


def test_a_photo_attached_to_a_session_record(practitioner_client, practitioner_user):
    me = PractitionerFactory(user=practitioner_user)
    series = series_with_sessions(practitioner=me, pains=[7])
    record = SessionRecord.objects.get(appointment__series=series)
    response = upload(practitioner_client, series.patient, "knee.png", PNG, kind="photo", record=str(record.pk))
    assert response.status_code == 302
    assert Attachment.objects.get().record == record


def test_another_patients_session_cannot_be_chosen(practitioner_client, practitioner_user, patient):
    series = series_with_sessions(practitioner=PractitionerFactory(user=practitioner_user), pains=[7])
    record = SessionRecord.objects.get(appointment__series=series)
    response = upload(practitioner_client, patient, "knee.png", PNG, kind="photo", record=str(record.pk))
    assert response.status_code == 400
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 100, "Only PDF, JPEG and PNG files are accepted"),
        ("photo.jpg", b"<svg onload=alert(1)>", "Only PDF, JPEG and PNG files are accepted"),
        ("big.pdf", PDF + b"\x00" * (1024 * 1024), "The file is too large: at most 1 MB"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_refused_file_says_why_and_nothing_is_stored(practitioner_client, patient, storage, name, content, message):
    response = upload(practitioner_client, patient, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not storage.exists() or not any(p.is_file() for p in storage.rglob("*"))


def test_the_download_is_an_attachment_never_cached_and_audited(practitioner_client, patient):
    upload(practitioner_client, patient, "letter.pdf", PDF, kind="referral")
    attachment = Attachment.objects.get()
    response = practitioner_client.get(f"/practice/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;") and "letter.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    views = AuditEntry.objects.filter(object_type="treatments.attachment", object_id=str(attachment.pk), action="view")
    assert [entry.patient_id for entry in views] == [patient.pk]
    # Last: closing a streamed response sends request_finished, which closes the database connection.
    response.close()


def test_listing_is_audited(practitioner_client, patient):
    practitioner_client.get(list_url(patient))
    assert AuditEntry.objects.filter(object_type="treatments.attachment", patient_id=patient.pk).exists()


def test_the_desk_never_sees_clinical_attachments(desk_client, practitioner_user, patient):
    mri = SimpleUploadedFile("mri.pdf", PDF)
    attachment = attachment_add(patient=patient, upload=mri, kind="imaging", user=practitioner_user, now=NOW)
    assert desk_client.get(list_url(patient)).status_code == 403
    assert desk_client.get(f"/practice/attachments/{attachment.pk}/download/").status_code == 403
    assert upload(desk_client, patient, "x.pdf", PDF).status_code == 403
    assert Attachment.objects.count() == 1
    page = desk_client.get(f"/desk/patients/{patient.pk}/").content.decode()
    assert "mri.pdf" not in page


def test_anonymous_is_sent_to_login(client, patient):
    assert client.get(list_url(patient)).status_code == 302
    assert client.get("/practice/attachments/1/download/").status_code == 302


def test_a_missing_attachment_or_patient_is_404(admin_client_):
    assert admin_client_.get("/practice/attachments/999999/download/").status_code == 404
    assert admin_client_.get("/practice/patients/999999/attachments/").status_code == 404
