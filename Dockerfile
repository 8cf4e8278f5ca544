# The assay container image: the static binary on a minimal base, run as a non-root user. It
# writes nothing outside the directories it is given, so it runs with a read-only root file
# system. Build from the repository root:
#   docker build -t ghcr.io/assay-compliance/assay:0.1.0 .
#   docker run --rm --read-only -v "$PWD:/src" -w /src ghcr.io/assay-compliance/assay:0.1.0 scan .
# The release workflow (ci/github/release.yml) publishes it for linux/amd64 and linux/arm64;
# the Kubernetes CronJob and the GitLab template run it.
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# musl is linked statically: the binary runs on any Linux base.
RUN cargo build --release --locked -p assay-engine --bin assay && cp target/release/assay /assay

FROM alpine:3.22
# Alpine keeps a POSIX shell for CI systems that run job scripts inside the image (GitLab CI).
COPY --from=build /assay /usr/local/bin/assay
USER 10001:10001
# Each run is one scan that exits: there is no service to probe.
HEALTHCHECK NONE
ENTRYPOINT ["assay"]
