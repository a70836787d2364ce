-- CreateEnum
CREATE TYPE "ModelKind" AS ENUM ('seq2seq', 'hred', 'vhred');

-- CreateEnum
CREATE TYPE "Speaker" AS ENUM ('user', 'bot');

-- CreateEnum
CREATE TYPE "FinishReason" AS ENUM ('complete', 'length', 'cancelled', 'failed', 'interrupted');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted');

-- CreateTable
CREATE TABLE "conversations" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "modelVersionId" UUID,
    "decoding" JSONB,
    "compareModelIds" UUID[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "turns" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "speaker" "Speaker" NOT NULL,
    "text" TEXT NOT NULL,
    "tokenCount" INTEGER,
    "modelVersionId" UUID,
    "decoding" JSONB,
    "firstTokenMs" INTEGER,
    "totalMs" INTEGER,
    "finishReason" "FinishReason",
    "clientMessageId" TEXT,
    "replyId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "turns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback" (
    "id" UUID NOT NULL,
    "turnId" UUID NOT NULL,
    "rating" INTEGER NOT NULL,
    "preferred" BOOLEAN,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" UUID NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "name" TEXT NOT NULL,
    "filesPath" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "metrics" JSONB,
    "isActive" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "trainingRunId" UUID,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_runs" (
    "id" UUID NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "kind" "ModelKind" NOT NULL,
    "dataset" JSONB NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "baseModelId" UUID,
    "progress" JSONB,
    "metrics" JSONB,
    "error" TEXT,
    "checkpointDir" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "training_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comparisons" (
    "id" UUID NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL,
    "report" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "comparisons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "conversations_updatedAt_idx" ON "conversations"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "turns_replyId_key" ON "turns"("replyId");

-- CreateIndex
CREATE INDEX "turns_modelVersionId_idx" ON "turns"("modelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "turns_conversationId_index_key" ON "turns"("conversationId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "turns_conversationId_clientMessageId_key" ON "turns"("conversationId", "clientMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "feedback_turnId_key" ON "feedback"("turnId");

-- CreateIndex
CREATE INDEX "model_versions_kind_createdAt_idx" ON "model_versions"("kind", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_one_active_per_kind" ON "model_versions"("kind") WHERE ("isActive");

-- CreateIndex
CREATE INDEX "training_runs_status_createdAt_idx" ON "training_runs"("status", "createdAt");

-- CreateIndex
CREATE INDEX "comparisons_status_createdAt_idx" ON "comparisons"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "turns" ADD CONSTRAINT "turns_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "turns" ADD CONSTRAINT "turns_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_turnId_fkey" FOREIGN KEY ("turnId") REFERENCES "turns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "training_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_runs" ADD CONSTRAINT "training_runs_baseModelId_fkey" FOREIGN KEY ("baseModelId") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
