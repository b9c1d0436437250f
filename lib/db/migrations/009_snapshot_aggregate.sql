-- Any size within the RDS Data API's limits (64 KB per returned row, 1 MiB per response): the specialists
-- read a compact aggregate of the job's portfolio (its largest holdings, the rest of each account as one
-- line; lib/portfolio/aggregate.ts), never the whole snapshot. Large documents are read back in parts of
-- at most 16,000 characters (lib/db/repositories/documents.ts), so no statement returns a row over 64 KB.
ALTER TABLE jobs ADD COLUMN portfolio_aggregate JSONB;
