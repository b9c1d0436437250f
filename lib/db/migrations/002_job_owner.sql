-- The execution that claimed a job. A retried or duplicate execution can then tell its own claim
-- from another's: only the owner resumes a running job or marks it failed.
ALTER TABLE jobs ADD COLUMN claimed_by VARCHAR(2048);
