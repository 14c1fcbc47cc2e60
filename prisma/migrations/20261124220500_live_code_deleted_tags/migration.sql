-- A deleted tag leaves the live codes that put it on new customers (deleteTag, a tag group deleted
-- with its tags, a merge's sources), whatever deleted it: a code never names a tag that is gone.
-- One statement per statement.
CREATE FUNCTION courtyard_live_code_deleted_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "WeComLiveCode" c
     SET "tagIds" = ARRAY(SELECT t FROM unnest(c."tagIds") WITH ORDINALITY AS u(t, n) WHERE t NOT IN (SELECT id FROM old_tags) ORDER BY n),
         "updatedAt" = now()
   WHERE c."workspaceId" IN (SELECT "workspaceId" FROM old_tags) AND c."tagIds" && ARRAY(SELECT id FROM old_tags);
  RETURN NULL;
END
$$;

CREATE TRIGGER "Tag_live_code_cleanup" AFTER DELETE ON "Tag"
  REFERENCING OLD TABLE AS old_tags FOR EACH STATEMENT EXECUTE FUNCTION courtyard_live_code_deleted_tags();
