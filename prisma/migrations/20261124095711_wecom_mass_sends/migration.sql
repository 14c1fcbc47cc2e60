-- CreateEnum
CREATE TYPE "WeComQuotaPeriod" AS ENUM ('day', 'week', 'month');

-- CreateEnum
CREATE TYPE "WeComConfirmation" AS ENUM ('waiting', 'sent', 'not_sent', 'failed');

-- CreateEnum
CREATE TYPE "WeComMassSendStatus" AS ENUM ('creating', 'waiting', 'sent', 'partly_sent', 'not_sent');

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "confirmation" "WeComConfirmation",
ADD COLUMN     "wecomTaskId" UUID;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "wecomMassSendHours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "wecomQuotaAction" "CapMode" NOT NULL DEFAULT 'skip',
ADD COLUMN     "wecomQuotaLimit" INTEGER,
ADD COLUMN     "wecomQuotaPeriod" "WeComQuotaPeriod" NOT NULL DEFAULT 'month';

-- CreateTable
CREATE TABLE "WeComMassSend" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "msgid" TEXT,
    "staffUserId" TEXT NOT NULL,
    "campaignId" UUID,
    "campaignRunId" UUID,
    "journeyId" UUID,
    "nodeId" TEXT,
    "status" "WeComMassSendStatus" NOT NULL DEFAULT 'creating',
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "notSent" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "content" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "nextPollAt" TIMESTAMPTZ(3),
    "polls" INTEGER NOT NULL DEFAULT 0,
    "settledAt" TIMESTAMPTZ(3),
    "lastError" TEXT,

    CONSTRAINT "WeComMassSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WeComMassSend_nextPollAt_idx" ON "WeComMassSend"("nextPollAt") WHERE ("nextPollAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "WeComMassSend_campaignId_createdAt_idx" ON "WeComMassSend"("campaignId", "createdAt") WHERE ("campaignId" IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "WeComMassSend_workspaceId_msgid_key" ON "WeComMassSend"("workspaceId", "msgid");

-- CreateIndex
CREATE INDEX "Delivery_wecomTaskId_idx" ON "Delivery"("wecomTaskId") WHERE ("wecomTaskId" IS NOT NULL);

-- AddForeignKey
ALTER TABLE "WeComMassSend" ADD CONSTRAINT "WeComMassSend_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
