-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "allowTraining" BOOLEAN NOT NULL DEFAULT true;
