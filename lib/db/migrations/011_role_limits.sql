-- What the functions' roles must never do, refused by the database itself (issue 23):
-- * alex_app (the pipeline's functions) cannot move a job to another user, cannot change a job that ended,
--   cannot write a user's own instrument's name or price (only its owner's import does), and tags a
--   user's own instruments only while that user has a job running.
-- * alex_prices (the price refresh) cannot date a price after today (UTC, one day of slack for time
--   zones), and cannot record a close that moves implausibly far from the previous one without a flag;
--   a flagged close is kept in the history but never becomes an instrument's current price.
-- Each function statement runs alone through the Data API (no transaction, so no SET LOCAL to key rows
-- on): the limits are on the rows' own state — a job in flight, its owner's running job.

-- Why a recorded close is not trusted (NULL: trusted).
ALTER TABLE prices ADD COLUMN flag TEXT;
GRANT UPDATE (flag) ON prices TO alex_prices;

-- A close is plausible within a factor of 3 of the previous one when that is at most 30 days older: SPY
-- $450 → $0.01 is not; a 1-for-20 split is flagged for a person to look at rather than silently moved.
-- Prices move further over longer gaps (the seed's 2024 closes against a refresh years later: SLV $22.40
-- → $70): the factor grows threefold for each year, or part of one, beyond those 30 days.
CREATE OR REPLACE FUNCTION plausible_close(previous NUMERIC, close NUMERIC, days_apart INTEGER DEFAULT 0)
  RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT previous IS NULL OR previous <= 0 OR (
    close <= previous * 3 * power(3, GREATEST(0, CEIL((COALESCE(days_apart, 0) - 30) / 365.0)))
    AND close >= previous / (3 * power(3, GREATEST(0, CEIL((COALESCE(days_apart, 0) - 30) / 365.0)))))
$$;

-- The latest unflagged close of `symbol` before `as_of` (any trusted source).
CREATE OR REPLACE FUNCTION previous_close(symbol_ TEXT, as_of_ DATE) RETURNS NUMERIC
  LANGUAGE sql STABLE AS $$
  SELECT p.close FROM prices p WHERE p.symbol = symbol_ AND p.as_of < as_of_ AND p.flag IS NULL
  ORDER BY p.as_of DESC, p.source LIMIT 1
$$;

-- Whether `close` on `as_of` is plausible after the latest unflagged close of `symbol` before it.
CREATE OR REPLACE FUNCTION plausible_after_history(symbol_ TEXT, as_of_ DATE, close_ NUMERIC) RETURNS BOOLEAN
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE((
    SELECT plausible_close(p.close, close_, as_of_ - p.as_of) FROM prices p
    WHERE p.symbol = symbol_ AND p.as_of < as_of_ AND p.flag IS NULL
    ORDER BY p.as_of DESC, p.source LIMIT 1), true)
$$;

CREATE OR REPLACE FUNCTION guard_prices() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  previous NUMERIC;
BEGIN
  IF NEW.as_of > (NOW() AT TIME ZONE 'UTC')::date + 1 THEN
    RAISE EXCEPTION 'the % close dated % is after today (UTC): prices come from days that ended', NEW.symbol, NEW.as_of
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.flag IS NULL AND NOT plausible_after_history(NEW.symbol, NEW.as_of, NEW.close) THEN
    previous := previous_close(NEW.symbol, NEW.as_of);
    RAISE EXCEPTION 'the % close % on % moves implausibly far from the previous %: record it with a flag',
      NEW.symbol, NEW.close, NEW.as_of, previous USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER prices_are_plausible BEFORE INSERT OR UPDATE ON prices
  FOR EACH ROW EXECUTE FUNCTION guard_prices();

CREATE OR REPLACE FUNCTION guard_instrument_prices() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.price_as_of > (NOW() AT TIME ZONE 'UTC')::date + 1 THEN
    RAISE EXCEPTION 'the % price dated % is after today (UTC)', NEW.symbol, NEW.price_as_of
      USING ERRCODE = 'check_violation';
  END IF;
  -- Moving the date back first would widen the bound below: the refresh only ever moves it forward.
  IF current_user = 'alex_prices' AND NEW.price_as_of < OLD.price_as_of THEN
    RAISE EXCEPTION 'the % price cannot move back from % to %', NEW.symbol, OLD.price_as_of, NEW.price_as_of
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.current_price IS DISTINCT FROM OLD.current_price
     AND NOT plausible_close(OLD.current_price, NEW.current_price, NEW.price_as_of - OLD.price_as_of) THEN
    RAISE EXCEPTION 'the % price % moves implausibly far from %: a flagged close never becomes the current price',
      NEW.symbol, NEW.current_price, OLD.current_price USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER instrument_prices_are_plausible BEFORE UPDATE OF current_price, price_as_of ON instruments
  FOR EACH ROW EXECUTE FUNCTION guard_instrument_prices();

-- A job stays with its user, whoever asks; a job that ended (completed, failed, needs_review) is
-- final for the functions (alex_app): its report, charts and summary are what the user was shown.
CREATE OR REPLACE FUNCTION guard_jobs() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.clerk_user_id IS DISTINCT FROM OLD.clerk_user_id OR NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE EXCEPTION 'job % belongs to its user: it cannot be moved to another', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF current_user = 'alex_app' AND OLD.status IN ('completed', 'failed', 'needs_review') THEN
    RAISE EXCEPTION 'job % ended as %: it cannot change any more', OLD.id, OLD.status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER jobs_stay_theirs_and_final BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION guard_jobs();

-- A user's own instruments: their name and price come only from their owner's import; the tagger
-- (alex_app) classifies them, and only for a user whose job is running.
REVOKE UPDATE ON user_instruments FROM alex_app;
GRANT UPDATE (instrument_type, allocation_asset_class, allocation_regions, allocation_sectors) ON user_instruments
  TO alex_app;
ALTER TABLE user_instruments ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_reads_user_instruments ON user_instruments FOR SELECT TO alex_app USING (true);
CREATE POLICY app_tags_for_running_jobs ON user_instruments FOR UPDATE TO alex_app
  USING (EXISTS (SELECT 1 FROM jobs j WHERE j.clerk_user_id = user_instruments.clerk_user_id AND j.status = 'running'))
  WITH CHECK (EXISTS (SELECT 1 FROM jobs j WHERE j.clerk_user_id = user_instruments.clerk_user_id AND j.status = 'running'));
