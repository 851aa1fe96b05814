CREATE TABLE "customer_activity" (
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"event" text NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "customer_activity_customer_id_event_day_pk" PRIMARY KEY("customer_id","event","day")
);
--> statement-breakpoint
CREATE TABLE "customer_identities" (
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_identities_business_id_kind_value_pk" PRIMARY KEY("business_id","kind","value")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"user_id" text,
	"email" text,
	"name" text,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trait_times" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"subscriber_id" uuid,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"event_count" integer DEFAULT 0 NOT NULL,
	"order_count" integer DEFAULT 0 NOT NULL,
	"revenue_cents" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_ids" (
	"business_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "event_ids_business_id_message_id_pk" PRIMARY KEY("business_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"business_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"user_id" text,
	"anonymous_id" text,
	"email" text,
	"group_id" text,
	"previous_id" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"traits" jsonb,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"integrations" jsonb,
	"timestamp" timestamp with time zone NOT NULL,
	"original_timestamp" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
-- Hand-written (drizzle-kit cannot declare partitions): a catch-all partition so no event is
-- ever refused for want of one, and the months around now; the tracking module's maintenance
-- job creates the months ahead and drops those past the retention setting.
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;
--> statement-breakpoint
DO $$
DECLARE
  month date := date_trunc('month', now() - interval '1 month')::date;
BEGIN
  FOR i IN 0..3 LOOP
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF "events" FOR VALUES FROM (%L) TO (%L)',
      'events_' || to_char(month, 'YYYYMM'), month, (month + interval '1 month')::date);
    month := (month + interval '1 month')::date;
  END LOOP;
END $$;
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"order_id" text NOT NULL,
	"status" text DEFAULT 'completed' NOT NULL,
	"total_cents" bigint NOT NULL,
	"refunded_cents" bigint DEFAULT 0 NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"products" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "previous_write_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"key" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segment_members" (
	"segment_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "segment_members_segment_id_customer_id_pk" PRIMARY KEY("segment_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "segment_sizes" (
	"segment_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"measured_at" timestamp with time zone NOT NULL,
	"size" integer NOT NULL,
	CONSTRAINT "segment_sizes_segment_id_measured_at_pk" PRIMARY KEY("segment_id","measured_at")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"rules" jsonb NOT NULL,
	"size" integer DEFAULT 0 NOT NULL,
	"refreshed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracking_minute_stats" (
	"business_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tracking_minute_stats_business_id_minute_pk" PRIMARY KEY("business_id","minute")
);
--> statement-breakpoint
CREATE TABLE "tracking_suppressions" (
	"business_id" uuid NOT NULL,
	"identity_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tracking_suppressions_business_id_identity_hash_pk" PRIMARY KEY("business_id","identity_hash")
);
--> statement-breakpoint
ALTER TABLE "customer_activity" ADD CONSTRAINT "customer_activity_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_activity" ADD CONSTRAINT "customer_activity_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_ids" ADD CONSTRAINT "event_ids_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previous_write_keys" ADD CONSTRAINT "previous_write_keys_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_sizes" ADD CONSTRAINT "segment_sizes_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_sizes" ADD CONSTRAINT "segment_sizes_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_minute_stats" ADD CONSTRAINT "tracking_minute_stats_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_suppressions" ADD CONSTRAINT "tracking_suppressions_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_activity_business_id_event_day_idx" ON "customer_activity" USING btree ("business_id","event","day");--> statement-breakpoint
CREATE INDEX "customer_identities_customer_id_idx" ON "customer_identities" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_business_id_user_id_key" ON "customers" USING btree ("business_id","user_id") WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "customers_business_id_created_at_idx" ON "customers" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "customers_business_id_last_seen_at_idx" ON "customers" USING btree ("business_id","last_seen_at","id");--> statement-breakpoint
CREATE INDEX "customers_business_id_email_idx" ON "customers" USING btree ("business_id","email");--> statement-breakpoint
CREATE INDEX "customers_subscriber_id_idx" ON "customers" USING btree ("subscriber_id");--> statement-breakpoint
CREATE INDEX "customers_search_trgm_idx" ON "customers" USING gin ("email" gin_trgm_ops,"user_id" gin_trgm_ops,"name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "event_ids_unprocessed_idx" ON "event_ids" USING btree ("received_at") WHERE processed_at IS NULL;--> statement-breakpoint
CREATE INDEX "events_business_id_received_at_idx" ON "events" USING btree ("business_id","received_at");--> statement-breakpoint
CREATE INDEX "events_business_id_user_id_timestamp_idx" ON "events" USING btree ("business_id","user_id","timestamp") WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "events_business_id_anonymous_id_timestamp_idx" ON "events" USING btree ("business_id","anonymous_id","timestamp") WHERE anonymous_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "events_business_id_email_timestamp_idx" ON "events" USING btree ("business_id","email","timestamp") WHERE email IS NOT NULL;--> statement-breakpoint
CREATE INDEX "events_business_id_message_id_idx" ON "events" USING btree ("business_id","message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_business_id_order_id_key" ON "orders" USING btree ("business_id","order_id");--> statement-breakpoint
CREATE INDEX "orders_customer_id_placed_at_idx" ON "orders" USING btree ("customer_id","placed_at");--> statement-breakpoint
CREATE INDEX "orders_business_id_placed_at_idx" ON "orders" USING btree ("business_id","placed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "previous_write_keys_key_key" ON "previous_write_keys" USING btree ("key");--> statement-breakpoint
CREATE INDEX "previous_write_keys_business_id_created_at_idx" ON "previous_write_keys" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "segment_members_customer_id_idx" ON "segment_members" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "segments_business_id_created_at_idx" ON "segments" USING btree ("business_id","created_at","id");