-- AlterEnum
ALTER TYPE "WeComMassSendStatus" ADD VALUE 'uncertain';

-- AlterTable
ALTER TABLE "WeComMassSend" ADD COLUMN     "reconcileUntil" TIMESTAMPTZ(3);
