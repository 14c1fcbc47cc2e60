-- Segment conditions compare dates kept in custom JSON attributes; a value that looks like a date
-- but is not one (2026-02-31) must not fail the whole segment, it just matches no date condition.
CREATE OR REPLACE FUNCTION courtyard_try_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
