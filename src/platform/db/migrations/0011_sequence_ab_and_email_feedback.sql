ALTER TABLE "broadcast_deliveries" ADD COLUMN "complained_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "variant" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "complained_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "variants" jsonb;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "ab_test" jsonb;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "ab_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "winner" text;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "winner_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD COLUMN "winner_picked_by" text;--> statement-breakpoint
CREATE INDEX "sequence_steps_ab_running_idx" ON "sequence_steps" USING btree ("ab_started_at") WHERE variants is not null and winner is null;