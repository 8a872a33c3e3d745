#!/usr/bin/env bash
# Release build of the API and the trainer worker it supervises: what the container image's build stage and CI run.
#
#   scripts/build-release.sh                       # cpu backend into artifacts/api
#   TORCH_BACKEND=cuda OUT=/app scripts/build-release.sh
#
# Publishes src/Api for linux-x64 (framework-dependent) and src/Trainer into its trainer/ folder (where the API looks
# for the local worker it starts when Training:Endpoint is unset; files identical to the API's, libtorch included, become
# symlinks to them), checks that the output can load libtorch the way
# the engine does (flat next to the app, no TorchSharp fallback copy), drops libtorch's test and Python-only
# natives that nothing in the service loads, and prints the final size.
set -euo pipefail

backend="${TORCH_BACKEND:-cpu}"
out="${OUT:-artifacts/api}"
case "$backend" in
  cpu|cuda) ;;
  *) echo "build-release: TORCH_BACKEND must be cpu or cuda, not '$backend'" >&2; exit 2 ;;
esac

# OUT is relative to the caller's directory; the build runs from the repository root.
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="$(realpath -m "$out")"
case "$out" in
  /|"$repo"|"$repo/src"|"$HOME") echo "build-release: refusing to use '$out' as the output folder (it is emptied first)" >&2; exit 2 ;;
esac

fail() { echo "build-release: $*" >&2; exit 1; }
started=$SECONDS

# A stale output (another backend, removed dependencies) must not leak into the image.
rm -rf "$out"
dotnet publish src/Api -c Release -p:TorchBackend="$backend" -o "$out" -nologo
dotnet publish src/Trainer -c Release -p:TorchBackend="$backend" -o "$out/trainer" -nologo
before_kb=$(du -sk "$out" | cut -f1)

# --- sanity checks --------------------------------------------------------------------------------------
[[ -f "$out/EmbeddingService.Api.dll" ]] || fail "EmbeddingService.Api.dll is missing from $out"
[[ -f "$out/EmbeddingService.Api.runtimeconfig.json" ]] || fail "EmbeddingService.Api.runtimeconfig.json is missing from $out"
required=(libLibTorchSharp.so libtorch.so libc10.so libtorch_cpu.so)
if [[ "$backend" == cuda ]]; then required+=(libtorch_cuda.so); fi
for lib in "${required[@]}"; do
  [[ -f "$out/$lib" ]] || fail "$lib is missing from $out: the TorchSharp-$backend native package did not reach the publish output"
done
# TorchSharp's loader, when it cannot load the flat libraries, consolidates libtorch from the NuGet cache into
# a cpu/ (or cuda-*/) folder next to the app: ~600 MB that must never ship.
for dir in "$out"/cpu "$out"/cuda*; do
  if [[ -e "$dir" ]]; then fail "$dir exists: TorchSharp's fallback copy of libtorch ended up in the output"; fi
done

# --- drop natives the service never loads ---------------------------------------------------------------
# libtorch ships test backends and the Python extension. The engine loads libLibTorchSharp.so (NEEDED:
# libtorch, libc10, libtorch_cpu) and TorchSharp probes LibTorchSharp and torch_cpu/torch_cuda by name. A
# file is dropped only if no library that stays names it: NEEDED entries and dlopen'd names are both plain
# strings in the binary, so a byte search over the kept libraries covers both.
unused=(libjitbackend_test.so libtorchbind_test.so libbackend_with_compiler.so libaoti_custom_ops.so
        libnnapi_backend.so libtorch_python.so)
present=()
for lib in "${unused[@]}"; do [[ -f "$out/$lib" ]] && present+=("$lib"); done
if ((${#present[@]})); then
  patterns=()
  for lib in "${present[@]}"; do patterns+=(-e "${lib%.so}"); done
  kept=()
  while IFS= read -r -d '' f; do
    name="$(basename "$f")"
    [[ " ${present[*]} " == *" $name "* ]] || kept+=("$f")
  done < <(find "$out" -maxdepth 1 -type f \( -name '*.so' -o -name '*.so.*' \) -print0)
  referenced="$(grep -aohF "${patterns[@]}" "${kept[@]}" | sort -u || true)"
  for lib in "${present[@]}"; do
    if grep -qxF "${lib%.so}" <<<"$referenced"; then
      echo "build-release: keeping $lib: a kept library refers to it"
    else
      rm -f "$out/$lib"
      echo "build-release: dropped $lib"
    fi
  done
fi

# ONNX Runtime's package copies its Windows binaries (PE files) into every output, whatever the runtime identifier; a
# Linux service never loads them.
for dir in "$out" "$out/trainer"; do
  for dll in onnxruntime.dll onnxruntime_providers_shared.dll; do
    if [[ -f "$dir/$dll" ]] && [[ "$(head -c 2 "$dir/$dll")" == MZ ]]; then
      rm -f "$dir/$dll"
      echo "build-release: dropped the Windows $dll from $dir"
    fi
  done
done

# The libraries that stay must resolve among themselves and the system (ldd reports "=> not found"); the
# CUDA driver (libcuda, libnvidia-*) comes from the host at run time, not from the image.
if command -v ldd >/dev/null; then
  for lib in libLibTorchSharp.so libtorch_cpu.so; do
    missing="$(cd "$out" && LD_LIBRARY_PATH="$out" ldd "./$lib" 2>/dev/null | grep '=> not found' | grep -v -e '^\s*libcuda\.so' -e '^\s*libnvidia' || true)"
    [[ -z "$missing" ]] || fail "$lib has unresolved dependencies after trimming:"$'\n'"$missing"
  done
fi

# --- the worker shares the API's files --------------------------------------------------------------------
[[ -f "$out/trainer/EmbeddingService.Trainer.dll" ]] || fail "trainer/EmbeddingService.Trainer.dll is missing from $out"
for lib in "${unused[@]}"; do
  [[ -f "$out/$lib" ]] || rm -f "$out/trainer/$lib"
done
linked=0
while IFS= read -r -d '' f; do
  name="$(basename "$f")"
  if [[ -f "$out/$name" && ! -L "$out/$name" ]] && cmp -s "$f" "$out/$name"; then
    ln -sf "../$name" "$f"
    linked=$((linked + 1))
  fi
done < <(find "$out/trainer" -maxdepth 1 -type f -print0)
echo "build-release: trainer/: $linked files identical to the API's linked to them"

after_kb=$(du -sk "$out" | cut -f1)
echo "build-release: $backend build in $out: $((after_kb / 1024)) MB (publish $((before_kb / 1024)) MB, trimmed $(((before_kb - after_kb) / 1024)) MB) in $((SECONDS - started)) s"
