# orderdesk in a container: a build stage with the Rust toolchain, then a
# small runtime stage holding only the binary, CA certificates (for the
# Graph API and payment providers over HTTPS) and a non-root user.
#
#   docker build -t orderdesk .
#   docker run -p 8080:8080 -v orderdesk-data:/data \
#     -e WHATSAPP_APP_SECRET=… -e WHATSAPP_VERIFY_TOKEN=… orderdesk
#
# Data (the SQLite database, its backups, ACME certificates) lives in the
# /data volume. For PostgreSQL see compose.yaml.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
# --locked: exactly the dependency versions of Cargo.lock.
RUN cargo build --release --locked -p orderdesk \
 && cp target/release/orderdesk /usr/local/bin/orderdesk \
 && strip /usr/local/bin/orderdesk

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin orderdesk \
 && mkdir -p /data \
 && chown orderdesk:orderdesk /data
COPY --from=build /usr/local/bin/orderdesk /usr/local/bin/orderdesk
USER orderdesk
WORKDIR /data
VOLUME ["/data"]
ENV ORDERDESK_DATABASE_URL=sqlite:///data/orderdesk.db \
    ORDERDESK_LISTEN=0.0.0.0:8080
EXPOSE 8080
# No curl in the image: bash's /dev/tcp asks /healthz (200 when the process
# and its database answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["orderdesk"]
CMD ["serve"]
