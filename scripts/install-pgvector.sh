#!/usr/bin/env bash
# Builds and installs pgvector for Debian's PostgreSQL server, which bookworm does not package:
# from Debian's own source package of a newer release (trixie), so nothing comes from outside
# Debian's archive. Herald works without it (semantic recall then uses an exact scan); with it,
# learnings and knowledge passages are found through an HNSW index. Needs root; idempotent.
set -euo pipefail

PG_MAJOR="$(ls /usr/lib/postgresql | sort -V | tail -1)"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
if [[ -f "/usr/share/postgresql/$PG_MAJOR/extension/vector.control" ]]; then
  echo "pgvector is already installed for PostgreSQL $PG_MAJOR"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
cat > /etc/apt/sources.list.d/herald-pgvector-src.sources <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt-get update -qq
apt-get install -y -qq --no-install-recommends "postgresql-server-dev-$PG_MAJOR" dpkg-dev make gcc >/dev/null

BUILD="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
trap 'rm -rf "$BUILD"' EXIT
cd "$BUILD"
apt-get source -qq --download-only pgvector >/dev/null 2>&1
tar xzf pgvector_*.orig.tar.gz
cd pgvector-*/
# OPTFLAGS="": no -march=native, so the library runs on any machine of this architecture.
make -s OPTFLAGS="" PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
echo "pgvector $(grep default_version "/usr/share/postgresql/$PG_MAJOR/extension/vector.control" | cut -d"'" -f2) installed for PostgreSQL $PG_MAJOR"
