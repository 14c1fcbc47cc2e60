-- CreateTable
CREATE TABLE "WeComGroupChat" (
    "workspaceId" UUID NOT NULL,
    "chatId" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "ownerUserId" TEXT NOT NULL,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "customerCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "dismissedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WeComGroupChat_pkey" PRIMARY KEY ("workspaceId","chatId")
);

-- CreateIndex
CREATE INDEX "WeComGroupChat_workspaceId_ownerUserId_idx" ON "WeComGroupChat"("workspaceId", "ownerUserId");

-- AddForeignKey
ALTER TABLE "WeComGroupChat" ADD CONSTRAINT "WeComGroupChat_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
