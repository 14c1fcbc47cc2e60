-- DropIndex
DROP INDEX "Event_workspaceId_type_occurredAt_idx";

-- CreateIndex
CREATE INDEX "Event_workspaceId_type_occurredAt_customerId_idx" ON "Event"("workspaceId", "type", "occurredAt", "customerId");
