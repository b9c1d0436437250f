-- Every job ends: the local process that runs a job (pid, host, process start), so opening the
-- database can fail the jobs whose process is gone ("interrupted").
ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
ALTER TABLE jobs ADD COLUMN owner_host VARCHAR(255);
ALTER TABLE jobs ADD COLUMN owner_started_at TIMESTAMPTZ;

-- Least privilege: the functions connect as alex_app, which may run only the DML they need.
-- No DDL (no CREATE on the schema, owns nothing), no other tables (schema_migrations included).
-- Its LOGIN and password are set by the migrate function from the app's own secret
-- (set_app_role_password); only migrate connects as the master user.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alex_app') THEN
    CREATE ROLE alex_app NOLOGIN;
  END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO alex_app;
GRANT SELECT ON users, accounts, positions TO alex_app;
GRANT SELECT, UPDATE ON instruments TO alex_app;
GRANT SELECT, UPDATE ON jobs TO alex_app;
-- Market data (004): the refresh records prices and moves instruments' current price; the tagger
-- classifies a user's own instruments. The pre-004 copy of untrusted rows is not the app's to read.
GRANT SELECT, INSERT, UPDATE ON prices TO alex_app;
GRANT SELECT, UPDATE ON user_instruments TO alex_app;

CREATE OR REPLACE FUNCTION set_app_role_password(password TEXT) RETURNS VOID
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  EXECUTE format('ALTER ROLE alex_app WITH LOGIN PASSWORD %L', password);
END
$$;
REVOKE ALL ON FUNCTION set_app_role_password(TEXT) FROM PUBLIC;
