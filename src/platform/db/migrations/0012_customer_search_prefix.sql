DROP INDEX "customers_search_trgm_idx";--> statement-breakpoint
CREATE INDEX "customers_business_id_email_prefix_idx" ON "customers" USING btree ("business_id","email" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_business_id_email_domain_idx" ON "customers" USING btree ("business_id",split_part("email", '@', 2) text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_business_id_user_id_prefix_idx" ON "customers" USING btree ("business_id","user_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_name_trgm_idx" ON "customers" USING gin ("name" gin_trgm_ops);