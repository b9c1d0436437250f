-- The original's five tables, with what it lacked: account types, a job listing index,
-- status checks, a portfolio snapshot per job, time zones on every timestamp, and a guard
-- that never lets a finished job change status again.
-- gen_random_uuid() is core PostgreSQL (13+), so no extension is needed on Aurora or PGlite.

CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE users (
  clerk_user_id            VARCHAR(255) PRIMARY KEY,
  display_name             VARCHAR(255),
  current_age              INTEGER CHECK (current_age BETWEEN 0 AND 120),
  years_until_retirement   INTEGER CHECK (years_until_retirement BETWEEN 0 AND 100),
  target_retirement_income DECIMAL(12,2) CHECK (target_retirement_income >= 0),
  annual_contribution      DECIMAL(12,2) CHECK (annual_contribution >= 0),
  asset_class_targets      JSONB NOT NULL DEFAULT '{"equity": 70, "fixed_income": 30}',
  region_targets           JSONB NOT NULL DEFAULT '{"north_america": 50, "international": 50}',
  created_at               TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at               TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE instruments (
  symbol                 VARCHAR(20) PRIMARY KEY,
  name                   VARCHAR(255) NOT NULL,
  instrument_type        VARCHAR(50) CHECK (instrument_type IN
                           ('etf', 'mutual_fund', 'stock', 'bond', 'bond_fund', 'commodity', 'reit')),
  current_price          DECIMAL(12,4) CHECK (current_price >= 0),
  allocation_regions     JSONB NOT NULL DEFAULT '{}',
  allocation_sectors     JSONB NOT NULL DEFAULT '{}',
  allocation_asset_class JSONB NOT NULL DEFAULT '{}',
  created_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE accounts (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  clerk_user_id   VARCHAR(255) NOT NULL REFERENCES users(clerk_user_id) ON DELETE CASCADE,
  account_name    VARCHAR(255) NOT NULL,
  account_type    VARCHAR(20) NOT NULL DEFAULT 'other' CHECK (account_type IN
                    ('401k', 'roth_ira', 'traditional_ira', 'taxable', '529', 'hsa', 'pension', 'other')),
  account_purpose TEXT,
  cash_balance    DECIMAL(12,2) NOT NULL DEFAULT 0 CHECK (cash_balance >= 0),
  cash_interest   DECIMAL(5,4) NOT NULL DEFAULT 0 CHECK (cash_interest BETWEEN 0 AND 1),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE positions (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  symbol     VARCHAR(20) NOT NULL REFERENCES instruments(symbol),
  quantity   DECIMAL(20,8) NOT NULL CHECK (quantity > 0),
  as_of_date DATE NOT NULL DEFAULT CURRENT_DATE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (account_id, symbol)
);

CREATE TABLE jobs (
  id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  clerk_user_id      VARCHAR(255) NOT NULL REFERENCES users(clerk_user_id) ON DELETE CASCADE,
  job_type           VARCHAR(50) NOT NULL DEFAULT 'portfolio_analysis' CHECK (job_type IN
                       ('portfolio_analysis', 'rebalance_recommendation', 'retirement_projection',
                        'risk_assessment', 'tax_optimization', 'instrument_research')),
  status             VARCHAR(20) NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  request_payload    JSONB,
  portfolio_snapshot JSONB,
  report_payload     JSONB,
  charts_payload     JSONB,
  retirement_payload JSONB,
  summary_payload    JSONB,
  error_message      TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  started_at         TIMESTAMPTZ,
  completed_at       TIMESTAMPTZ,
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT jobs_failed_has_reason CHECK (status <> 'failed' OR error_message IS NOT NULL)
);

CREATE INDEX idx_accounts_user ON accounts(clerk_user_id);
CREATE INDEX idx_positions_account ON positions(account_id);
CREATE INDEX idx_positions_symbol ON positions(symbol);
CREATE INDEX idx_jobs_user ON jobs(clerk_user_id);
CREATE INDEX idx_jobs_status ON jobs(status);
CREATE INDEX idx_jobs_user_created ON jobs(clerk_user_id, created_at DESC);

CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_instruments_updated_at BEFORE UPDATE ON instruments
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_accounts_updated_at BEFORE UPDATE ON accounts
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_positions_updated_at BEFORE UPDATE ON positions
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_jobs_updated_at BEFORE UPDATE ON jobs
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- A job that ended (completed or failed) keeps its status forever.
CREATE OR REPLACE FUNCTION forbid_reopening_jobs() RETURNS TRIGGER AS $$
BEGIN
  IF OLD.status IN ('completed', 'failed') AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'job % already ended as %', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_stay_ended BEFORE UPDATE OF status ON jobs
  FOR EACH ROW EXECUTE FUNCTION forbid_reopening_jobs();
