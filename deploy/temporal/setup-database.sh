#!/bin/sh
# Creates (or upgrades) the Temporal server's two PostgreSQL databases, `temporal` and `temporal_visibility`, with
# the schema tool shipped in temporalio/admin-tools. Safe to run again: existing databases are kept and upgraded.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port=${DB_PORT:-5432}
schema_dir=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "$POSTGRES_SEEDS" "$port"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$port"
  sleep 2
done

for database in temporal temporal_visibility; do
  schema=$([ "$database" = temporal ] && echo temporal || echo visibility)
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" create ||
    echo "database $database exists"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" \
    setup-schema -v 0.0 || echo "schema of $database already set up"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" \
    update-schema -d "$schema_dir/$schema/versioned"
done
echo 'Temporal databases ready'
