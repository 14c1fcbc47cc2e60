-- CreateEnum
CREATE TYPE "CampaignKind" AS ENUM ('one_off', 'recurring');

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "CampaignRunStatus" AS ENUM ('running', 'paused', 'completed', 'cancelled');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "DeliveryStatus" ADD VALUE 'planned';
ALTER TYPE "DeliveryStatus" ADD VALUE 'sending';
ALTER TYPE "DeliveryStatus" ADD VALUE 'held_out';
ALTER TYPE "DeliveryStatus" ADD VALUE 'cancelled';

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "campaignId" UUID,
ADD COLUMN     "campaignRunId" UUID,
ADD COLUMN     "clickedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deliveredAt" TIMESTAMPTZ(3),
ADD COLUMN     "repliedAt" TIMESTAMPTZ(3),
ADD COLUMN     "senderStaffId" UUID,
ADD COLUMN     "variant" TEXT;

-- AlterTable
ALTER TABLE "Segment" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "campaignExcludedTagIds" UUID[] DEFAULT ARRAY[]::UUID[];

-- CreateTable
CREATE TABLE "Campaign" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "kind" "CampaignKind" NOT NULL DEFAULT 'one_off',
    "status" "CampaignStatus" NOT NULL DEFAULT 'draft',
    "definition" JSONB NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3),
    "cron" TEXT,
    "nextRunAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignRun" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "campaignId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "status" "CampaignRunStatus" NOT NULL DEFAULT 'running',
    "definition" JSONB NOT NULL,
    "occurrence" TIMESTAMPTZ(3) NOT NULL,
    "planned" INTEGER NOT NULL DEFAULT 0,
    "heldOut" INTEGER NOT NULL DEFAULT 0,
    "exclusions" JSONB NOT NULL DEFAULT '{}',
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "CampaignRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Campaign_workspaceId_createdAt_idx" ON "Campaign"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Campaign_status_nextRunAt_idx" ON "Campaign"("status", "nextRunAt");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_workspaceId_name_key" ON "Campaign"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "CampaignRun_workspaceId_startedAt_idx" ON "CampaignRun"("workspaceId", "startedAt");

-- CreateIndex
CREATE INDEX "CampaignRun_status_idx" ON "CampaignRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignRun_campaignId_number_key" ON "CampaignRun"("campaignId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignRun_campaignId_occurrence_key" ON "CampaignRun"("campaignId", "occurrence");

-- CreateIndex
CREATE INDEX "Delivery_campaignRunId_status_senderStaffId_nextAttemptAt_idx" ON "Delivery"("campaignRunId", "status", "senderStaffId", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Delivery_customerId_sentAt_idx" ON "Delivery"("customerId", "sentAt");

-- CreateIndex
CREATE INDEX "Delivery_campaignId_sentAt_idx" ON "Delivery"("campaignId", "sentAt");

-- CreateIndex
CREATE INDEX "Delivery_senderStaffId_sentAt_idx" ON "Delivery"("senderStaffId", "sentAt");

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_campaignRunId_fkey" FOREIGN KEY ("campaignRunId") REFERENCES "CampaignRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignRun" ADD CONSTRAINT "CampaignRun_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignRun" ADD CONSTRAINT "CampaignRun_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
