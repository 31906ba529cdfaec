#!/bin/sh
# Posts every connector file (REST API form: {"name": ..., "config": {...}}) to a Connect worker,
# with PUT /connectors/<name>/config so that re-running it updates instead of failing.
#   post-connectors.sh <connect url> <connector files dir> <secrets dir holding rest-user and rest-password>
#                      [file touched when done, default /tmp/connectors-posted: the service's health check]
# The REST API asks for a user and password (connect-configs/worker.properties): curl reads them from a config file
# of its own, not from its arguments, which every user of the host can read (ps).
set -eu
connect_url=$1
config_dir=$2
secrets_dir=$3
posted=${4:-/tmp/connectors-posted}
umask 077
auth=$(mktemp)
trap 'rm -f "$auth"' EXIT
# The secrets service allows no quote or backslash in either value, so they need no escaping here.
printf 'user = "%s:%s"\n' "$(cat "$secrets_dir/rest-user")" "$(cat "$secrets_dir/rest-password")" >"$auth"
for file in "$config_dir"/file-log-source.json "$config_dir"/loki-sink.json; do
  name=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$file" | head -n 1)
  # The REST PUT takes the inner config object only.
  config=$(sed -n '/"config": *{/,$p' "$file" | sed '1s/.*"config": *{/{/' | sed '$d')
  echo "validating $name"
  class=$(printf '%s' "$config" | sed -n 's/.*"connector.class": *"\([^"]*\)".*/\1/p' | sed 's/.*\.//')
  # Validation wants the name inside the config (Kafka 4.3 answers "Missing required configuration "name"").
  named=$(printf '%s' "$config" | sed "1s/{/{\"name\": \"$name\",/")
  curl -K "$auth" -fsS -X PUT -H 'Content-Type: application/json' --data "$named" \
    "$connect_url/connector-plugins/$class/config/validate" | grep -q '"error_count":0' \
    || { echo "connector config $file fails validation:"; curl -K "$auth" -sS -X PUT \
         -H 'Content-Type: application/json' --data "$named" "$connect_url/connector-plugins/$class/config/validate"; exit 1; }
  echo "posting $name"
  curl -K "$auth" -fsS -X PUT -H 'Content-Type: application/json' --data "$config" "$connect_url/connectors/$name/config"
  echo
done
touch "$posted"
