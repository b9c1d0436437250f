-- Issue 21: a job whose outputs fail the quality gate (lib/pipeline/quality-gate.ts) ends `needs_review`,
-- a terminal status like completed and failed, with its reasons in error_message (and summary_payload.quality_gate).
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'needs_review'));
ALTER TABLE jobs ADD CONSTRAINT jobs_needs_review_has_reason
  CHECK (status <> 'needs_review' OR error_message IS NOT NULL);

-- A job that ended (completed, failed or needs_review) keeps its status forever.
CREATE OR REPLACE FUNCTION forbid_reopening_jobs() RETURNS TRIGGER AS $$
BEGIN
  IF OLD.status IN ('completed', 'failed', 'needs_review') AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'job % already ended as %', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
