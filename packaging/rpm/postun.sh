# confab %postun: forget a removed unit; on upgrade ($1 >= 1) restart a running service on
# the new binary. The data in /var/lib/confab and the confab user are kept.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart confab.service >/dev/null 2>&1 || :
    fi
fi
exit 0
