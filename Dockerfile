# atl-lint as a container: one static binary on an empty base. Lint the working directory:
#   docker run --rm -v "$PWD:/src" ghcr.io/atl-lint/atl-lint .
# The image holds nothing but the binary: no shell, no package manager, no CA bundle (atl-lint
# makes no network connection).
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev git
WORKDIR /build
COPY . .
# On Alpine the host target is musl: the binary is static.
RUN cargo build --release --locked && strip target/release/atl-lint \
    && target/release/atl-lint --version

FROM scratch
COPY --from=build /build/target/release/atl-lint /usr/local/bin/atl-lint
# Runs as an unprivileged user: atl-lint only reads, and writes only where `--output` says.
USER 65534:65534
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/atl-lint"]
CMD ["."]
