-- CreateEnum
CREATE TYPE "WeComConnectionStatus" AS ENUM ('connected', 'failing');

-- CreateEnum
CREATE TYPE "WeComLiveCodeChannel" AS ENUM ('parcel_card', 'store', 'live_stream', 'ad', 'other');

-- CreateEnum
CREATE TYPE "WeComAssignment" AS ENUM ('random', 'round_robin', 'least_loaded');

-- CreateEnum
CREATE TYPE "WeComCallbackStatus" AS ENUM ('pending', 'processed', 'failed');

-- CreateTable
CREATE TABLE "WeComConnection" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "corpId" TEXT NOT NULL,
    "agentSecretSealed" TEXT NOT NULL,
    "callbackTokenSealed" TEXT NOT NULL,
    "encodingAesKeySealed" TEXT NOT NULL,
    "secretHint" TEXT NOT NULL,
    "baseUrl" TEXT,
    "status" "WeComConnectionStatus" NOT NULL DEFAULT 'connected',
    "lastError" TEXT,
    "lastCheckedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WeComConnection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeComLiveCode" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "channel" "WeComLiveCodeChannel" NOT NULL,
    "staff" JSONB NOT NULL,
    "backupUserIds" TEXT[],
    "assignment" "WeComAssignment" NOT NULL DEFAULT 'round_robin',
    "dailyAddLimit" INTEGER,
    "skipVerify" BOOLEAN NOT NULL DEFAULT true,
    "tagIds" UUID[],
    "welcome" JSONB,
    "configId" TEXT NOT NULL,
    "qrCode" TEXT,
    "state" TEXT NOT NULL,
    "currentUserIds" TEXT[],
    "rotation" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WeComLiveCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeComLiveCodeStat" (
    "workspaceId" UUID NOT NULL,
    "liveCodeId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "adds" INTEGER NOT NULL DEFAULT 0,
    "deletes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "WeComLiveCodeStat_pkey" PRIMARY KEY ("liveCodeId","day")
);

-- CreateTable
CREATE TABLE "WeComStaffDay" (
    "workspaceId" UUID NOT NULL,
    "liveCodeId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "userId" TEXT NOT NULL,
    "adds" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "WeComStaffDay_pkey" PRIMARY KEY ("liveCodeId","day","userId")
);

-- CreateTable
CREATE TABLE "WeComFollow" (
    "workspaceId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "customerId" UUID NOT NULL,
    "liveCodeId" UUID,
    "addedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "WeComFollow_pkey" PRIMARY KEY ("workspaceId","userId","externalUserId")
);

-- CreateTable
CREATE TABLE "WeComCallback" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "changeType" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WeComCallbackStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),

    CONSTRAINT "WeComCallback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WeComConnection_workspaceId_key" ON "WeComConnection"("workspaceId");

-- CreateIndex
CREATE INDEX "WeComLiveCode_workspaceId_createdAt_idx" ON "WeComLiveCode"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WeComLiveCode_workspaceId_name_key" ON "WeComLiveCode"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "WeComLiveCode_workspaceId_state_key" ON "WeComLiveCode"("workspaceId", "state");

-- CreateIndex
CREATE INDEX "WeComLiveCodeStat_workspaceId_idx" ON "WeComLiveCodeStat"("workspaceId");

-- CreateIndex
CREATE INDEX "WeComStaffDay_workspaceId_idx" ON "WeComStaffDay"("workspaceId");

-- CreateIndex
CREATE INDEX "WeComFollow_customerId_idx" ON "WeComFollow"("customerId");

-- CreateIndex
CREATE INDEX "WeComCallback_status_nextAttemptAt_idx" ON "WeComCallback"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "WeComCallback_workspaceId_dedupeKey_key" ON "WeComCallback"("workspaceId", "dedupeKey");

-- AddForeignKey
ALTER TABLE "WeComConnection" ADD CONSTRAINT "WeComConnection_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComLiveCode" ADD CONSTRAINT "WeComLiveCode_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComLiveCodeStat" ADD CONSTRAINT "WeComLiveCodeStat_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComLiveCodeStat" ADD CONSTRAINT "WeComLiveCodeStat_liveCodeId_fkey" FOREIGN KEY ("liveCodeId") REFERENCES "WeComLiveCode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComStaffDay" ADD CONSTRAINT "WeComStaffDay_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComStaffDay" ADD CONSTRAINT "WeComStaffDay_liveCodeId_fkey" FOREIGN KEY ("liveCodeId") REFERENCES "WeComLiveCode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComFollow" ADD CONSTRAINT "WeComFollow_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComCallback" ADD CONSTRAINT "WeComCallback_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
