ALTER TABLE "deliveries" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "trigger_message_id" text;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "trigger_event" jsonb;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "wait_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "kind" text DEFAULT 'email' NOT NULL;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "wait_for" jsonb;--> statement-breakpoint
ALTER TABLE "sequences" ADD COLUMN "exit_event" jsonb;--> statement-breakpoint
CREATE INDEX "event_ids_business_id_unprocessed_idx" ON "event_ids" USING btree ("business_id","received_at") WHERE processed_at IS NULL;