-- Least-privilege upstream roles for one GatewayCore target: a read scope and a write scope.
--
-- The gateway connects upstream as these roles; agents never see their passwords. A scope is enforced by what the
-- role may do, not by reading SQL text: the read role cannot write because it holds no write privilege, whatever
-- `BEGIN READ WRITE` or `SET default_transaction_read_only = off` an agent sends. The masking layer relies on the
-- same roles for what it cannot see: no temporary tables or new relations to launder data into, no procedural
-- code whose dynamic SQL hides the names it reads, no large objects, no server files, no notifications or
-- settings filled from a query.
--
-- Run as a superuser, connected to the target database, with psql variables:
--   psql -d shop -v database=shop -v schema=public \
--        -v reader=shop_reader -v reader_password="$READER_PASSWORD" \
--        -v writer=shop_writer -v writer_password="$WRITER_PASSWORD" -f docs/roles.sql
-- Re-running it is safe; it only adds the roles when missing and re-applies the privileges.
--
-- Database-wide effects (they apply to every role of this database, not only the two created here): TEMPORARY and
-- CREATE on the database, CREATE on the schema, USAGE on plpgsql and EXECUTE on the listed functions are revoked
-- from PUBLIC. Grant them back by name to the application roles that need them.

\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'reader') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'reader') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'writer') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'writer') \gexec

-- NOINHERIT: privileges granted to a group the role is later added to do not silently widen the scope.
ALTER ROLE :"reader" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'reader_password';
ALTER ROLE :"writer" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'writer_password';

-- Only the default read-only mode is a convenience (clear errors early); the missing privileges are the enforcement.
ALTER ROLE :"reader" SET default_transaction_read_only = on;
-- Bound what one runaway agent query can hold.
ALTER ROLE :"reader" SET statement_timeout = '5min';
ALTER ROLE :"writer" SET statement_timeout = '5min';
ALTER ROLE :"writer" SET idle_in_transaction_session_timeout = '10min';

-- No temporary tables (a place to copy protected values under a new name) and no new schemas.
REVOKE TEMPORARY, CREATE ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"reader", :"writer";

-- No new tables, views or functions in the schema (PostgreSQL 15 already revokes CREATE on public from PUBLIC).
REVOKE CREATE ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"reader", :"writer";

GRANT SELECT ON ALL TABLES IN SCHEMA :"schema" TO :"reader";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"writer";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"writer";
-- Tables created later by the schema owner (the role running this script) follow the same split.
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" GRANT SELECT ON TABLES TO :"reader";
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"writer";
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" GRANT USAGE, SELECT ON SEQUENCES TO :"writer";

-- No DO blocks or PL/pgSQL functions: dynamic SQL assembled from fragments hides the names masking looks for.
REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;

-- Functions that would move values outside result rows, or write through the read role:
--   large objects (lo_from_bytea, lo_put, lo_get, lo_open, loread, lowrite …),
--   pg_notify (a payload built from a query, delivered to whoever listens),
--   set_config (a reported setting such as application_name filled from a query).
-- Server file access (pg_read_file, pg_ls_dir, COPY … TO/FROM a file or program) needs superuser or the
-- pg_read_server_files / pg_write_server_files / pg_execute_server_program roles: never grant those to these roles.
SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::regprocedure)
FROM pg_proc p
WHERE p.pronamespace = 'pg_catalog'::regnamespace
  AND (p.proname LIKE 'lo\_%' OR p.proname IN ('loread', 'lowrite', 'pg_notify', 'set_config'))
\gexec

-- Statistics views: no pg_read_all_stats (other sessions' statement text) and no pg_read_all_data.
REVOKE pg_read_all_stats, pg_read_all_data, pg_write_all_data, pg_read_server_files, pg_write_server_files, pg_execute_server_program FROM :"reader", :"writer";
