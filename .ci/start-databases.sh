#!/usr/bin/env bash
# Starts PostgreSQL and MariaDB when they are not answering (the commands this machine kind documents),
# then waits until both accept connections.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }
maria_up() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; }

if ! pg_up; then
  echo "PostgreSQL is down: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! maria_up; then
  echo "MariaDB is down: starting it"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
for _ in $(seq 1 60); do
  if pg_up && maria_up; then
    echo "PostgreSQL and MariaDB are up"
    exit 0
  fi
  sleep 1
done
pg_up || echo "PostgreSQL did not come up" >&2
maria_up || echo "MariaDB did not come up" >&2
exit 1
