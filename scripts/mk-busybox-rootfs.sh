#!/usr/bin/env bash
# Builds a minimal root filesystem from busybox-static: /bin/busybox plus a
# symlink per applet. Usage: mk-busybox-rootfs.sh DIR
set -euo pipefail
dir=${1:?usage: mk-busybox-rootfs.sh DIR}
bb=/bin/busybox
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
  echo "mk-busybox-rootfs: $bb is not the static busybox (install busybox-static)" >&2
  exit 1
fi
mkdir -p "$dir"/{bin,dev,proc,sys,etc,tmp,root,run,var/tmp}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cp "$bb" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
  [ "$applet" = busybox ] && continue
  ln -sf busybox "$dir/bin/$applet"
done
ln -sfn bin "$dir/sbin"
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
echo 'nogroup:x:65534:' >> "$dir/etc/group"
echo 'root:!:19000:0:99999:7:::' > "$dir/etc/shadow"
chmod 600 "$dir/etc/shadow"
