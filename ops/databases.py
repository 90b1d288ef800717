"""Database dumps for backups: ``pg_dump -Fc`` on PostgreSQL, the online backup API on SQLite.

Each backend dumps a consistent snapshot and reports, from that same snapshot, the row count of
every table and the applied migrations; it restores a dump into an empty database and counts
rows again so that the caller can compare. Connections are made from a Django settings dict
(``connections[alias].settings_dict``) with the driver itself, never through the ORM, so a
backup never joins the caller's transaction.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess

from django.db import DEFAULT_DB_ALIAS

from ops.errors import BackupError

try:
    import psycopg

    # What the drivers raise (a server gone, a file that cannot be opened): the commands
    # report these as failures with their message, not as tracebacks.
    DRIVER_ERRORS = (sqlite3.Error, psycopg.Error)
except ImportError:  # psycopg is a dependency; SQLite-only installs still work
    DRIVER_ERRORS = (sqlite3.Error,)

# Schemas that belong to PostgreSQL itself.
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def database_for(settings_dict, *, vendor, pg_bin_dir=None):
    """The backend for one database connection (``vendor`` is Django's connection.vendor)."""
    if vendor == "postgresql":
        return PostgresDatabase(settings_dict, pg_bin_dir=pg_bin_dir)
    if vendor == "sqlite":
        return SqliteDatabase(settings_dict)
    raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")


class PostgresDatabase:
    engine = "postgresql"
    dump_name = "database.dump"

    def __init__(self, settings_dict, *, pg_bin_dir=None):
        self.settings_dict = settings_dict
        self.pg_bin_dir = pg_bin_dir

    # --- connections ---

    def _params(self):
        """libpq keywords from the Django settings, without the password."""
        from psycopg import pq

        known = {d.keyword.decode() for d in pq.Conninfo.get_defaults()}
        s = self.settings_dict
        params = {k: v for k, v in (s.get("OPTIONS") or {}).items() if k in known}
        params["dbname"] = s.get("NAME") or "postgres"
        for key, name in (("USER", "user"), ("HOST", "host"), ("PORT", "port")):
            if s.get(key):
                params[name] = str(s[key])
        params.pop("password", None)
        return params

    def _env(self):
        env = dict(os.environ)
        if self.settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = str(self.settings_dict["PASSWORD"])
        return env

    def connect(self, **kwargs):
        import psycopg

        password = self.settings_dict.get("PASSWORD") or None
        try:
            return psycopg.connect(**self._params(), password=password, **kwargs)
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot connect to PostgreSQL: {exc}".strip()) from exc

    def _run(self, args):
        from psycopg.conninfo import make_conninfo

        command = [*args, "--dbname", make_conninfo(**self._params())]
        result = subprocess.run(command, env=self._env(), capture_output=True, text=True)
        if result.returncode != 0:
            tool = os.path.basename(args[0])
            raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")

    # --- client tools ---

    def find_tool(self, name, min_major):
        """A pg_dump/pg_restore at least as new as ``min_major`` (older ones refuse or miss data).

        ``pg_bin_dir`` if given, else the one on PATH, else the newest in /usr/lib/postgresql.
        """
        if self.pg_bin_dir:
            candidates = [os.path.join(self.pg_bin_dir, name)]
        else:
            on_path = shutil.which(name)
            versioned = sorted(
                glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
                reverse=True,
            )
            candidates = [p for p in [on_path, *versioned] if p]
        seen = []
        for path in candidates:
            version = tool_version(path)
            if version is None:
                continue
            seen.append(f"{path} ({version})")
            if int(version.split(".")[0]) >= min_major:
                return path, version
        found = ", ".join(seen) or "none found"
        raise BackupError(
            f"{name} {min_major} or newer is needed for PostgreSQL {min_major} ({found}); install "
            f"postgresql-client-{min_major} or pass --pg-bin-dir"
        )

    # --- backup ---

    def dump(self, path):
        """Write ``pg_dump -Fc`` of one exported snapshot; counts come from the same snapshot."""
        import psycopg

        with self.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            server_version = conn.info.server_version
            tool, version = self.find_tool("pg_dump", server_version // 10000)
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            tables = self._count_rows(conn)
            migrations = _applied_migrations(conn, "django_migrations" in tables)
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            self._run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={path}"])
            conn.rollback()
        return {
            "server_version": _server_version(server_version),
            "tool_version": version,
            "tables": tables,
            "migrations": migrations,
        }

    def _tables(self, conn):
        rows = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname <> ALL(%s) "
            "ORDER BY schemaname, tablename",
            [list(_SYSTEM_SCHEMAS)],
        ).fetchall()
        return [(schema, table) for schema, table in rows]

    def _count_rows(self, conn):
        from psycopg import sql

        counts = {}
        for schema, table in self._tables(conn):
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            key = table if schema == "public" else f"{schema}.{table}"
            counts[key] = conn.execute(query).fetchone()[0]
        return counts

    def count_rows(self):
        with self.connect() as conn:
            return self._count_rows(conn)

    # --- restore ---

    def table_names(self):
        with self.connect() as conn:
            return [t if s == "public" else f"{s}.{t}" for s, t in self._tables(conn)]

    def empty(self):
        """Drop everything in the public schema (``restore --force``)."""
        with self.connect(autocommit=True) as conn, conn.transaction():
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        left = self.table_names()
        if left:
            raise BackupError("tables outside the public schema were left: " + ", ".join(left))

    def restore(self, path, dump_info):
        """``pg_restore`` in one transaction: the database gets all of the dump or none of it."""
        dump_major = int(str(dump_info.get("tool_version", "0")).split(".")[0])
        with self.connect() as conn:
            server_major = conn.info.server_version // 10000
        tool, _ = self.find_tool("pg_restore", max(server_major, dump_major))
        self._run(
            [
                tool,
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                str(path),
            ]
        )


class SqliteDatabase:
    engine = "sqlite"
    dump_name = "database.sqlite3"

    def __init__(self, settings_dict):
        self.name = str(settings_dict["NAME"])

    def connect(self):
        # Django opens SQLite with uri=True: the same name reaches the same database (the test
        # runner's in-memory one included).
        return sqlite3.connect(self.name, uri=True)

    def dump(self, path):
        """Copy with the online backup API (a consistent copy while others write)."""
        source = self.connect()
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
            tables = _sqlite_counts(target)
            migrations = _applied_migrations(target, "django_migrations" in tables)
        finally:
            target.close()
            source.close()
        return {
            "server_version": sqlite3.sqlite_version,
            "tool_version": sqlite3.sqlite_version,
            "tables": tables,
            "migrations": migrations,
        }

    def table_names(self):
        conn = self.connect()
        try:
            return list(_sqlite_counts(conn, count=False))
        finally:
            conn.close()

    def count_rows(self):
        conn = self.connect()
        try:
            return _sqlite_counts(conn)
        finally:
            conn.close()

    def empty(self):
        # The backup API replaces the whole target database: nothing to drop first.
        pass

    def restore(self, path, dump_info):
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = self.connect()
        try:
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite restore failed: {exc}") from exc
        finally:
            target.close()
            source.close()


def tool_version(path):
    """``15.20`` from ``pg_dump (PostgreSQL) 15.20 (Debian ...)``, None if it does not run."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"\)\s+(\d+(?:\.\d+)*)", out.stdout)
    return match.group(1) if out.returncode == 0 and match else None


def _server_version(number):
    return f"{number // 10000}.{number % 10000}"


def _sqlite_counts(conn, count=True):
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    if not count:
        return dict.fromkeys(names)
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: conn.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0] for name in names
    }


def _applied_migrations(conn, has_table):
    if not has_table:
        return []
    rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    return [[app, name] for app, name in rows]


def add_database_arguments(parser, tools):
    """The --database and --pg-bin-dir options of backup and restore (``tools``: which ones)."""
    parser.add_argument(
        "--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default)."
    )
    parser.add_argument(
        "--pg-bin-dir",
        help=f"Folder with {tools} matching the server (default: PATH, then "
        "/usr/lib/postgresql/*/bin).",
    )
