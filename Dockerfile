# crmstream container image (docs/deploying.md).
#   docker build -t crmstream:0.1.0 .
#   docker run -e CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -p 9464:9464 crmstream:0.1.0
# Build stage: Debian's -dev packages (those of deploy/setup.sh less the test
# ones), CMake, `cmake --install`. Runtime stage: only the shared libraries
# the binary needs (tests/deploy checks them against the binary's NEEDED
# entries; RocksDB links statically, its compression libraries do not), a
# non-root user, the state directory as a volume.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      librdkafka-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev \
      libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libboost-dev libnlopt-dev libcsv-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCRM_BUILD_TESTS=OFF \
 && cmake --build build --target crmstream -j"$(nproc)" \
 && DESTDIR=/out cmake --install build --prefix /usr/local

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libsimdjson14 libprometheus-cpp-core1.0 libspdlog1.10 libfmt9 \
      libnlopt0 libtomlplusplus3 libsnappy1v5 zlib1g libbz2-1.0 liblz4-1 libzstd1 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 crmstream \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/crmstream \
      --no-create-home --shell /usr/sbin/nologin crmstream \
 && mkdir -p /var/lib/crmstream \
 && chown 10001:10001 /var/lib/crmstream
COPY --from=build /out/usr/local/ /usr/local/
COPY config/crmstream.toml /etc/crmstream/crmstream.toml
COPY deploy/docker/healthcheck.sh /usr/local/bin/crmstream-healthcheck
# Listen on every interface so that the health check, Prometheus and other
# containers reach /metrics; override any key with CRMSTREAM_<TABLE>_<KEY>.
ENV CRMSTREAM_CONFIG=/etc/crmstream/crmstream.toml \
    CRMSTREAM_HTTP_LISTEN_ADDRESS=0.0.0.0
USER 10001:10001
WORKDIR /var/lib/crmstream
VOLUME ["/var/lib/crmstream"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/crmstream-healthcheck"]
ENTRYPOINT ["/usr/local/bin/crmstream"]
CMD ["run"]
