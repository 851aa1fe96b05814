CREATE TABLE "customer_scores" (
	"run_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"frequency" integer NOT NULL,
	"recency_days" integer NOT NULL,
	"age_days" integer NOT NULL,
	"monetary_cents" double precision NOT NULL,
	"rfm_r" smallint NOT NULL,
	"rfm_f" smallint NOT NULL,
	"rfm_m" smallint NOT NULL,
	"rfm_segment" text NOT NULL,
	"p_alive" double precision,
	"churn_risk" double precision,
	"churn_tier" text,
	"expected_purchases" double precision,
	"expected_order_value_cents" double precision,
	"clv_cents" double precision,
	"clv_percentile" smallint,
	CONSTRAINT "customer_scores_run_id_customer_id_pk" PRIMARY KEY("run_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "intelligence_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"job_id" uuid,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"as_of" date NOT NULL,
	"horizon_days" integer NOT NULL,
	"annual_discount_rate" double precision NOT NULL,
	"time_zone" text NOT NULL,
	"model" jsonb,
	"figures" jsonb,
	"error" text,
	"scores_kept" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "customer_scores" ADD CONSTRAINT "customer_scores_run_id_intelligence_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."intelligence_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intelligence_runs" ADD CONSTRAINT "intelligence_runs_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intelligence_runs" ADD CONSTRAINT "intelligence_runs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intelligence_runs" ADD CONSTRAINT "intelligence_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_scores_customer_id_idx" ON "customer_scores" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "intelligence_runs_business_id_created_at_idx" ON "intelligence_runs" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "intelligence_runs_business_id_finished_at_idx" ON "intelligence_runs" USING btree ("business_id","finished_at") WHERE status = 'succeeded';--> statement-breakpoint
CREATE UNIQUE INDEX "intelligence_runs_schedule_key" ON "intelligence_runs" USING btree ("business_id","as_of") WHERE "trigger" = 'schedule';