# s3tester conformance image.
#
#   docker build -t s3tester .
#   docker run --rm --network host \
#     -e S3_ENDPOINT=http://127.0.0.1:9000 -e S3_ACCESS_KEY -e S3_SECRET_KEY \
#     -e S3_ALT_ACCESS_KEY -e S3_ALT_SECRET_KEY -e S3_VENDOR=minio \
#     s3tester run suites/v1 --golden golden/
#
# The environment contract (mint-like) is documented in docker/entrypoint.sh and docs/ci.md.
# An empty S3_ENDPOINT is an error (exit 2): the image never picks a host for you.

ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
# The wheel carries suites/, schema/ and vendors/ as package data (see setup.py); the
# working directory of the final image gets plain copies so `run suites/v1 --golden golden/`
# works as in a checkout. golden/ may not exist yet in a fresh project.
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && mkdir -p /share/golden \
 && cp -r suites vendors schema /share/ \
 && if [ -d golden ]; then cp -r golden/. /share/golden/; fi

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="s3tester" \
      org.opencontainers.image.description="S3 API compatibility tests: YAML suites, golden files, a vendor matrix" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AWS_EC2_METADATA_DISABLED=true \
    S3TESTER_TOOLS_DIR=/s3tester/.tools
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
 && rm -rf /wheels \
 && useradd --system --uid 10001 --user-group --home-dir /s3tester --shell /usr/sbin/nologin s3tester
WORKDIR /s3tester
COPY --from=build --chown=10001:10001 /share/ /s3tester/
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/s3tester-entrypoint
USER 10001:10001
ENTRYPOINT ["s3tester-entrypoint"]
CMD ["run", "v1"]
