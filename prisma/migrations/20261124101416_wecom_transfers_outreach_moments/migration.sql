-- CreateEnum
CREATE TYPE "WeComTransferMode" AS ENUM ('in_service', 'resigned');

-- CreateEnum
CREATE TYPE "WeComTransferStatus" AS ENUM ('waiting', 'succeeded', 'failed');

-- CreateEnum
CREATE TYPE "WeComOutreachStatus" AS ENUM ('pending', 'added', 'expired');

-- CreateEnum
CREATE TYPE "WeComMomentStatus" AS ENUM ('creating', 'created', 'publishing', 'settled', 'failed');

-- CreateEnum
CREATE TYPE "WeComMomentPublish" AS ENUM ('waiting', 'published', 'not_published', 'invalid');

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "wecomMomentsPerCustomerDay" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "wecomOutreachExpiryDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "wecomOutreachPerStaffDay" INTEGER NOT NULL DEFAULT 20;

-- CreateTable
CREATE TABLE "WeComTransfer" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "mode" "WeComTransferMode" NOT NULL,
    "fromStaffId" UUID NOT NULL,
    "toStaffId" UUID NOT NULL,
    "handoverUserId" TEXT NOT NULL,
    "takeoverUserId" TEXT NOT NULL,
    "status" "WeComTransferStatus" NOT NULL DEFAULT 'waiting',
    "failReason" TEXT,
    "failEventId" UUID,
    "message" TEXT,
    "takeoverAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMPTZ(3),
    "nextPollAt" TIMESTAMPTZ(3),
    "lastError" TEXT,

    CONSTRAINT "WeComTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeComOutreachTask" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "staffId" UUID NOT NULL,
    "staffUserId" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "customerId" UUID,
    "day" DATE NOT NULL,
    "status" "WeComOutreachStatus" NOT NULL DEFAULT 'pending',
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "addedAt" TIMESTAMPTZ(3),
    "matchedExternalUserId" TEXT,
    "matchedCustomerId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WeComOutreachTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeComOutreachAdd" (
    "workspaceId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "addWay" INTEGER,
    "remarkMobiles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "taskId" UUID,
    "addedAt" TIMESTAMPTZ(3) NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WeComOutreachAdd_pkey" PRIMARY KEY ("workspaceId","userId","externalUserId")
);

-- CreateTable
CREATE TABLE "WeComMoment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "jobid" TEXT,
    "momentId" TEXT,
    "status" "WeComMomentStatus" NOT NULL DEFAULT 'creating',
    "text" TEXT NOT NULL DEFAULT '',
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "staffUserIds" TEXT[],
    "day" DATE NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "nextPollAt" TIMESTAMPTZ(3),
    "settledAt" TIMESTAMPTZ(3),
    "error" TEXT,
    "lastError" TEXT,

    CONSTRAINT "WeComMoment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeComMomentTask" (
    "momentId" UUID NOT NULL,
    "staffUserId" TEXT NOT NULL,
    "status" "WeComMomentPublish" NOT NULL DEFAULT 'waiting',
    "settledAt" TIMESTAMPTZ(3),

    CONSTRAINT "WeComMomentTask_pkey" PRIMARY KEY ("momentId","staffUserId")
);

-- CreateTable
CREATE TABLE "WeComGroupSend" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "msgid" TEXT,
    "ownerUserId" TEXT NOT NULL,
    "chatIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "content" TEXT NOT NULL DEFAULT '',
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "status" "WeComMassSendStatus" NOT NULL DEFAULT 'creating',
    "sentChatIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "nextPollAt" TIMESTAMPTZ(3),
    "settledAt" TIMESTAMPTZ(3),
    "error" TEXT,
    "lastError" TEXT,

    CONSTRAINT "WeComGroupSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WeComTransfer_workspaceId_createdAt_idx" ON "WeComTransfer"("workspaceId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "WeComTransfer_customerId_createdAt_idx" ON "WeComTransfer"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "WeComTransfer_nextPollAt_idx" ON "WeComTransfer"("nextPollAt") WHERE ("nextPollAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "WeComOutreachTask_workspaceId_staffId_day_idx" ON "WeComOutreachTask"("workspaceId", "staffId", "day");

-- CreateIndex
CREATE INDEX "WeComOutreachTask_workspaceId_phone_idx" ON "WeComOutreachTask"("workspaceId", "phone");

-- CreateIndex
CREATE INDEX "WeComOutreachTask_workspaceId_status_expiresAt_idx" ON "WeComOutreachTask"("workspaceId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "WeComMoment_workspaceId_day_idx" ON "WeComMoment"("workspaceId", "day");

-- CreateIndex
CREATE INDEX "WeComMoment_nextPollAt_idx" ON "WeComMoment"("nextPollAt") WHERE ("nextPollAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "WeComGroupSend_workspaceId_createdAt_idx" ON "WeComGroupSend"("workspaceId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "WeComGroupSend_nextPollAt_idx" ON "WeComGroupSend"("nextPollAt") WHERE ("nextPollAt" IS NOT NULL);

-- AddForeignKey
ALTER TABLE "WeComTransfer" ADD CONSTRAINT "WeComTransfer_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComTransfer" ADD CONSTRAINT "WeComTransfer_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComTransfer" ADD CONSTRAINT "WeComTransfer_fromStaffId_fkey" FOREIGN KEY ("fromStaffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComTransfer" ADD CONSTRAINT "WeComTransfer_toStaffId_fkey" FOREIGN KEY ("toStaffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComOutreachTask" ADD CONSTRAINT "WeComOutreachTask_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComOutreachTask" ADD CONSTRAINT "WeComOutreachTask_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComOutreachAdd" ADD CONSTRAINT "WeComOutreachAdd_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComMoment" ADD CONSTRAINT "WeComMoment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComMomentTask" ADD CONSTRAINT "WeComMomentTask_momentId_fkey" FOREIGN KEY ("momentId") REFERENCES "WeComMoment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComGroupSend" ADD CONSTRAINT "WeComGroupSend_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
