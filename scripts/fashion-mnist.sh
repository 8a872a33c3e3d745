#!/usr/bin/env bash
# Fashion-MNIST (60,000 train / 10,000 test, 28x28 grayscale, 10 classes) as PNG class folders for training and kNN:
#
#   scripts/fashion-mnist.sh [DIR]        # default data/fashion-mnist (git-ignored): DIR/train, DIR/test
#
# Installs Debian's dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist) with apt-get when missing,
# builds embedctl (Release) when it lacks `dataset import-idx`, and imports both splits with the class names as folder
# names. A split already imported completely (its .import-idx.json marker is written last) is skipped.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(realpath -m "${1:-$repo/data/fashion-mnist}")"
source_dir=/usr/share/datasets/fashion-mnist
classes="t-shirt-top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle-boot"
started=$SECONDS

if [[ -f "$dir/train/.import-idx.json" && -f "$dir/test/.import-idx.json" ]]; then
  echo "fashion-mnist: $dir/train and $dir/test are already imported" >&2
  exit 0
fi

if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "fashion-mnist: installing dataset-fashion-mnist with apt-get" >&2
  $sudo apt-get install -y dataset-fashion-mnist >&2
fi
for file in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f "$source_dir/$file.gz" ]] || { echo "fashion-mnist: $source_dir/$file.gz is missing after the install" >&2; exit 1; }
done

embedctl="$repo/src/Cli/bin/Release/net10.0/linux-x64/embedctl"
if ! "$embedctl" dataset import-idx --help >/dev/null 2>&1; then
  echo "fashion-mnist: building embedctl" >&2
  dotnet build "$repo/src/Cli" -c Release -v quiet -nologo >&2
fi

"$embedctl" dataset import-idx "$source_dir/train-images-idx3-ubyte.gz" "$source_dir/train-labels-idx1-ubyte.gz" \
  --out "$dir/train" --class-names "$classes"
"$embedctl" dataset import-idx "$source_dir/t10k-images-idx3-ubyte.gz" "$source_dir/t10k-labels-idx1-ubyte.gz" \
  --out "$dir/test" --class-names "$classes"
echo "fashion-mnist: $dir/train and $dir/test ready in $((SECONDS - started)) s" >&2
