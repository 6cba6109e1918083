import os
import shutil

import pytest
from django.contrib.auth.models import Group

from clinic import roles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import UserFactory, login_with_second_factor

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    have_chromium = shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and "browser_name" in callspec.params and "browser" not in item.keywords:
            # pytest-playwright took a parameter named `page` for its fixture: the test would be
            # ordered after the transactional journeys and run on a flushed database.
            raise pytest.UsageError(f"{item.nodeid}: a non-browser test asks for `page`; rename the parameter")
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "browser" in item.keywords and not have_chromium:
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture(autouse=True)
def _migration_seeds(request):
    """Transactional tests start after another one's flush: put the migration-seeded rows back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from tests.seeds import reseed

        reseed()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test hands its ids and frozen times to
    the next one, and the desk's day grid is kept under keys made of them (scheduling.day_grid)."""
    from django.core.cache import cache

    from clinic.layout_frame import forget_frames
    from treatments.scheduling.day_grid import forget_recent

    cache.clear()
    forget_recent()
    forget_frames()


def pytest_configure(config):
    """On SQLite the live server answers one request at a time. Its test database is in memory, so
    the server's threads share the test's one connection: two requests at once (a page and its
    poll) interleaved their savepoints there ("no such savepoint", the session's save refused, a
    400 in a browser test now and then). PostgreSQL gives each thread a connection of its own and
    keeps Django's threaded server."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):  # the serving thread holds them
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _user_with_role(username: str, role: str | None, **extra):
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk_user(db):
    return _user_with_role("desk", roles.FRONT_DESK)


@pytest.fixture
def practitioner_user(db):
    return _user_with_role("doc", roles.PRACTITIONER)


@pytest.fixture
def admin_user(db):
    return _user_with_role("boss", roles.CLINIC_ADMIN, is_staff=True)


@pytest.fixture
def no_role_user(db):
    return _user_with_role("nobody", None)


@pytest.fixture
def desk_client(client, desk_user):
    client.force_login(desk_user)
    return client


@pytest.fixture
def practitioner_client(client, practitioner_user):
    client.force_login(practitioner_user)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    # The clinic admin passes two-factor sign-in before any staff page (ADMIN_2FA_REQUIRED).
    return login_with_second_factor(client, admin_user)
