-- The subscriber search index needs pg_trgm (a contrib extension every PostgreSQL package ships; PGlite loads it in client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "contents_campaign_id_idx";--> statement-breakpoint
DROP INDEX "api_keys_user_id_created_at_idx";--> statement-breakpoint
DROP INDEX "audit_events_user_id_created_at_idx";--> statement-breakpoint
DROP INDEX "ai_calls_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "jobs_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "businesses_owner_id_created_at_idx";--> statement-breakpoint
DROP INDEX "campaign_strategies_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "campaigns_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "content_metrics_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "content_versions_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "contents_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "messages_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "publications_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "publish_attempts_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "deliveries_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "enrollments_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "sequence_steps_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "sequences_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "subscriber_imports_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "subscribers_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "suppressions_business_id_created_at_idx";--> statement-breakpoint
DROP INDEX "queue_probes_requested_by_requested_at_idx";--> statement-breakpoint
CREATE INDEX "contents_campaign_id_created_at_idx" ON "contents" USING btree ("campaign_id","created_at","id");--> statement-breakpoint
CREATE INDEX "subscribers_search_trgm_idx" ON "subscribers" USING gin ("email" gin_trgm_ops,"first_name" gin_trgm_ops,"last_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "api_keys_user_id_created_at_idx" ON "api_keys" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_user_id_created_at_idx" ON "audit_events" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ai_calls_business_id_created_at_idx" ON "ai_calls" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "jobs_business_id_created_at_idx" ON "jobs" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "businesses_owner_id_created_at_idx" ON "businesses" USING btree ("owner_id","created_at","id");--> statement-breakpoint
CREATE INDEX "campaign_strategies_business_id_created_at_idx" ON "campaign_strategies" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "campaigns_business_id_created_at_idx" ON "campaigns" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "content_metrics_business_id_created_at_idx" ON "content_metrics" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "content_versions_business_id_created_at_idx" ON "content_versions" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "contents_business_id_created_at_idx" ON "contents" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "messages_business_id_created_at_idx" ON "messages" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "publications_business_id_created_at_idx" ON "publications" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "publish_attempts_business_id_created_at_idx" ON "publish_attempts" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "deliveries_business_id_created_at_idx" ON "deliveries" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "enrollments_business_id_created_at_idx" ON "enrollments" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sequence_steps_business_id_created_at_idx" ON "sequence_steps" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sequences_business_id_created_at_idx" ON "sequences" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "subscriber_imports_business_id_created_at_idx" ON "subscriber_imports" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "subscribers_business_id_created_at_idx" ON "subscribers" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "suppressions_business_id_created_at_idx" ON "suppressions" USING btree ("business_id","created_at","id");--> statement-breakpoint
CREATE INDEX "queue_probes_requested_by_requested_at_idx" ON "queue_probes" USING btree ("requested_by","requested_at","id");