# confab %post: the state directory, and systemd learns about the unit.
install -d -o confab -g confab -m 0750 /var/lib/confab
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
