# mockllm in a container: docker build -t mockllm . && docker run --rm -p 8000:8000 mockllm
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCKLLM_SCENARIOS=/app/scenarios

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mockllm ./mockllm
# the playground serves the mini-program reference client (mockllm/server/ui/static links to it)
COPY clients/miniprogram/mockllm-client.js ./clients/miniprogram/
RUN pip install . && useradd --create-home --uid 10001 mockllm
# the shipped scenarios (package data) also as the folder it serves, for a mount to replace
COPY mockllm/scenarios/shipped ./scenarios

USER mockllm
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('MOCKLLM_PORT') or 8000}/_mock/health\", timeout=2)"]
CMD ["mockllm", "serve", "--host", "0.0.0.0"]
