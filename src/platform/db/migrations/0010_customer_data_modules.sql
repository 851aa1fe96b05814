CREATE TABLE "segment_refresh_marks" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "trigger_message_id" text;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "trigger_event" jsonb;--> statement-breakpoint
ALTER TABLE "enrollments" ADD COLUMN "wait_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "kind" text DEFAULT 'email' NOT NULL;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "wait_for" jsonb;--> statement-breakpoint
ALTER TABLE "sequences" ADD COLUMN "exit_event" jsonb;--> statement-breakpoint
ALTER TABLE "segment_refresh_marks" ADD CONSTRAINT "segment_refresh_marks_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_ids_business_id_unprocessed_idx" ON "event_ids" USING btree ("business_id","received_at") WHERE processed_at IS NULL;--> statement-breakpoint
CREATE INDEX "segment_members_segment_id_entered_at_idx" ON "segment_members" USING btree ("segment_id","entered_at","customer_id");