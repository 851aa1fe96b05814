CREATE TABLE "segment_refresh_marks" (
	"business_id" uuid PRIMARY KEY NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "segment_refresh_marks" ADD CONSTRAINT "segment_refresh_marks_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "segment_members_segment_id_entered_at_idx" ON "segment_members" USING btree ("segment_id","entered_at","customer_id");