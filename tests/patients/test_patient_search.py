"""The desk's patient search (issue 14): first name, last name, e-mail, any 4+ digits of a phone
number; numbers shown in the clinic country's format."""

import pytest
from django.test import override_settings

from patients.phones import phone_display
from patients.selectors import patient_search, patient_search_rows, search_kind
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jane():
    PatientFactory(first_name="Bob", last_name="Smith", phone="+13125550999", email="bob@example.com")
    PatientFactory(first_name="Janet", last_name="Okafor", phone="+17735550100", email="janet@example.org")
    return PatientFactory(first_name="Jane", last_name="Doe", phone="+13125550123", email="jane.doe@example.com")


def _names(query: str) -> list[str]:
    return [p.full_name for p in patient_search(query)]


@pytest.mark.parametrize("query", ["Jane", "jan", "JANE D", "Jane Doe", "Doe", "doe, jane", "Doe J"])
def test_first_name_last_name_or_both_find_the_patient(jane, query):
    assert "Jane Doe" in _names(query)
    assert "Bob Smith" not in _names(query)


def test_a_first_name_prefix_also_finds_longer_first_names_sorted_by_last_name(jane):
    assert _names("jane") == ["Jane Doe", "Janet Okafor"]


@pytest.mark.parametrize("query", ["jane.doe@example.com", "Jane.Doe@", "jane.do", "JANE.DOE@EXAMPLE.COM"])
def test_an_email_address_or_its_beginning_finds_the_patient(jane, query):
    assert _names(query) == ["Jane Doe"]


@pytest.mark.parametrize("query", ["0123", "555-0123", "5550123", "312 555", "(312) 555-0123", "+1 312 555 0123"])
def test_any_four_or_more_digits_of_the_phone_number_find_the_patient(jane, query):
    assert "Jane Doe" in _names(query)
    assert "Janet Okafor" not in _names(query)


def test_digits_found_in_several_numbers_find_each_of_them(jane):
    assert _names("5550") == ["Jane Doe", "Janet Okafor", "Bob Smith"]


@pytest.mark.parametrize("query", ["012", "12", "x1"])
def test_fewer_than_four_digits_or_digits_in_a_name_are_no_search(jane, query):
    assert search_kind(query)[0] == "invalid"
    assert patient_search(query) == []


def test_the_search_page_says_what_can_be_typed_when_it_cannot_search(desk_client, jane):
    page = desk_client.get("/desk/patients/", {"q": "555"}).content.decode()
    assert "four or more digits of a phone number" in page


def test_the_search_page_shows_phone_numbers_in_the_clinic_countrys_format(desk_client, jane):
    PatientFactory(first_name="Ann", last_name="Doering", phone="+442079460018")
    page = desk_client.get("/desk/patients/", {"q": "doe"}).content.decode()
    assert "<td>(312) 555-0123</td>" in page
    assert "<td>+44 20 7946 0018</td>" in page
    assert "+13125550123" not in page


@override_settings(CLINIC_COUNTRY="GB")
def test_a_clinic_in_another_country_shows_its_own_numbers_nationally():
    assert phone_display("+442079460018") == "020 7946 0018"
    assert phone_display("+13125550199") == "+1 312-555-0199"


def test_phone_display_keeps_what_it_cannot_read():
    assert phone_display("") == ""
    assert phone_display("not a number") == "not a number"
    assert phone_display("+13125550199") == "(312) 555-0199"


def test_the_patient_page_shows_the_formatted_number(desk_client, jane):
    page = desk_client.get(f"/desk/patients/{jane.pk}/").content.decode()
    assert "(312) 555-0123" in page


@pytest.mark.parametrize("count", [1, 60])
def test_the_results_page_costs_the_same_queries_however_many_match(desk_client, django_assert_max_num_queries, count):
    """A common last name fills the page (50 rows): one query for them, reading only the columns
    shown, each row's links and phone built without another."""
    for n in range(count):
        PatientFactory(first_name=f"Ann{n:02d}", last_name="White", phone=f"+1312555{n:04d}")
    desk_client.get("/desk/patients/")
    # session, user, roles, the patients, clinic settings, the call-back count, session save (+2)
    with django_assert_max_num_queries(9) as captured:
        page = desk_client.get("/desk/patients/", {"q": "White"}).content.decode()
    [patients] = [q["sql"] for q in captured.captured_queries if '"patients_patient"' in q["sql"]]
    assert "emergency_contact" not in patients and "consent" not in patients  # nothing the list does not show
    assert page.count("<tr>") - 1 == min(count, 50)  # the header row and each patient's
    assert "(312) 555-0000" in page
    first = patient_search("White")[0]
    assert f'href="/desk/patients/{first.pk}/"' in page
    assert f'href="/desk/waitlist/new/?patient={first.pk}"' in page


@pytest.mark.parametrize(
    "query", ["doe", "Jane", "jane doe", "doe, j", "jane.doe@", "5550", "(312) 555-0123", "1980-02-03"]
)
def test_the_results_list_reads_the_same_patients_in_the_same_order_as_the_search(jane, query):
    PatientFactory(first_name="Ann", last_name="Doering", phone="+442079460018", email="ann@example.com")
    PatientFactory(first_name="Jane", last_name="Doe", date_of_birth="1980-02-03", phone="+13125550124")
    PatientFactory(first_name="Zoe", last_name="Doe", date_of_birth="1980-02-03", email="zoe@example.com")
    patients = patient_search(query)
    assert patients  # each query finds someone
    rows = patient_search_rows(query)
    shown = [(p.pk, p.first_name, p.last_name, p.date_of_birth, p.phone, p.email) for p in patients]
    assert [tuple(row) for row in rows] == shown


@pytest.mark.parametrize("query", ["o_b", "o%", "de la", "o'b", "anne-", "ann"])
def test_a_name_with_wildcards_or_spaces_finds_what_the_orm_finds(query):
    """The name search runs a statement compiled once (clinic.compiled_sql.Prefix): a typed "_" or
    "%" is a letter there too, never a wildcard, and a space leaves the e-mail out as before."""
    for first, last, email in [
        ("Ann", "O_Brien", "o_b@example.com"),
        ("Ann", "OxBrien", "oxb@example.com"),
        ("Ann", "O%Neil", ""),
        ("Anne-Marie", "De La Cruz", "anne@example.com"),
        ("Bo", "O'Brien", ""),
        ("Annabel", "Smith", "ann@example.com"),
    ]:
        PatientFactory(first_name=first, last_name=last, email=email)
    orm = [(p.pk, p.first_name, p.last_name) for p in patient_search(query)]
    assert orm  # each finds someone
    assert [(r.pk, r.first_name, r.last_name) for r in patient_search_rows(query)] == orm


def test_results_are_sorted_by_last_then_first_name_whatever_the_case_typed():
    for first, last in [("cleo", "Doe"), ("Ann", "doering"), ("Bob", "DOE"), ("amy", "Doe")]:
        PatientFactory(first_name=first, last_name=last)
    assert [f"{r.last_name} {r.first_name}" for r in patient_search_rows("doe")] == [
        "Doe amy",
        "DOE Bob",
        "Doe cleo",
        "doering Ann",
    ]


@pytest.mark.parametrize("query", ["", "   ", "012", "x1"])
def test_the_results_list_is_empty_when_there_is_nothing_to_search(jane, query):
    assert patient_search_rows(query) == []


def _crispy_box(query: dict | None) -> str:
    from django.template import Context, Template

    from patients.forms import PatientSearchForm

    form = PatientSearchForm(query)
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def _words(html: str) -> list[str]:
    """The markup with its layout whitespace folded (crispy's template indents its label)."""
    return html.replace("<", " <").replace(">", "> ").split()


@pytest.mark.parametrize("query", [None, {"q": "Doe"}, {"q": '"><b>x'}, {"q": "x" * 120}])
def test_the_search_box_is_the_one_crispy_forms_drew(desk_client, query):
    """The box is built by hand (patients.views._search_box_html): the same label, input, help and
    error as the form layout engine drew, the value escaped."""
    page = desk_client.get("/desk/patients/", query or {}).content.decode()
    box = page.split('<form method="get"', 1)[1].split('<button type="submit"', 1)[0].split(">", 1)[1]
    assert _words(box) == _words(_crispy_box(query))


def test_a_search_too_long_says_so_in_the_box(desk_client, jane):
    page = desk_client.get("/desk/patients/", {"q": "Doe" * 40}).content.decode()
    assert "Ensure this value has at most 100 characters (it has 120)." in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_q_helptext id_q_error"' in page
    assert "Jane" not in page.split("</form>", 1)[1]  # no results for what was refused
