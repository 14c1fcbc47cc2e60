-- AlterTable
ALTER TABLE "WeComMassSend" ADD COLUMN     "withdrawnAt" TIMESTAMPTZ(3);
