# syntax=docker/dockerfile:1
# EmbeddingService image: the API (REST 8080, gRPC h2c 8081) and, in trainer/, the trainer worker it supervises when
# Training__Endpoint is unset (or that runs as its own pod: command dotnet trainer/EmbeddingService.Trainer.dll).
#
#   docker build -t embedding-api:cpu .
#   docker build --build-arg TORCH_BACKEND=cuda -t embedding-api:cuda .     # needs nuget.org for TorchSharp-cuda-linux
#   docker run --rm -p 8080:8080 -p 8081:8081 -v /models:/models:ro -v embeddings:/data -e Model__Weights=/models/dinov2_vits14_pretrain.pth embedding-api:cpu
#
# Build and runtime stages are all Ubuntu 24.04 (noble; sdk:10.0 and aspnet:10.0 are noble images): libLibTorchSharp.so
# is adapted to the build stage's libstdc++ (build/WeakenUnusedGlibcxxVersions.cs), so the runtime must not have an
# older one.

# cpu: TorchSharp-cpu on mcr.microsoft.com/dotnet/aspnet. cuda: TorchSharp-cuda-linux on CUDA_IMAGE (the NVIDIA
# driver itself comes from the host through the NVIDIA container toolkit / Kubernetes device plugin).
ARG TORCH_BACKEND=cpu
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build -------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
ENV DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /src
COPY . .
# The NuGet cache (~500 MB of libtorch for cpu, several GB for cuda) survives between builds in a cache mount.
RUN --mount=type=cache,id=embedding-nuget,target=/root/.nuget/packages \
    TORCH_BACKEND="${TORCH_BACKEND}" OUT=/app bash scripts/build-release.sh

# ---- runtime bases -----------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime-cpu
# curl for HEALTHCHECK (the aspnet image has none); libturbojpeg0: JPEG decoding with SIMD (ImageDecoder uses Skia without
# it, at twice the time). The image already has the non-root user app (UID 1654).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libturbojpeg0 \
 && rm -rf /var/lib/apt/lists/*
ENV Model__Device=cpu

FROM ${CUDA_IMAGE} AS runtime-cuda
# The ASP.NET Core runtime of the official image, and the packages that image installs for it.
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl libicu74 libssl3t64 libstdc++6 libturbojpeg0 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid 1654 --create-home --shell /usr/sbin/nologin app
ENV DOTNET_RUNNING_IN_CONTAINER=true \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    Model__Device=cuda

# ---- final -------------------------------------------------------------------------------------------------
FROM runtime-${TORCH_BACKEND}
ARG TORCH_BACKEND
LABEL org.opencontainers.image.title="embedding-api" \
      org.opencontainers.image.description="DINOv2 image embeddings over REST and gRPC (TorchSharp ${TORCH_BACKEND})"
WORKDIR /app
# Owned by root and read-only for the service user: the app never writes next to itself (TorchRuntime refuses
# TorchSharp's copy-libtorch-next-to-the-app fallback).
COPY --from=build /app ./
# The one place the service writes (mount a volume there): the embedded vector store's collections, and, for the local
# trainer worker, its job store and runs, the datasets jobs may read, and the activated models' weights.
RUN mkdir -p /data && chown 1654:1654 /data
VOLUME /data

# Defaults; override with -e / the Kubernetes ConfigMap. Kestrel binds its own ports (Serving__*), so the base
# image's ASPNETCORE_HTTP_PORTS=8080 is cleared to avoid the "overriding address(es)" warning.
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    Serving__BindAddress=0.0.0.0 \
    Serving__RestPort=8080 \
    Serving__GrpcPort=8081 \
    Serving__DrainTimeoutSeconds=30 \
    Model__Weights=random:0 \
    Model__Precision=fp32 \
    Retrieval__DataDirectory=/data \
    Training__DataDirectory=/data/trainer \
    Training__DataRoot=/data/datasets \
    Training__ModelCacheDirectory=/data/model-cache

USER 1654:1654
EXPOSE 8080 8081
# Model loading happens before Kestrel listens: the start period covers it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${Serving__RestPort:-8080}/health/live" || exit 1
ENTRYPOINT ["dotnet", "EmbeddingService.Api.dll"]
