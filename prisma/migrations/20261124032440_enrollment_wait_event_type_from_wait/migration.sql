-- AlterTable
ALTER TABLE "Enrollment" DROP COLUMN "waitEventType";
