import pytest

from clinic.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker():
    """Point the Celery app at a port nothing listens on, then put the real broker back."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_transport_options = {"socket_connect_timeout": 1}
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved


def test_healthz_answers_200_with_json_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_broker_does_not(client, unreachable_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "broker": False}


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_when_the_filesystem_queue_is_missing(client, tmp_path):
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {"data_folder_in": str(tmp_path / "gone"), "data_folder_out": str(tmp_path)}
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
    assert response.status_code == 503
    assert response.json()["broker"] is False
