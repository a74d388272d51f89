# confab %pre: the service's user, before the files (the config file belongs to its group).
if ! getent group confab >/dev/null; then
    groupadd --system confab
fi
if ! getent passwd confab >/dev/null; then
    nologin=/usr/sbin/nologin
    [ -x "$nologin" ] || nologin=/sbin/nologin
    useradd --system --gid confab --home-dir /var/lib/confab --no-create-home \
        --shell "$nologin" --comment "confab chat server" confab
fi
exit 0
