#!/usr/bin/env bash
# Builds k8ts' offline images without Docker or a network, from Debian's busybox-static:
#
#   <out-dir>/busybox.tar   localhost/busybox:1   no entrypoint; the default command idles until SIGTERM
#   <out-dir>/pause.tar     localhost/pause:1     the pod sandbox image (entrypoint `sleep infinity`)
#
# Both are OCI image layouts in a tar, as `ctr images import` takes them.
#
# Usage:
#   apt-get install -y busybox-static umoci        # once (root); nothing else is needed
#   scripts/build-test-image.sh <out-dir>
#
# Air-gapped nodes: build on any Debian machine (or on the node itself), then copy the tars to the
# node's `<data-dir>/agent/images/`; k8ts imports every *.tar there into containerd at start. To
# import by hand: `ctr -n k8s.io -a <containerd.sock> images import <out-dir>/busybox.tar`.
# Works as root or not (umoci --rootless). Takes about a second.
#
# src/runtime/images/build.ts builds the same images from TypeScript (k8ts does that when the pause
# image is missing); keep the two in step.
set -euo pipefail

out=${1:?usage: $0 <out-dir>}
busybox=${BUSYBOX:-/bin/busybox}
command -v umoci >/dev/null || { echo "umoci is not installed (apt-get install umoci)" >&2; exit 1; }
[ -x "$busybox" ] || { echo "$busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if command -v file >/dev/null && ! file -L "$busybox" | grep -Eq 'statically linked|static-pie'; then
  echo "$busybox is not statically linked (apt-get install busybox-static)" >&2; exit 1
fi

rootless=()
[ "$(id -u)" = 0 ] || rootless=(--rootless)

work=$(mktemp -d "${TMPDIR:-/tmp}/k8ts-image-XXXXXX")
trap 'rm -rf "$work"' EXIT

busybox_ref=localhost/busybox:1
pause_ref=localhost/pause:1
layout=$work/oci
umoci init --layout "$layout"
umoci new --image "$layout:$busybox_ref"
umoci unpack "${rootless[@]}" --image "$layout:$busybox_ref" "$work/bundle"

# The root filesystem: busybox and its applet links (`busybox --install -s` inside the rootfs; made
# one by one when not root), a passwd/group, and the usual empty directories.
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var/www,proc,sys,dev,run}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
chmod 755 "$rootfs/bin/busybox"
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null; then
  chroot "$rootfs" /bin/busybox --install -s
else
  "$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -sf /bin/busybox "$rootfs/$applet"
  done
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
printf 'k8ts busybox\n' >"$rootfs/var/www/index.html"

umoci repack --image "$layout:$busybox_ref" "$work/bundle"
common=(--config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --config.workingdir / --os linux --author k8ts)
umoci config --no-history --image "$layout:$busybox_ref" "${common[@]}" \
  --config.cmd sh --config.cmd -c --config.cmd "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait \$!; done"
umoci config --no-history --image "$layout:$busybox_ref" --tag "$pause_ref" "${common[@]}" \
  --clear config.cmd --clear config.entrypoint \
  --config.entrypoint sleep --config.entrypoint infinity

# One tar per image, each an OCI layout holding just that tag.
mkdir -p "$out"
for pair in "busybox:$busybox_ref" "pause:$pause_ref"; do
  name=${pair%%:*} ref=${pair#*:}
  copy=$work/$name
  cp -a "$layout" "$copy"
  for tag in $(umoci ls --layout "$copy"); do
    [ "$tag" = "$ref" ] || umoci rm --image "$copy:$tag"
  done
  umoci gc --layout "$copy"
  tar -C "$copy" -cf "$out/$name.tar.tmp" .
  mv -f "$out/$name.tar.tmp" "$out/$name.tar"
  echo "$out/$name.tar ($ref)"
done
