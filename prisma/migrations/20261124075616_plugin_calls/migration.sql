-- CreateTable
CREATE TABLE "PluginCall" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "installationId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "nodeId" TEXT,
    "eventType" TEXT,
    "pluginVersion" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "batchSize" INTEGER NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "httpStatus" INTEGER,
    "latencyMs" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL,
    "errorCode" TEXT,
    "error" TEXT,

    CONSTRAINT "PluginCall_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PluginCall_installationId_startedAt_id_idx" ON "PluginCall"("installationId", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "PluginCall_startedAt_idx" ON "PluginCall"("startedAt");

-- AddForeignKey
ALTER TABLE "PluginCall" ADD CONSTRAINT "PluginCall_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PluginCall" ADD CONSTRAINT "PluginCall_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
