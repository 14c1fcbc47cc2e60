-- CreateEnum
CREATE TYPE "PluginCallbackStatus" AS ENUM ('pending', 'delivered', 'failed');

-- AlterTable
ALTER TABLE "Installation" ADD COLUMN     "previousSecretUntil" TIMESTAMPTZ(3),
ADD COLUMN     "previousSigningSecret" TEXT;

-- AlterTable
ALTER TABLE "PluginListing" ADD COLUMN     "callbackSecret" TEXT;

-- CreateTable
CREATE TABLE "PluginCallback" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "installationId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "PluginCallbackStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "PluginCallback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PluginCallback_status_nextAttemptAt_idx" ON "PluginCallback"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "PluginCallback_installationId_createdAt_idx" ON "PluginCallback"("installationId", "createdAt");

-- AddForeignKey
ALTER TABLE "PluginCallback" ADD CONSTRAINT "PluginCallback_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PluginCallback" ADD CONSTRAINT "PluginCallback_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
