CREATE TABLE "broadcast_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"variant" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_at" timestamp with time zone,
	"claimed_by" text,
	"sent_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"open_count" integer DEFAULT 0 NOT NULL,
	"clicked_at" timestamp with time zone,
	"click_count" integer DEFAULT 0 NOT NULL,
	"unsubscribed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "broadcast_send_minutes" (
	"business_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "broadcasts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"template_id" uuid,
	"variants" jsonb NOT NULL,
	"audience" jsonb DEFAULT '{"type":"all"}'::jsonb NOT NULL,
	"sender" jsonb,
	"ab_test" jsonb,
	"winner" text,
	"scheduled_at" timestamp with time zone,
	"local_time" boolean DEFAULT false NOT NULL,
	"decide_at" timestamp with time zone,
	"materialized_at" timestamp with time zone,
	"recipient_count" integer,
	"last_send_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"kind" text DEFAULT 'email' NOT NULL,
	"name" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"preheader" text DEFAULT '' NOT NULL,
	"html" text NOT NULL,
	"markdown" text,
	"text" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
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
ALTER TABLE "broadcast_deliveries" ADD CONSTRAINT "broadcast_deliveries_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_deliveries" ADD CONSTRAINT "broadcast_deliveries_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_deliveries" ADD CONSTRAINT "broadcast_deliveries_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_send_minutes" ADD CONSTRAINT "broadcast_send_minutes_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_template_id_email_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."email_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_templates" ADD CONSTRAINT "email_templates_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_refresh_marks" ADD CONSTRAINT "segment_refresh_marks_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_deliveries_broadcast_id_subscriber_id_key" ON "broadcast_deliveries" USING btree ("broadcast_id","subscriber_id");--> statement-breakpoint
CREATE INDEX "broadcast_deliveries_broadcast_id_status_idx" ON "broadcast_deliveries" USING btree ("broadcast_id","status");--> statement-breakpoint
CREATE INDEX "broadcast_deliveries_subscriber_id_idx" ON "broadcast_deliveries" USING btree ("subscriber_id");--> statement-breakpoint
CREATE INDEX "broadcast_deliveries_due_idx" ON "broadcast_deliveries" USING btree ("send_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "broadcast_deliveries_claimed_idx" ON "broadcast_deliveries" USING btree ("claimed_at") WHERE status = 'claimed';--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_send_minutes_key" ON "broadcast_send_minutes" USING btree ("business_id","minute");--> statement-breakpoint
CREATE INDEX "broadcasts_business_id_created_at_idx" ON "broadcasts" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "broadcasts_due_idx" ON "broadcasts" USING btree ("scheduled_at") WHERE status in ('scheduled', 'sending');--> statement-breakpoint
CREATE UNIQUE INDEX "email_templates_business_id_kind_name_key" ON "email_templates" USING btree ("business_id","kind","name");--> statement-breakpoint
CREATE INDEX "email_templates_business_id_created_at_idx" ON "email_templates" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "event_ids_business_id_unprocessed_idx" ON "event_ids" USING btree ("business_id","received_at") WHERE processed_at IS NULL;--> statement-breakpoint
CREATE INDEX "segment_members_segment_id_entered_at_idx" ON "segment_members" USING btree ("segment_id","entered_at","customer_id");