#!/bin/sh
# One-shot, before the stack starts (service 'secrets' of docker-compose.yml): the user and password of the Connect
# REST API and Grafana's admin password, each taken from the environment when given (CONNECT_REST_USER,
# CONNECT_REST_PASSWORD, GRAFANA_ADMIN_PASSWORD), else kept from an earlier start, else generated (32 random letters
# and digits). Nothing secret is in the repository, and nothing secret is printed.
#   make-secrets.sh <connect secrets dir> <grafana secrets dir>
set -eu
umask 077
connect_dir=$1
grafana_dir=$2

fail() {
  echo "make-secrets: $*" >&2
  exit 1
}

# A password goes into a properties file (read as Latin-1, where a backslash is an escape), a curl config file and
# an HTTP header: letters, digits and a few marks only, and at least 16 of them.
check_password() { # variable value
  value=$2
  [ "${#value}" -ge 16 ] || fail "$1 must have at least 16 characters (unset it and one is generated)"
  case $value in
    *[!A-Za-z0-9_.~+/=@%,:-]*) fail "$1 may hold only letters, digits and - _ . ~ + / = @ % , :" ;;
  esac
}

generate() {
  tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32
}

# The password on stdout: the variable's value, else the file's (an earlier start), else a new one.
choose() { # variable file
  eval "given=\${$1:-}"
  if [ -n "$given" ]; then
    check_password "$1" "$given"
    printf '%s' "$given"
  elif [ -s "$2" ]; then
    cat "$2"
  else
    generate
  fi
}

# Written beside, then moved: a reader never sees half a file.
put() { # file content
  printf '%s' "$2" >"$1.new"
  # Readable by the one service that mounts this volume, whatever user its image runs as; the volume itself is
  # root's on the host.
  chmod 0444 "$1.new"
  mv -f "$1.new" "$1"
}

user=${CONNECT_REST_USER:-admin}
case $user in
  *[!A-Za-z0-9._-]*) fail "CONNECT_REST_USER may hold only letters, digits and . _ -" ;;
esac

mkdir -p "$connect_dir" "$grafana_dir"
chmod 0755 "$connect_dir" "$grafana_dir"
connect_password=$(choose CONNECT_REST_PASSWORD "$connect_dir/rest-password")
grafana_password=$(choose GRAFANA_ADMIN_PASSWORD "$grafana_dir/admin-password")
# Never write an empty credentials file: Kafka's PropertyFileLoginModule then lets every request through.
[ "${#connect_password}" -ge 16 ] || fail "no Connect REST password could be made"
[ "${#grafana_password}" -ge 16 ] || fail "no Grafana admin password could be made"

put "$connect_dir/rest-user" "$user"
put "$connect_dir/rest-password" "$connect_password"
# Kafka's PropertyFileLoginModule: one line per user, user=password.
put "$connect_dir/rest-credentials.properties" "$user=$connect_password
"
put "$grafana_dir/admin-password" "$grafana_password"
echo "make-secrets: Connect REST user '$user' and Grafana admin password ready (read them with:" \
  "docker compose exec -T connect cat /etc/loki-connect/secrets/rest-password;" \
  "docker compose exec -T grafana cat /etc/grafana/secrets/admin-password)"
