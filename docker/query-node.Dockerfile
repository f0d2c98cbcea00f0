# The docfusiondb query node image. Build from the repository root:
#   docker build -f docker/query-node.Dockerfile -t docfusiondb:dev .
# (Not built in this repository's CI: no container engine runs there.)
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p docfusiondb --bin docfusiondb

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 docfusion \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin docfusion \
 && mkdir -p /var/lib/docfusion && chown 10001:10001 /var/lib/docfusion
COPY --from=build /src/target/release/docfusiondb /usr/local/bin/docfusiondb
USER 10001:10001
WORKDIR /var/lib/docfusion
EXPOSE 5433 8433
ENTRYPOINT ["/usr/local/bin/docfusiondb"]
CMD ["serve", "--config", "/etc/docfusion/docfusiondb.yaml"]
