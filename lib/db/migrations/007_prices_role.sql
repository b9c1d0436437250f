-- Least privilege for the price refresh: the refresh-prices function connects as alex_prices, which
-- may read the shared instruments, move their current price, and add to the price history — nothing
-- else (no users, accounts, positions, user_instruments, jobs or traces; no DDL). Its LOGIN and
-- password are set by the migrate function from the role's own secret (set_prices_role_password).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alex_prices') THEN
    CREATE ROLE alex_prices NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO alex_prices;
GRANT SELECT ON instruments TO alex_prices;
GRANT UPDATE (current_price, price_as_of, price_source) ON instruments TO alex_prices;
GRANT SELECT, INSERT ON prices TO alex_prices;
-- A close recorded again for the same day and source replaces the earlier one (ON CONFLICT DO UPDATE).
GRANT UPDATE (close, fetched_at) ON prices TO alex_prices;

-- Only the refresh writes prices now: the application role keeps reading them (the snapshot's
-- "prices as of"), and may change a shared instrument's tagging but no longer its price.
REVOKE INSERT, UPDATE ON prices FROM alex_app;
REVOKE UPDATE ON instruments FROM alex_app;
GRANT UPDATE (instrument_type, allocation_asset_class, allocation_regions, allocation_sectors) ON instruments
  TO alex_app;

CREATE OR REPLACE FUNCTION set_prices_role_password(password TEXT) RETURNS VOID
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  EXECUTE format('ALTER ROLE alex_prices WITH LOGIN PASSWORD %L', password);
END
$$;
REVOKE ALL ON FUNCTION set_prices_role_password(TEXT) FROM PUBLIC;
