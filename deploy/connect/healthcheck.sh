#!/bin/bash
# The Connect service's health check: GET /connectors with the REST user and password answers 200.
# Through bash's /dev/tcp rather than wget: the password never sits in a process's arguments, which every user
# of the host can read (ps).
#   healthcheck.sh [secrets dir] [port]
set -eu
dir=${1:-/etc/loki-connect/secrets}
port=${2:-8083}
auth=$(printf '%s:%s' "$(<"$dir/rest-user")" "$(<"$dir/rest-password")" | base64 | tr -d '\n')
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /connectors HTTP/1.0\r\nHost: localhost\r\nAuthorization: Basic %s\r\n\r\n' "$auth" >&3
IFS= read -r status <&3
case $status in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "GET /connectors answered: $status" >&2; exit 1 ;;
esac
