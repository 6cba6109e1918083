import os

from django.core.wsgi import get_wsgi_application

from clinic.gc_tuning import tune_for_requests

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.local")
application = get_wsgi_application()
tune_for_requests()  # after the application is loaded: see clinic/gc_tuning.py
