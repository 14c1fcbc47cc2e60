-- AlterTable
ALTER TABLE "WeComCallback" ADD COLUMN     "receivedBy" TEXT;
