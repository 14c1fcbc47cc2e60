-- AlterEnum
ALTER TYPE "TagSource" ADD VALUE 'wecom';

-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "wecomDeletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "wecomTagId" TEXT;

-- AlterTable
ALTER TABLE "TagGroup" ADD COLUMN     "wecomDeletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "wecomGroupId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Tag_workspaceId_wecomTagId_key" ON "Tag"("workspaceId", "wecomTagId");

-- CreateIndex
CREATE UNIQUE INDEX "TagGroup_workspaceId_wecomGroupId_key" ON "TagGroup"("workspaceId", "wecomGroupId");
