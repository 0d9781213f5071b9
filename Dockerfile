# The clinical audit environment server (OpenEnv), for containers and Hugging Face Spaces.
# Build: docker build -t trialscope-audit .
# Run:   docker run -p 8000:8000 -e TRIALSCOPE_AUDIT_TOKEN=... trialscope-audit
# The container listens on all interfaces, so TRIALSCOPE_AUDIT_TOKEN (a Space secret; several
# comma-separated, one per submitter) is required: without it the server refuses to start.
# An eval server also wants TRIALSCOPE_AUDIT_EVAL_SECRET (docs/audit_eval.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 1000 app
WORKDIR /home/app/trialscope
COPY --chown=app pyproject.toml README.md ./
COPY --chown=app src ./src
RUN pip install . && rm -rf /root/.cache

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]

# Inside a container the server must listen on all interfaces; outside, it defaults to 127.0.0.1.
CMD ["trialscope", "audit", "serve", "--host", "0.0.0.0", "--port", "8000"]
