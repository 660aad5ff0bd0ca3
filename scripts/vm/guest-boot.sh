#!/bin/sh
# Baked into the VM image as /usr/local/sbin/unroot-vm-phase, run once per boot by
# unroot-vm-phase.service: run the test's /share/guest.sh (which logs to the share itself),
# then end this boot the way it asked in /share/action ("reboot" or "poweroff"; poweroff when
# it asked nothing or could not run). qemu runs with -no-reboot: either ends the VM.
if [ -r /share/guest.sh ]; then
  bash /share/guest.sh
  echo "unroot-vm-phase: guest.sh exited $?" >/dev/console
else
  echo "unroot-vm-phase: no /share/guest.sh (is the 9p share mounted?)" >/dev/console
fi
sync
if [ "$(cat /share/action 2>/dev/null)" = reboot ]; then
  systemctl --no-block reboot
else
  systemctl --no-block poweroff
fi
