-- DropForeignKey
ALTER TABLE "Delivery" DROP CONSTRAINT "Delivery_campaignRunId_fkey";

-- DropForeignKey
ALTER TABLE "Delivery" DROP CONSTRAINT "Delivery_workspaceId_fkey";

-- DropIndex
DROP INDEX "Delivery_campaignId_sentAt_idx";

-- DropIndex
DROP INDEX "Delivery_campaignRunId_status_senderStaffId_nextAttemptAt_idx";

-- DropIndex
DROP INDEX "Delivery_customerId_sentAt_idx";

-- DropIndex
DROP INDEX "Delivery_journeyId_nodeId_idx";

-- DropIndex
DROP INDEX "Delivery_senderStaffId_sentAt_idx";

-- DropIndex
DROP INDEX "Delivery_status_nextAttemptAt_idx";

-- CreateIndex
CREATE INDEX "Delivery_status_nextAttemptAt_idx" ON "Delivery"("status", "nextAttemptAt") WHERE (status = 'queued');

-- CreateIndex
CREATE INDEX "Delivery_journeyId_nodeId_idx" ON "Delivery"("journeyId", "nodeId") WHERE ("journeyId" IS NOT NULL);

-- CreateIndex
CREATE INDEX "Delivery_campaignRunId_status_senderStaffId_nextAttemptAt_idx" ON "Delivery"("campaignRunId", "status", "senderStaffId", "nextAttemptAt") WHERE (status = ANY (ARRAY['planned'::"DeliveryStatus", 'sending'::"DeliveryStatus"]));

-- CreateIndex
CREATE INDEX "Delivery_campaignId_createdAt_idx" ON "Delivery"("campaignId", "createdAt") WHERE ("campaignId" IS NOT NULL);

-- CreateIndex
CREATE INDEX "Delivery_customerId_sentAt_idx" ON "Delivery"("customerId", "sentAt") WHERE ("sentAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "Delivery_senderStaffId_sentAt_idx" ON "Delivery"("senderStaffId", "sentAt") WHERE ("senderStaffId" IS NOT NULL AND "sentAt" IS NOT NULL);
