-- customer_scores becomes partitioned by run (LIST on run_id), hand-written: drizzle cannot
-- express partitions. A run COPYs its million score rows into a fresh table with no index and
-- attaches it (the indexes are then built once, by a sort), and a run whose scores are no longer
-- kept has its partition dropped instead of its rows deleted. The foreign key to the run goes:
-- the sweep in intelligence/repository.ts drops a partition whose run is gone.
ALTER TABLE "customer_scores" DROP CONSTRAINT "customer_scores_run_id_intelligence_runs_id_fk";--> statement-breakpoint
ALTER TABLE "customer_scores" RENAME TO "customer_scores_unpartitioned";--> statement-breakpoint
ALTER TABLE "customer_scores_unpartitioned" RENAME CONSTRAINT "customer_scores_run_id_customer_id_pk" TO "customer_scores_unpartitioned_pk";--> statement-breakpoint
ALTER INDEX "customer_scores_customer_id_idx" RENAME TO "customer_scores_unpartitioned_customer_id_idx";--> statement-breakpoint
CREATE TABLE "customer_scores" (LIKE "customer_scores_unpartitioned" INCLUDING DEFAULTS) PARTITION BY LIST ("run_id");--> statement-breakpoint
ALTER TABLE "customer_scores" ADD CONSTRAINT "customer_scores_run_id_customer_id_pk" PRIMARY KEY("run_id","customer_id");--> statement-breakpoint
CREATE INDEX "customer_scores_customer_id_idx" ON "customer_scores" USING btree ("customer_id");--> statement-breakpoint
-- The scores already stored: one partition per run, named as storeRun names them.
DO $$
DECLARE
  run uuid;
  partition text;
BEGIN
  FOR run IN SELECT DISTINCT run_id FROM customer_scores_unpartitioned LOOP
    partition := 'customer_scores_' || replace(run::text, '-', '');
    EXECUTE format('CREATE TABLE %I PARTITION OF customer_scores FOR VALUES IN (%L)', partition, run);
    EXECUTE format('INSERT INTO %I SELECT * FROM customer_scores_unpartitioned WHERE run_id = %L', partition, run);
  END LOOP;
END
$$;--> statement-breakpoint
DROP TABLE "customer_scores_unpartitioned";
