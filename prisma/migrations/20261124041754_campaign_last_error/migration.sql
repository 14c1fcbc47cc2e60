-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "lastError" TEXT;
