-- CreateTable
CREATE TABLE "WeComTagPush" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "tagId" UUID NOT NULL,
    "add" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,

    CONSTRAINT "WeComTagPush_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WeComTagPush_nextAttemptAt_idx" ON "WeComTagPush"("nextAttemptAt");

-- CreateIndex
CREATE INDEX "WeComTagPush_workspaceId_customerId_idx" ON "WeComTagPush"("workspaceId", "customerId");

-- AddForeignKey
ALTER TABLE "WeComTagPush" ADD CONSTRAINT "WeComTagPush_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Linked corp tags changed in Courtyard on WeCom contacts are queued for WeCom (mark_tag), in the
-- same transaction as the change, whatever wrote it (API, journeys, rules, plugins, merges).
-- Changes that came from WeCom itself set courtyard.origin = 'wecom' for their transaction (and
-- tags WeCom applied carry source wecom) and are not pushed back. One statement per statement.
CREATE FUNCTION courtyard_wecom_tag_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('courtyard.origin', true) IS NOT DISTINCT FROM 'wecom' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "WeComTagPush" ("workspaceId", "customerId", "tagId", "add")
    SELECT n."workspaceId", n."customerId", n."tagId", true
      FROM new_rows n
      JOIN "Tag" t ON t.id = n."tagId" AND t."wecomTagId" IS NOT NULL AND t."wecomDeletedAt" IS NULL
      JOIN "Customer" c ON c.id = n."customerId" AND c."wecomExternalId" IS NOT NULL
     WHERE n.source <> 'wecom';
  ELSE
    INSERT INTO "WeComTagPush" ("workspaceId", "customerId", "tagId", "add")
    SELECT o."workspaceId", o."customerId", o."tagId", false
      FROM old_rows o
      JOIN "Tag" t ON t.id = o."tagId" AND t."wecomTagId" IS NOT NULL AND t."wecomDeletedAt" IS NULL
      JOIN "Customer" c ON c.id = o."customerId" AND c."wecomExternalId" IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "CustomerTag_wecom_push_insert" AFTER INSERT ON "CustomerTag"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION courtyard_wecom_tag_push();
CREATE TRIGGER "CustomerTag_wecom_push_delete" AFTER DELETE ON "CustomerTag"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION courtyard_wecom_tag_push();
