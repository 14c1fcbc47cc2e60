-- CreateIndex
CREATE INDEX "WeComCallback_processedAt_idx" ON "WeComCallback"("processedAt");
