# auth0-connector: Native AOT build (SDK stage) and a minimal, non-root runtime image.
#
#   docker build --network host -t auth0-connector:0.1.0 .
#   docker run --rm auth0-connector:0.1.0 spec
#
# Builds with the classic builder as well as BuildKit: no RUN --mount, no heredocs.
# The base images are build arguments; scripts/docker-smoke.sh builds local ones (Debian
# debootstrap) for machines that cannot pull from a registry.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
# The chiseled runtime-deps image: glibc, OpenSSL, CA certificates and a non-root user, no shell
# or package manager (the default Debian/Ubuntu runtime-deps image works too, but is larger).
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled

FROM ${SDK_IMAGE} AS build
ARG RID=linux-x64
# Native AOT links with the platform C toolchain (clang, or gcc); the plain SDK image has none.
RUN if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then \
      apt-get update \
      && apt-get install -y --no-install-recommends clang zlib1g-dev \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
# Restore first (cached while only sources change).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Auth0Connector/Auth0Connector.csproj src/Auth0Connector/
RUN dotnet restore src/Auth0Connector/Auth0Connector.csproj -r "$RID" -p:PublishAot=true
COPY src/Auth0Connector/ src/Auth0Connector/
RUN dotnet publish src/Auth0Connector/Auth0Connector.csproj -c Release -r "$RID" -p:PublishAot=true \
      --no-restore -nologo -o /out \
    && /out/auth0-connector --version \
    && mkdir -p /airbyte

FROM ${RUNTIME_IMAGE}
# Must equal <Version> in Directory.Build.props (scripts/docker-smoke.sh checks it).
ARG CONNECTOR_VERSION=0.1.0
ARG CONNECTOR_NAME=auth0-connector
# The non-root user of Microsoft's images (app, 1654); numeric, so no passwd entry is needed.
ARG APP_UID=1654
LABEL io.airbyte.name="${CONNECTOR_NAME}" \
      io.airbyte.version="${CONNECTOR_VERSION}" \
      org.opencontainers.image.title="${CONNECTOR_NAME}" \
      org.opencontainers.image.version="${CONNECTOR_VERSION}" \
      org.opencontainers.image.description="Airbyte-protocol source connector for Auth0 (Native AOT)"
# Only the stripped binary: no .dbg, no SDK, no sources.
COPY --from=build /out/auth0-connector /usr/local/bin/auth0-connector
# A writable working directory for the connector's user.
COPY --from=build --chown=${APP_UID}:${APP_UID} /airbyte /airbyte
WORKDIR /airbyte
USER ${APP_UID}:${APP_UID}
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/auth0-connector"
ENTRYPOINT ["/usr/local/bin/auth0-connector"]
