#!/bin/sh
# Posts every connector file (REST API form: {"name": ..., "config": {...}}) to a Connect worker,
# with PUT /connectors/<name>/config so that re-running it updates instead of failing.
set -eu
connect_url=$1
config_dir=$2
for file in "$config_dir"/file-log-source.json "$config_dir"/loki-sink.json; do
  name=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$file" | head -n 1)
  # The REST PUT takes the inner config object only.
  config=$(sed -n '/"config": *{/,$p' "$file" | sed '1s/.*"config": *{/{/' | sed '$d')
  echo "validating $name"
  class=$(printf '%s' "$config" | sed -n 's/.*"connector.class": *"\([^"]*\)".*/\1/p' | sed 's/.*\.//')
  curl -fsS -X PUT -H 'Content-Type: application/json' --data "$config" \
    "$connect_url/connector-plugins/$class/config/validate" | grep -q '"error_count":0' \
    || { echo "connector config $file fails validation:"; curl -sS -X PUT -H 'Content-Type: application/json' \
         --data "$config" "$connect_url/connector-plugins/$class/config/validate"; exit 1; }
  echo "posting $name"
  curl -fsS -X PUT -H 'Content-Type: application/json' --data "$config" "$connect_url/connectors/$name/config"
  echo
done
touch /tmp/connectors-posted
