#!/bin/sh
# Prints .env.example with every empty secret filled in with a fresh random value:
#   sh infrastructure/generate-env.sh > .env
# Needs only openssl. Run it once: new secrets log every user out and new datastore passwords
# do not match the ones already stored in existing volumes.
set -eu
example="$(dirname "$0")/../.env.example"

while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    POSTGRES_PASSWORD= | REDIS_PASSWORD=)
      printf '%s%s\n' "$line" "$(openssl rand -hex 24)" ;;
    GATEWAY_SECRET= | SERVICE_TOKEN=)
      printf '%s%s\n' "$line" "$(openssl rand -base64 48 | tr -d '\n')" ;;
    JWT_PRIVATE_KEY=)
      key="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | awk 'BEGIN { ORS = "\\n" } 1')"
      printf "%s'%s'\n" "$line" "$key" ;;
    *)
      printf '%s\n' "$line" ;;
  esac
done < "$example"
