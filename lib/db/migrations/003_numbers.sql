-- Numbers a planner would sign: fund fees, the user's retirement plan (income, taxes, assumption overrides), and
-- allocations that sum to 100 at the database boundary too.

ALTER TABLE instruments
  ADD COLUMN expense_ratio DECIMAL(7,6) CHECK (expense_ratio BETWEEN 0 AND 0.1);

-- The portfolio file's `retirement` section, validated by the application (lib/retirement/input.ts RetirementPlan).
ALTER TABLE users
  ADD COLUMN retirement_plan JSONB CHECK (retirement_plan IS NULL OR jsonb_typeof(retirement_plan) = 'object');

-- Each allocation is empty (not classified yet) or an object of non-negative numbers summing to 100 ± 0.01.
CREATE OR REPLACE FUNCTION check_allocation(symbol TEXT, dimension TEXT, allocation JSONB) RETURNS VOID AS $$
DECLARE
  total NUMERIC;
BEGIN
  IF jsonb_typeof(allocation) <> 'object' THEN
    RAISE EXCEPTION '%: % must be an object', symbol, dimension USING ERRCODE = 'check_violation';
  END IF;
  IF allocation = '{}'::jsonb THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_each(allocation) e
             WHERE jsonb_typeof(e.value) <> 'number' OR (e.value #>> '{}')::numeric < 0) THEN
    RAISE EXCEPTION '%: % has a value that is not a non-negative number', symbol, dimension
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT SUM((e.value #>> '{}')::numeric) INTO total FROM jsonb_each(allocation) e;
  IF ABS(total - 100) > 0.01 THEN
    RAISE EXCEPTION '%: % sums to %, not 100', symbol, dimension, total USING ERRCODE = 'check_violation';
  END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION check_instrument_allocations() RETURNS TRIGGER AS $$
BEGIN
  PERFORM check_allocation(NEW.symbol, 'allocation_asset_class', NEW.allocation_asset_class);
  PERFORM check_allocation(NEW.symbol, 'allocation_regions', NEW.allocation_regions);
  PERFORM check_allocation(NEW.symbol, 'allocation_sectors', NEW.allocation_sectors);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER instruments_allocations_sum_to_100
  BEFORE INSERT OR UPDATE OF allocation_asset_class, allocation_regions, allocation_sectors ON instruments
  FOR EACH ROW EXECUTE FUNCTION check_instrument_allocations();
