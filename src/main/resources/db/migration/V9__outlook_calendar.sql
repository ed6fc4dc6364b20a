-- Push runs (direction push, mode full) send every linked object again, e.g. the Outlook calendar resync:
-- the data last pushed for a localRef is kept with its link. Portable between PostgreSQL and H2: JSON as text.
ALTER TABLE record_links ADD COLUMN last_pushed_data VARCHAR;
