# BinderOrleans service image. Builds run against the node's Docker engine (socket mounted by the
# deployment) or, later, in build pods; this image contains no Docker daemon.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props BinderOrleans.sln ./
COPY src/ src/
RUN dotnet publish src/BinderOrleans.Server -c Release -o /app --nologo

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/copy-assets.mjs scripts/
RUN npm ci --no-audit --no-fund && node scripts/copy-assets.mjs

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# git: the git provider resolves refs with `git ls-remote` and the Docker builder clones with it.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY --from=assets /src/src/BinderOrleans.Server/wwwroot/lib ./wwwroot/lib
ENV ASPNETCORE_URLS=http://0.0.0.0:8585 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8585
# The .NET host handles SIGTERM itself (graceful shutdown of streams and builds).
ENTRYPOINT ["dotnet", "BinderOrleans.Server.dll"]
