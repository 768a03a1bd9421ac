#!/usr/bin/env bash
# Starts CUPS when it is not running and adds the `MotCua-PDF` queue (cups-pdf) and a stopped one, the real printer the
# printing tests print to. cups-pdf writes each job as a PDF under /var/spool/cups-pdf/<user>/.
# Prints the queue name and output directory as shell assignments for `eval`.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  $SUDO /usr/sbin/cupsd
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
fi
if ! grep -q '^Out /var/spool/cups-pdf/${USER}$' /etc/cups/cups-pdf.conf; then
  $SUDO sed -i 's|^Out .*|Out /var/spool/cups-pdf/${USER}|' /etc/cups/cups-pdf.conf
fi
if ! lpstat -p MotCua-PDF >/dev/null 2>&1; then
  $SUDO lpadmin -p MotCua-PDF -v cups-pdf:/ -E -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
fi
# A second queue, stopped with "paper out", for the error-path tests.
if ! lpstat -p MotCua-Stopped >/dev/null 2>&1; then
  $SUDO lpadmin -p MotCua-Stopped -v cups-pdf:/ -E -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
fi
$SUDO cupsdisable -r "media-empty-error: out of paper" MotCua-Stopped
echo "MOTCUA_TEST_PRINTER=MotCua-PDF"
echo "MOTCUA_TEST_STOPPED_PRINTER=MotCua-Stopped"
echo "MOTCUA_TEST_PRINTER_OUT=/var/spool/cups-pdf/$(id -un)"
