# The production image: one image for web (gunicorn), the Celery worker and beat; docker-compose.yml
# picks the command. Front-end packages come from the npm registry with the lockfile, Python
# packages from PyPI with exact pins; static files are collected at build time and served by
# whitenoise.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=clinic.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends npm curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache -r requirements.txt

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

COPY . .

# collectstatic needs settings to import: a throwaway key and host, used only for this step.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789-abcdefghijklmnop \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput -v 0

RUN useradd --create-home --uid 10001 prolo \
 && mkdir -p /app/var/mail /app/var/sms \
 && chown -R prolo:prolo /app/var
USER prolo

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# The access log masks patients' and practitioners' secret links (clinic/log_masks.py).
CMD ["gunicorn", "clinic.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--logger-class", "clinic.log_masks.MaskedGunicornLogger"]
