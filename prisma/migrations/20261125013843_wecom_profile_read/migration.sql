-- CreateTable
CREATE TABLE "WeComProfileRead" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,

    CONSTRAINT "WeComProfileRead_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WeComProfileRead_nextAttemptAt_idx" ON "WeComProfileRead"("nextAttemptAt");

-- CreateIndex
CREATE INDEX "WeComProfileRead_customerId_idx" ON "WeComProfileRead"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "WeComProfileRead_workspaceId_externalUserId_key" ON "WeComProfileRead"("workspaceId", "externalUserId");

-- AddForeignKey
ALTER TABLE "WeComProfileRead" ADD CONSTRAINT "WeComProfileRead_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeComProfileRead" ADD CONSTRAINT "WeComProfileRead_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
