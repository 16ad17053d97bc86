# A slim runtime image that runs `hotline serve`.
#   docker build -t hotline .
#   docker run -p 8080:8080 -v hotline-var:/app/var -e HOTLINE_SECRET_KEY=... hotline
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOTLINE_HOST=0.0.0.0 HOTLINE_PORT=8080 \
    HOTLINE_CONTENT_DIR=/app/content HOTLINE_LOCALES_DIR=/app/locales \
    HOTLINE_VAR_DIR=/app/var HOTLINE_DATABASE_URL=sqlite:////app/var/hotline.db

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --home /app hotline
COPY content ./content
COPY locales ./locales
RUN pybabel compile -D messages -d locales && mkdir -p var && chown hotline var

USER hotline
VOLUME ["/app/var"]
EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["sh", "-c", "hotline db upgrade && exec hotline serve"]
