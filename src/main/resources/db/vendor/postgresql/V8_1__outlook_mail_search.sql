-- Full-text search over email records (GET /api/v1/connections/{id}/records/email?q=, docs/microsoft-mail.md):
-- subject, sender (name, address, and the address split at @ . _ + -), attachment names (also split) and
-- body text. The document is cut at 200,000 characters (tsvector's 1 MB limit). H2 has no counterpart:
-- there the search falls back to a case-insensitive match of every word in the record.
CREATE FUNCTION outlook_mail_search_text(data VARCHAR) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE PARALLEL SAFE
AS $$
    SELECT left(concat_ws(' ',
        d ->> 'subject',
        d #>> '{from,name}',
        d #>> '{from,address}',
        regexp_replace(coalesce(d #>> '{from,address}', ''), '[@._+-]+', ' ', 'g'),
        (SELECT string_agg(coalesce(a ->> 'name', '') || ' ' || regexp_replace(coalesce(a ->> 'name', ''), '[._-]+', ' ', 'g'), ' ')
           FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d -> 'attachments') = 'array' THEN d -> 'attachments'
                                          ELSE '[]'::jsonb END) AS a),
        d ->> 'body'), 200000)
    FROM (SELECT CAST(data AS jsonb) AS d) AS x
$$;

CREATE INDEX ix_records_email_search ON records
    USING GIN (to_tsvector('english', outlook_mail_search_text(data))) WHERE model = 'email';
