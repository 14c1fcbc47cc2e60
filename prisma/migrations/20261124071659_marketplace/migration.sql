-- CreateEnum
CREATE TYPE "PartnerRole" AS ENUM ('owner', 'developer');

-- CreateEnum
CREATE TYPE "PluginVersionStatus" AS ENUM ('submitted', 'approved', 'rejected', 'deprecated');

-- CreateEnum
CREATE TYPE "InstallationStatus" AS ENUM ('active', 'uninstalled');

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "platformAdmin" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Partner" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Partner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PartnerMember" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "partnerId" UUID NOT NULL,
    "memberId" UUID NOT NULL,
    "role" "PartnerRole" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PartnerMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PartnerKey" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "partnerId" UUID NOT NULL,
    "memberId" UUID,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PartnerKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PluginListing" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "pluginId" TEXT NOT NULL,
    "partnerId" UUID NOT NULL,
    "listedVersionId" UUID,
    "searchZh" TEXT NOT NULL DEFAULT '',
    "searchEn" TEXT NOT NULL DEFAULT '',
    "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PluginListing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PluginVersion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "listingId" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "scopes" TEXT[],
    "addedScopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "changelog" TEXT NOT NULL DEFAULT '',
    "status" "PluginVersionStatus" NOT NULL DEFAULT 'submitted',
    "rejectionReason" TEXT,
    "publishedByKeyId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewedAt" TIMESTAMPTZ(3),
    "reviewedById" UUID,
    "deprecatedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PluginVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Installation" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspaceId" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "grantedScopes" TEXT[],
    "signingSecret" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenPrefix" TEXT NOT NULL,
    "status" "InstallationStatus" NOT NULL DEFAULT 'active',
    "installedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMPTZ(3),

    CONSTRAINT "Installation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Partner_name_key" ON "Partner"("name");

-- CreateIndex
CREATE INDEX "PartnerMember_memberId_idx" ON "PartnerMember"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "PartnerMember_partnerId_memberId_key" ON "PartnerMember"("partnerId", "memberId");

-- CreateIndex
CREATE UNIQUE INDEX "PartnerKey_secretHash_key" ON "PartnerKey"("secretHash");

-- CreateIndex
CREATE INDEX "PartnerKey_partnerId_createdAt_idx" ON "PartnerKey"("partnerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PluginListing_pluginId_key" ON "PluginListing"("pluginId");

-- CreateIndex
CREATE UNIQUE INDEX "PluginListing_listedVersionId_key" ON "PluginListing"("listedVersionId");

-- CreateIndex
CREATE INDEX "PluginListing_partnerId_idx" ON "PluginListing"("partnerId");

-- CreateIndex
CREATE INDEX "PluginListing_categories_idx" ON "PluginListing" USING GIN ("categories");

-- CreateIndex
CREATE INDEX "PluginVersion_status_createdAt_idx" ON "PluginVersion"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PluginVersion_listingId_version_key" ON "PluginVersion"("listingId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Installation_tokenHash_key" ON "Installation"("tokenHash");

-- CreateIndex
CREATE INDEX "Installation_workspaceId_createdAt_idx" ON "Installation"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Installation_listingId_status_idx" ON "Installation"("listingId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Installation_workspaceId_listingId_key" ON "Installation"("workspaceId", "listingId") WHERE (status = 'active');

-- AddForeignKey
ALTER TABLE "PartnerMember" ADD CONSTRAINT "PartnerMember_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PartnerMember" ADD CONSTRAINT "PartnerMember_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PartnerKey" ADD CONSTRAINT "PartnerKey_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PluginListing" ADD CONSTRAINT "PluginListing_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PluginListing" ADD CONSTRAINT "PluginListing_listedVersionId_fkey" FOREIGN KEY ("listedVersionId") REFERENCES "PluginVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PluginVersion" ADD CONSTRAINT "PluginVersion_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "PluginListing"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Installation" ADD CONSTRAINT "Installation_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Installation" ADD CONSTRAINT "Installation_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "PluginListing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Installation" ADD CONSTRAINT "Installation_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "PluginVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
