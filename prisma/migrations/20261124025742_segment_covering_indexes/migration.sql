-- DropIndex
DROP INDEX "Event_workspaceId_type_occurredAt_customerId_idx";

-- DropIndex
DROP INDEX "Order_customerId_placedAt_idx";

-- CreateIndex
CREATE INDEX "Event_workspaceId_type_customerId_occurredAt_idx" ON "Event"("workspaceId", "type", "customerId", "occurredAt");

-- CreateIndex
CREATE INDEX "Order_customerId_placedAt_workspaceId_status_paidCents_idx" ON "Order"("customerId", "placedAt" DESC, "workspaceId", "status", "paidCents");
