-- Reference data you can trust. The shared `instruments` table keeps only trusted data (the seed, the
-- market-data provider, the tagger run on a trusted name); what a user's file says about an instrument
-- (its name, type, price, and the tagging of an instrument nobody else knows) lives in `user_instruments`,
-- scoped to that user. Prices keep their history in `prices`; `instruments.current_price` is the latest
-- trusted one, with its date and source.

CREATE TABLE prices (
  symbol     VARCHAR(20) NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
  close      DECIMAL(12,4) NOT NULL CHECK (close > 0),
  as_of      DATE NOT NULL,
  source     VARCHAR(10) NOT NULL CHECK (source IN ('seed', 'market')),
  fetched_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (symbol, as_of, source)
);

CREATE INDEX idx_prices_source_fetched ON prices(source, fetched_at DESC);

ALTER TABLE instruments ADD COLUMN price_as_of DATE;
ALTER TABLE instruments ADD COLUMN price_source VARCHAR(10) CHECK (price_source IN ('seed', 'market'));

CREATE TABLE user_instruments (
  clerk_user_id          VARCHAR(255) NOT NULL REFERENCES users(clerk_user_id) ON DELETE CASCADE,
  symbol                 VARCHAR(20) NOT NULL,
  name                   VARCHAR(255) NOT NULL,
  instrument_type        VARCHAR(50) CHECK (instrument_type IN
                           ('etf', 'mutual_fund', 'stock', 'bond', 'bond_fund', 'commodity', 'reit')),
  price                  DECIMAL(12,4) CHECK (price >= 0),
  price_as_of            DATE,
  allocation_regions     JSONB NOT NULL DEFAULT '{}',
  allocation_sectors     JSONB NOT NULL DEFAULT '{}',
  allocation_asset_class JSONB NOT NULL DEFAULT '{}',
  created_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (clerk_user_id, symbol)
);

CREATE TRIGGER update_user_instruments_updated_at BEFORE UPDATE ON user_instruments
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- A position's symbol is a shared instrument or one of its owner's own; the import guarantees which.
ALTER TABLE positions DROP CONSTRAINT IF EXISTS positions_symbol_fkey;

-- The 22 seed instruments (listed in each statement below) are the only rows 001/002 wrote from a
-- trusted source.

-- Every other instrument came from a user's file: each holder gets their own copy of what they saw.
INSERT INTO user_instruments (clerk_user_id, symbol, name, instrument_type, price, price_as_of,
                              allocation_regions, allocation_sectors, allocation_asset_class)
SELECT DISTINCT a.clerk_user_id, i.symbol, i.name, i.instrument_type, i.current_price,
       CASE WHEN i.current_price IS NULL THEN NULL ELSE i.created_at::date END,
       i.allocation_regions, i.allocation_sectors, i.allocation_asset_class
FROM instruments i
JOIN positions p ON p.symbol = i.symbol
JOIN accounts a ON a.id = p.account_id
WHERE i.symbol NOT IN ('SPY', 'QQQ', 'IWM', 'VEA', 'VWO', 'EFA', 'AGG', 'BND', 'TLT', 'HYG', 'XLK',
                       'XLV', 'XLF', 'XLE', 'VNQ', 'GLD', 'SLV', 'AOR', 'AOA', 'VUG', 'VTV', 'VIG');

-- Nothing is dropped: the untrusted rows are kept as they were, out of everyone's way.
CREATE TABLE instruments_untrusted_pre_004 AS
SELECT * FROM instruments WHERE symbol NOT IN ('SPY', 'QQQ', 'IWM', 'VEA', 'VWO', 'EFA', 'AGG', 'BND', 'TLT', 'HYG', 'XLK',
                       'XLV', 'XLF', 'XLE', 'VNQ', 'GLD', 'SLV', 'AOR', 'AOA', 'VUG', 'VTV', 'VIG');

DELETE FROM instruments WHERE symbol NOT IN ('SPY', 'QQQ', 'IWM', 'VEA', 'VWO', 'EFA', 'AGG', 'BND', 'TLT', 'HYG', 'XLK',
                       'XLV', 'XLF', 'XLE', 'VNQ', 'GLD', 'SLV', 'AOR', 'AOA', 'VUG', 'VTV', 'VIG');

-- The seed prices become the first entries of the price history.
INSERT INTO prices (symbol, close, as_of, source)
SELECT symbol, current_price, DATE '2024-01-02', 'seed' FROM instruments WHERE current_price > 0;

UPDATE instruments SET price_as_of = DATE '2024-01-02', price_source = 'seed' WHERE current_price > 0;
