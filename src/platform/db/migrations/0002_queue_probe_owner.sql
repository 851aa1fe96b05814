-- Probes become per-user. Earlier probes have no owner and are only operational checks: drop them.
DELETE FROM "queue_probes";--> statement-breakpoint
DROP INDEX "queue_probes_requested_at_idx";--> statement-breakpoint
ALTER TABLE "queue_probes" ADD COLUMN "requested_by" uuid NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_probes" ADD CONSTRAINT "queue_probes_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "queue_probes_requested_by_requested_at_idx" ON "queue_probes" USING btree ("requested_by","requested_at");