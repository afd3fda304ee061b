# BinderOrleans service image: the web front end and Orleans silo, and (run with `build …`) the buildpacks build pod.
# It contains no Docker daemon: builds go to the engine whose socket is mounted (see k8s/deployment.yaml).
#
# Two ways to build it (docs/kubernetes.md):
#   - with the public base images (BuildKit, the default builder since Docker 23, or Buildah/Podman):
#       docker build -t binderorleans .
#     The base images are build arguments: SDK_BASE, ASSETS_BASE, RUNTIME_BASE.
#   - offline, without any container registry: scripts/service-image.sh [TAG] publishes the server self-contained
#     for linux-x64 on the host (NuGet only) and builds the `offline` target on top of the project's own
#     debootstrap base (OFFLINE_BASE, made by scripts/setup.sh), with the publish output as the whole context:
#       docker build --target offline -f Dockerfile CONTEXT     (CONTEXT/publish = the publish output)
#
# The offline target comes first: the classic builder builds every stage up to its target, so nothing before it may
# need a registry. BuildKit builds only the stages the target needs.
ARG OFFLINE_BASE=binderorleans-base:bookworm
ARG SDK_BASE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASSETS_BASE=node:20-bookworm-slim
ARG RUNTIME_BASE=mcr.microsoft.com/dotnet/aspnet:10.0

# Offline: the prebuilt, self-contained publish output (wwwroot/lib included) on the debootstrap base, which already
# has git, tini and ca-certificates. User `app`, uid 1654, as in Microsoft's runtime images.
FROM ${OFFLINE_BASE} AS offline
RUN useradd --uid 1654 --user-group --create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY publish/ /app/
ENV ASPNETCORE_URLS=http://0.0.0.0:8585 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    HOME=/home/app
EXPOSE 8585 11111
USER 1654
# tini as PID 1 forwards SIGTERM to the server (whose host drains on it) and reaps git's orphans.
ENTRYPOINT ["tini", "--", "/app/BinderOrleans.Server"]

# Public base images: publish with the SDK image, assets with Node.
FROM ${SDK_BASE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig BinderOrleans.sln ./
COPY src/ src/
RUN dotnet publish src/BinderOrleans.Server -c Release -o /app --nologo

FROM ${ASSETS_BASE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/copy-assets.mjs scripts/
RUN npm ci --no-audit --no-fund && node scripts/copy-assets.mjs

FROM ${RUNTIME_BASE} AS service
# git: the git provider resolves refs with `git ls-remote` and builds clone with it; tini: PID 1 (see above).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && (id app >/dev/null 2>&1 || useradd --uid 1654 --user-group --create-home --shell /usr/sbin/nologin app)
WORKDIR /app
COPY --from=build /app ./
COPY --from=assets /src/src/BinderOrleans.Server/wwwroot/lib ./wwwroot/lib
ENV ASPNETCORE_URLS=http://0.0.0.0:8585 \
    HOME=/home/app
EXPOSE 8585 11111
USER 1654
ENTRYPOINT ["tini", "--", "/app/BinderOrleans.Server"]
