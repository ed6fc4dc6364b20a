-- PostgreSQL's V46 keeps records pages half full so a pull's "seen" update stays on its page (HOT); H2 has no
-- fillfactor. In db/vendor/{postgresql,h2} because V46 is this change's only version number.
SELECT 1;
