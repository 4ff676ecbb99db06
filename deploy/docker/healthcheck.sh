#!/bin/bash
# Docker HEALTHCHECK of the crmstream image: GET /healthz on the local HTTP
# port with bash's /dev/tcp (the image has no curl). Exit 0 when the
# processing loop turns (200), 1 otherwise. The port is $CRMSTREAM_HTTP_PORT,
# else 9464: a port set only in the config file must be set here too.
set -u
port=${CRMSTREAM_HTTP_PORT:-9464}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
case $status in
  "HTTP/1."?" 200 "*) exit 0 ;;
esac
echo "crmstream /healthz: ${status%$'\r'}" >&2
exit 1
